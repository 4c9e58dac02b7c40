"""What an attachment must be, and where it is kept.

Accepted: a PDF of at most 20 MB whose first bytes say so, that pypdf opens, and
that carries no active content (JavaScript, actions that start programs or send
data, embedded files, XFA forms, rich media: see find_active_content).
Refused, with a message the applicant can act on and nothing kept on disk: a
renamed executable, HTML named .pdf, an oversized file, a name with a path, a
PDF with active content.

Files live under settings.PRIVATE_MEDIA_ROOT, which no URL serves, under a
generated name; the uploader's name is kept only as text for the download.
"""

import hashlib
import html
import os
import time
import unicodedata
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from applications.enums import UnsafeContent

MAX_BYTES = 20 * 1024 * 1024  # DESIGN: at most 20 MB
PDF_MAGIC = b"%PDF-"
# PDF readers accept the header anywhere in the first kilobyte; we do not:
# "%PDF-" must be the very first bytes, so nothing can hide in front of it.
STORAGE_DIR = "attachments"


class AttachmentRejected(Exception):
    """The file is refused; the message says why, in words for the applicant."""


class ActiveContentFound(AttachmentRejected):
    """The PDF carries content that can act when opened; `findings` says which."""

    def __init__(self, findings: list[UnsafeContent]):
        self.findings = findings
        super().__init__(active_content_message(findings))


def active_content_message(findings: Iterable[str]) -> str:
    found = get_text_list([str(UnsafeContent(code).label) for code in findings], _("and"))
    return _(
        "This PDF contains %(found)s. Such content can run when a reviewer opens the file, so the portal "
        "does not accept it. Make a clean copy with “Print to PDF”, or export it as PDF/A, "
        "and upload that."
    ) % {"found": found}


def check_name(name: str) -> str:
    """The uploader's file name, refused if it carries a path or control characters.
    Returns it normalised, for display and the download's file name."""
    if not name or not name.strip():
        raise AttachmentRejected(_("The file has no name."))
    # Django unescapes HTML entities in upload names (&#47; is "/"), so check both.
    if any(sep in candidate for candidate in (name, html.unescape(name)) for sep in ("/", "\\")):
        raise AttachmentRejected(
            _("The file name %(name)s contains a path. Rename the file to a plain name such as pitch-deck.pdf.")
            % {"name": repr(name)}
        )
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise AttachmentRejected(_("The file name contains control characters. Rename the file and try again."))
    if not name.lower().endswith(".pdf"):
        raise AttachmentRejected(_("Only PDF files are accepted: the file name must end in .pdf."))
    name = unicodedata.normalize("NFC", name.strip())
    return name if len(name) <= 200 else name[:196] + ".pdf"


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise AttachmentRejected(
            _("The file is %(size)s; the limit is %(limit)s. Compress the PDF or leave out large images.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)}
        )
    if size == 0:
        raise AttachmentRejected(_("The file is empty."))


def check_pdf(file) -> int:
    """Refuse anything that is not a readable PDF free of active content; return its
    page count. `file` is a Django File (in memory or a temporary file) or any binary
    file object; it is left rewound."""
    file.seek(0)
    head = file.read(len(PDF_MAGIC))
    file.seek(0)
    if head != PDF_MAGIC:
        raise AttachmentRejected(
            _("This file is not a PDF, whatever its name says. Export or save it as PDF and upload that.")
        )
    try:
        reader = PdfReader(file)
        if reader.is_encrypted:
            raise AttachmentRejected(_("The PDF is password-protected. Upload a copy without a password."))
        pages = len(reader.pages)
        findings = find_active_content(reader)
    except AttachmentRejected:
        raise
    except Exception:  # pypdf raises many kinds of errors on a damaged file
        raise AttachmentRejected(
            _("The PDF could not be read: it may be damaged. Export it again and retry.")
        ) from None
    finally:
        file.seek(0)
    if pages < 1:
        raise AttachmentRejected(_("The PDF has no pages."))
    if findings:
        raise ActiveContentFound(findings)
    return pages


def validate(file, name: str) -> str:
    """Every check, cheapest first. Returns the cleaned display name."""
    clean_name = check_name(name)
    check_size(file.size)
    check_pdf(file)
    return clean_name


# --- Active content ---------------------------------------------------------------------
#
# The check walks pypdf's parsed objects, never the raw bytes: pypdf has already
# decoded "#xx" escapes in names (/J#61vaScript is /JavaScript) and unpacked objects
# kept in compressed object streams, so neither hides anything from it.

# An action dictionary's type (/S) that is refused wherever the action appears:
# on a link, an outline item, a form field, in /OpenAction, /AA or a /Next chain.
_REFUSED_ACTIONS = {
    "/JavaScript": UnsafeContent.JAVASCRIPT,
    "/Launch": UnsafeContent.LAUNCH,
    "/SubmitForm": UnsafeContent.SUBMIT_FORM,
    "/ImportData": UnsafeContent.IMPORT_DATA,
    "/GoToR": UnsafeContent.REMOTE_GOTO,
    "/GoToE": UnsafeContent.EMBEDDED_GOTO,
    "/RichMediaExecute": UnsafeContent.RICH_MEDIA,
    # Older multimedia: a player started from the PDF (a /Rendition may also carry /JS).
    "/Rendition": UnsafeContent.RICH_MEDIA,
    "/Movie": UnsafeContent.RICH_MEDIA,
    "/Sound": UnsafeContent.RICH_MEDIA,
}
# A dictionary key that is refused wherever it appears. /AA (additional actions) is
# refused whatever its actions are: its triggers (page opened or closed, mouse over a
# link, a form field changed, the document printed or saved) run them with no click,
# and word processors and "Print to PDF" never write it.
_REFUSED_KEYS = {
    "/JS": UnsafeContent.JAVASCRIPT,  # the script of a JavaScript action
    "/JavaScript": UnsafeContent.JAVASCRIPT,  # the document-level /Names /JavaScript tree
    "/AA": UnsafeContent.AUTOMATIC_ACTION,
    "/EmbeddedFiles": UnsafeContent.EMBEDDED_FILE,  # the /Names /EmbeddedFiles tree
    "/EF": UnsafeContent.EMBEDDED_FILE,  # a file specification that carries the file
    "/XFA": UnsafeContent.XFA,
    "/RichMediaContent": UnsafeContent.RICH_MEDIA,
    "/RichMediaSettings": UnsafeContent.RICH_MEDIA,
}
# An annotation's /Subtype, or an object's /Type, that is refused. Besides /RichMedia,
# the older ways to play media (/Screen, /Movie, /Sound) and 3D models (/3D: a U3D
# model can carry its own JavaScript) count as rich media.
_REFUSED_TYPES = {
    "/FileAttachment": UnsafeContent.EMBEDDED_FILE,
    "/EmbeddedFile": UnsafeContent.EMBEDDED_FILE,
    "/RichMedia": UnsafeContent.RICH_MEDIA,
    "/Screen": UnsafeContent.RICH_MEDIA,
    "/Movie": UnsafeContent.RICH_MEDIA,
    "/Sound": UnsafeContent.RICH_MEDIA,
    "/3D": UnsafeContent.RICH_MEDIA,
}
# Keys whose values cannot hold an action, an embedded file or a form (ISO 32000-1:
# resources are fonts, images and drawings; content and appearance streams are
# drawing operators; the structure tree is tagging for screen readers and may hold
# one object per paragraph). The walk does not enter them: pypdf parses about 5,000
# objects a second, and these are most of the objects of a long document.
_INERT_KEYS = frozenset({"/Resources", "/Contents", "/AP", "/Thumb", "/Metadata", "/StructTreeRoot", "/PieceInfo"})
# A file of at most 20 MB can still hold a million tiny objects. Past either limit
# the file is refused as too complex; a real document stays far below both.
MAX_CHECKED_OBJECTS = 200_000
_CONTAINERS = (DictionaryObject, ArrayObject, IndirectObject)
CHECK_SECONDS = 10.0


class TooComplexToCheck(AttachmentRejected):
    def __init__(self):
        super().__init__(
            _(
                "The PDF is too complex to check for unsafe content. Make a simpler copy with "
                "“Print to PDF”, or export it as PDF/A, and upload that."
            )
        )


def _is_harmless_open_action(value) -> bool:
    """/OpenAction says what happens when the file is opened. Most PDFs from word
    processors and browsers hold a plain destination there (an array such as
    [page /Fit], or a named destination): "open at page 1". That, and a /GoTo action
    (which moves within the document), are accepted. Any other action there runs
    by itself on opening and is refused, even one that is harmless on a click, such
    as /URI (it would open a web page unasked). A /GoTo's /Next chain is checked by
    the walk like every other action."""
    if isinstance(value, (ArrayObject, str, bytes)):  # a destination, or a named one
        return True
    if not isinstance(value, DictionaryObject) or "/S" not in value:
        return False
    return value["/S"] == "/GoTo"  # DictionaryObject's [] resolves an indirect /S


def find_active_content(
    reader: PdfReader, *, max_objects: int = MAX_CHECKED_OBJECTS, seconds: float = CHECK_SECONDS
) -> list[UnsafeContent]:
    """Every kind of active content in the document, in UnsafeContent's order; empty
    when the PDF is safe to open. Raises TooComplexToCheck past the limits.

    Walks the object graph from the trailer (catalog, pages, annotations, form
    fields, outlines, name trees, actions and their /Next chains), as a reader finds
    it, except the inert subtrees above. Each indirect object is visited once
    (cycles are common: a page's /Parent points back to its tree). No recursion:
    nesting depth cannot exhaust the stack.
    """
    found: set[UnsafeContent] = set()
    seen: set[tuple[int, int]] = set()
    pending: list = [reader.trailer]
    deadline = time.monotonic() + seconds
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        # The clock is read every thousand objects (and at the first), not on each.
        if visited > max_objects or (visited % 1000 == 1 and time.monotonic() >= deadline):
            raise TooComplexToCheck
        if isinstance(item, DictionaryObject):  # stream dictionaries included
            _check_dictionary(item, found)
            children = [value for key, value in dict.items(item) if key not in _INERT_KEYS]
        elif isinstance(item, ArrayObject):
            children = item
        else:
            continue
        pending.extend(
            child for child in children if isinstance(child, (DictionaryObject, ArrayObject, IndirectObject))
        )
    return [code for code in UnsafeContent if code in found]


def _check_dictionary(dictionary: DictionaryObject, found: set[UnsafeContent]) -> None:
    # dict.items gives the values unresolved; resolve only the few that are judged.
    for key, value in dict.items(dictionary):
        if key in _REFUSED_KEYS:
            found.add(_REFUSED_KEYS[key])
        elif key == "/S":
            action = value.get_object()
            if isinstance(action, NameObject) and action in _REFUSED_ACTIONS:
                found.add(_REFUSED_ACTIONS[action])
        elif key in ("/Subtype", "/Type"):
            kind = value.get_object()
            if isinstance(kind, NameObject) and kind in _REFUSED_TYPES:
                found.add(_REFUSED_TYPES[kind])
        elif key == "/OpenAction" and not _is_harmless_open_action(value.get_object()):
            found.add(UnsafeContent.OPEN_ACTION)


def stored_file_findings(path: Path) -> list[UnsafeContent]:
    """The re-check of a stored file with the upload's rules: what makes it unsafe
    to offer (empty when it is safe)."""
    try:
        with path.open("rb") as handle:
            check_pdf(handle)
    except FileNotFoundError:
        return [UnsafeContent.MISSING]
    except ActiveContentFound as refused:
        return refused.findings
    except AttachmentRejected:
        return [UnsafeContent.UNREADABLE]
    return []


# --- Download names ------------------------------------------------------------------------

# Refused in file names by Windows (all of them) or macOS (":" and "/").
_FORBIDDEN_IN_NAMES = set('<>:"/\\|?*')
# Names Windows reserves for devices, whatever the extension ("CON.pdf" included).
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)}
# Most file systems allow 255 bytes of UTF-8 in a name.
_MAX_NAME_BYTES = 255


def download_name(name: str) -> str:
    """The uploaded name made safe to save on Windows, macOS and Linux; ends in .pdf.

    Characters those systems refuse, control and format characters (a right-to-left
    override can disguise "fdp.exe" as "exe.pdf") become "_"; surrounding spaces and
    trailing dots go (Windows drops them itself, so "a.pdf." would lose its ending);
    leading dots become "_" (a hidden file on macOS and Linux). Letters of any
    script are kept: the Content-Disposition header carries them (RFC 6266).
    """
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        "_" if char in _FORBIDDEN_IN_NAMES or unicodedata.category(char).startswith("C") else char for char in name
    )
    name = name.strip().rstrip(". ").strip()
    if name.lower().endswith(".pdf"):
        stem, ending = name[:-4], name[-4:]
    else:
        stem, ending = name, ".pdf"
    dots = len(stem) - len(stem.lstrip("."))
    stem = "_" * dots + stem[dots:]
    if not stem.strip():
        stem = "attachment"
    if stem.split(".")[0].strip().upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    while len((stem + ending).encode()) > _MAX_NAME_BYTES:
        stem = stem[:-1].rstrip(". ")
    return stem + ending


# --- Storage ------------------------------------------------------------------------------


def private_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def new_stored_name() -> str:
    """A generated relative path, spread over 256 folders."""
    token = uuid.uuid4().hex
    return f"{STORAGE_DIR}/{token[:2]}/{token}.pdf"


def store(chunks: Iterable[bytes]) -> tuple[str, int, str]:
    """Write the file under a new generated name; return (stored_name, size, sha256).

    Written to a temporary name and renamed, so a half-written file never
    appears under its final name. Owner-only permissions.
    """
    stored_name = new_stored_name()
    final = private_root() / stored_name
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = final.with_suffix(".part")
    digest, size = hashlib.sha256(), 0
    try:
        with partial.open("xb") as out:
            os.chmod(partial, 0o600)
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return stored_name, size, digest.hexdigest()


def remove(stored_name: str) -> None:
    path = private_root() / stored_name
    # The stored name is ours, but check anyway that it resolves inside the root.
    if path.resolve().is_relative_to(private_root().resolve()):
        path.unlink(missing_ok=True)


# --- Upload handling -----------------------------------------------------------------------


class _NameRecordingParser(MultiPartParser):
    """Django keeps only the last part of an uploaded file's name (it drops
    "../"); we want to refuse such a name, so we note the name as sent."""

    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._names = names

    def sanitize_file_name(self, file_name):
        self._names.append(file_name)
        return super().sanitize_file_name(file_name)


class _SizeLimitHandler(FileUploadHandler):
    """Stops reading a file once it passes the limit, so an oversized upload is
    never written out in full; the guard reports it to the form."""

    def __init__(self, request, guard: "UploadGuard"):
        super().__init__(request)
        self.guard = guard
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self.guard.oversized.append(self.file_name or "")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadGuard(FileUploadHandler):
    """Put first in request.upload_handlers (before CSRF reads the body): parses the
    upload itself to record each file name as sent and to cap file sizes."""

    def __init__(self, request=None):
        super().__init__(request)
        self.names: list[str] = []
        self.oversized: list[str] = []

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        assert self.request is not None
        others = [handler for handler in self.request.upload_handlers if handler is not self]
        handlers = [_SizeLimitHandler(self.request, self), *others]
        parser = _NameRecordingParser(META, input_data, handlers, encoding, names=self.names)
        return parser.parse()

    def receive_data_chunk(self, raw_data, start):  # pragma: no cover - never reached
        return raw_data

    def file_complete(self, file_size):  # pragma: no cover - never reached
        return None
