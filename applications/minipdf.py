"""A small, valid PDF with a few pages of text, written by hand.

Used by the demo data (real attachments that pypdf opens) and by the tests.
No dependency: the format is simple enough for pages of Helvetica.
"""

import textwrap
import unicodedata

# Helvetica at 11 pt fits about 95 characters across A4 between 60 pt margins.
WRAP_AT = 92


def _latin1(text: str) -> bytes:
    """Helvetica's standard encoding covers Latin-1; other letters lose their accent
    ("A.Ş." becomes "A.S.") rather than turning into "?"."""
    plain = "".join(char if ord(char) < 256 else unicodedata.normalize("NFKD", char)[0] for char in text)
    return plain.encode("latin-1", errors="replace")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_stream(lines: list[str]) -> bytes:
    """The first line is the page's heading at 20 pt; the rest are 11 pt text, each
    one a paragraph wrapped to the page width ("" leaves a blank line)."""
    ops = ["BT", "/F1 20 Tf", "60 770 Td", "28 TL"]
    for index, line in enumerate(lines):
        if index == 1:
            ops += ["T*", "/F1 11 Tf", "15 TL"]
        for part in textwrap.wrap(line, WRAP_AT) or [""]:
            ops.append(f"({_escape(part)}) Tj T*")
    ops.append("ET")
    return _latin1("\n".join(ops))


def make_pdf(lines: list[str], *, title: str = "") -> bytes:
    """One A4 page showing `lines`; Latin-1 text (other characters become "?")."""
    return make_pdf_pages([lines], title=title)


def make_pdf_pages(pages: list[list[str]], *, title: str = "") -> bytes:
    """An A4 document with one page per list of lines (see _page_stream)."""
    count = len(pages)
    first_page = 4  # objects 1-3: catalog, page tree, font; then (page, contents) pairs; then info
    kids = " ".join(f"{first_page + 2 * index} 0 R" for index in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids.encode(), count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, lines in enumerate(pages):
        stream = _page_stream(lines)
        contents = first_page + 2 * index + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % contents
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Title (%s) /Producer (DIANA portal demo) >>" % _latin1(_escape(title)))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        len(objects),
        xref_at,
    )
    return bytes(out)
