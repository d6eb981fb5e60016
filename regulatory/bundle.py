"""The dossier bundle: a zip of every current document in checklist order (folders numbered by item) and
``index.pdf`` (item, file, version, SHA-256, uploaded by/at, signatures)."""

import io
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from lims.pdf import RecordPdf, Section
from lims.signatures import printed_name, signature_rows


def index_pdf(dossier, rows, printed_by="") -> bytes:
    table = [[_("Item"), _("File"), _("Version"), _("SHA-256"), _("Uploaded by / at")]]
    for item, doc in rows:
        if doc is None:
            table.append([str(item), _("missing"), "", "", ""])
        else:
            table.append([str(item), doc.original_name, str(doc.version_number), doc.sha256,
                          f"{printed_name(doc.uploaded_by)} {timezone.localtime(doc.uploaded_at):%Y-%m-%d %H:%M}"])
    return RecordPdf(title=_("Dossier index"), reference=str(dossier),
                     facts=[(_("Status"), dossier.get_status_display()),
                            (_("Completeness"), f"{dossier.completeness()[0]} %")],
                     sections=[Section(_("Documents"), table, widths=(0.22, 0.2, 0.08, 0.32, 0.18))],
                     signatures=signature_rows(dossier), printed_by=printed_by).build()


def bundle(dossier, printed_by="", progress=None) -> bytes:
    """``progress(done, total)``, when given, is called after the index and after each document (the background
    task shows it)."""
    items = list(dossier.items.prefetch_related("documents__uploaded_by").order_by("position"))
    rows = [(item, item.current_document()) for item in items]
    present = [(item, doc) for item, doc in rows if doc is not None]
    total = len(present) + 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.pdf", index_pdf(dossier, rows, printed_by))
        if progress:
            progress(1, total)
        for done, (item, doc) in enumerate(present, start=2):
            with doc.file.open("rb") as f:
                archive.writestr(f"{item.position:02d}/{doc.original_name}", f.read())
            if progress:
                progress(done, total)
    return buffer.getvalue()
