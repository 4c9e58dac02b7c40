"""What an attachment must be, and where it is kept.

Accepted: a PDF of at most 20 MB whose first bytes say so and that pypdf opens.
Refused, with a message the applicant can act on and nothing kept on disk: a
renamed executable, HTML named .pdf, an oversized file, a name with a path.

Files live under settings.PRIVATE_MEDIA_ROOT, which no URL serves, under a
generated name; the uploader's name is kept only as text for the download.
"""

import hashlib
import html
import os
import unicodedata
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader

MAX_BYTES = 20 * 1024 * 1024  # DESIGN: at most 20 MB
PDF_MAGIC = b"%PDF-"
# PDF readers accept the header anywhere in the first kilobyte; we do not:
# "%PDF-" must be the very first bytes, so nothing can hide in front of it.
STORAGE_DIR = "attachments"


class AttachmentRejected(Exception):
    """The file is refused; the message says why, in words for the applicant."""


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
    """Refuse anything that is not a readable PDF; return its page count. `file` is
    a Django File (in memory or a temporary file); it is left rewound."""
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
    return pages


def validate(file, name: str) -> str:
    """Every check, cheapest first. Returns the cleaned display name."""
    clean_name = check_name(name)
    check_size(file.size)
    check_pdf(file)
    return clean_name


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
