"""Upload checks of dossier documents: the type is recognised by content (magic bytes), never by name; size
limit ``REGULATORY_MAX_UPLOAD_BYTES`` (default 20 MB)."""

import io
import zipfile

from django.conf import settings

PDF, DOCX, XLSX, PNG, JPEG = ("application/pdf",
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              "image/png", "image/jpeg")


def max_upload_bytes():
    return getattr(settings, "REGULATORY_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


def sniff(data: bytes) -> str | None:
    """The content type recognised from the bytes, or None when not an accepted type."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                if "[Content_Types].xml" not in names:
                    return None
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        if any(n.startswith("word/") for n in names) and "word/" in types:
            return DOCX
        if any(n.startswith("xl/") for n in names) and "xl/" in types:
            return XLSX
    return None
