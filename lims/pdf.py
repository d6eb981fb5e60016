"""Printable records (certificate of analysis, batch record, dossier index, timeline): one reportlab document
builder so that every printout carries the same running header, "page x of y", "printed by / at" line and
signature block (21 CFR 11.50: printed name, date and time, meaning; 11.70 / Annex 11 §8.2: a change after
signing shows).

Chinese text is set in Noto Sans SC, embedded as a subset (lims.labels.fonts), Latin text in Helvetica. Times are
local with the zone named (:func:`local`). A section's heading never stands alone at the foot of a page: it moves
with the first rows of its table (:class:`HeadedTable`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from rest_framework.renderers import BaseRenderer

from lims.labels.fonts import font_for

_BASE = getSampleStyleSheet()
BODY = ParagraphStyle("lims-body", parent=_BASE["BodyText"], fontSize=8.5, leading=10.5)
SMALL = ParagraphStyle("lims-small", parent=BODY, fontSize=7.5, leading=9)
HEADING = ParagraphStyle("lims-heading", parent=_BASE["Heading2"], fontSize=11.5, leading=14, spaceBefore=8,
                         spaceAfter=4, keepWithNext=1)
TITLE = ParagraphStyle("lims-title", parent=_BASE["Title"], fontSize=16, leading=20, spaceAfter=2)
KEEP_ROWS = 2  # body rows that go with a heading (besides the table's header row)


def local(value, *, seconds: bool = False) -> str:
    """A time as printed on every record: local, with the zone named (DESIGN.md: "The record tells the truth")."""
    if not value:
        return "—"
    fmt = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"
    return timezone.localtime(value).strftime(fmt)


def para(text, style=BODY, *, bold=False) -> Paragraph:
    """A paragraph of plain text (escaped) in the font its characters need."""
    text = "" if text is None else str(text)
    font = font_for(text, bold=bold)
    return Paragraph(escape(text).replace("\n", "<br/>"), ParagraphStyle(f"{style.name}-{font}", parent=style,
                                                                          fontName=font))


@dataclass
class Section:
    heading: str
    rows: Sequence[Sequence] = ()  # first row is the header when ``header`` is True
    header: bool = True
    text: str = ""  # shown when there are no rows (e.g. "No deviations.")
    widths: Sequence[float] | None = None  # fractions of the frame width
    note: str = ""  # printed under the table (e.g. a summary)


class HeadedTable(Flowable):
    """A heading and its table: the heading goes to the next page unless the table's header and its first
    ``KEEP_ROWS`` rows fit below it; the rest of the table splits normally (its header repeats)."""

    def __init__(self, heading: Flowable, table: Table, *, header: bool = True):
        super().__init__()
        self.heading, self.table, self.header = heading, table, header

    def wrap(self, aW, aH):
        _w, self._hh = self.heading.wrap(aW, aH)
        _w, self._th = self.table.wrap(aW, max(aH - self._hh, 1))
        self.width, self.height = aW, self._hh + self._th + self.heading.style.spaceBefore
        return self.width, self.height

    def draw(self):
        self.heading.drawOn(self.canv, 0, self._th)  # first, so that text extraction reads it first
        self.table.drawOn(self.canv, 0, 0)

    def split(self, aW, aH):
        _w, hh = self.heading.wrap(aW, aH)
        hh += self.heading.style.spaceBefore
        if hh >= aH:
            return []
        parts = self.table.split(aW, aH - hh)
        keep = min(len(self.table._cellvalues), KEEP_ROWS + (1 if self.header else 0))
        if len(parts) < 2 or len(parts[0]._cellvalues) < keep:
            return []  # to the next page, heading and all
        return [HeadedTable(self.heading, parts[0], header=self.header), *parts[1:]]


def _numbered_canvas(decorate):
    """A canvas that knows the page count when it saves, so each page says "page x of y"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._page_states = []

        def showPage(self):
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._page_states)
            for state in self._page_states:
                self.__dict__.update(state)
                decorate(self, total)
                super().showPage()
            super().save()

    return NumberedCanvas


@dataclass
class RecordPdf:
    """A record printout. ``build()`` returns the PDF bytes."""

    title: str
    reference: str  # the record's identity, repeated on every page (e.g. "Lot SC2611220101")
    facts: Sequence[tuple[str, object]] = ()
    sections: list[Section] = field(default_factory=list)
    signatures: Iterable = ()  # lims.models.Signature rows, with ``changed_after`` from signature_rows()
    pending: Sequence[str] = ()  # signatures this record still awaits (e.g. "Release decision"), named
    printed_by: str = ""
    note: str = ""
    statement: str = ""  # a conclusion printed boxed after the facts (e.g. the CoA's)
    wide: bool = False  # landscape (the timeline)
    signature_heading: str = ""

    def build(self) -> bytes:
        buffer = io.BytesIO()
        pagesize = landscape(A4) if self.wide else A4
        doc = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=15 * mm, rightMargin=15 * mm,
                                topMargin=22 * mm, bottomMargin=18 * mm, title=f"{self.title} — {self.reference}",
                                author=settings.LIMS_MANUFACTURER["name"], creator="IVD LIMS")
        width = doc.width
        story = [para(self.title, TITLE, bold=True), para(self.reference, HEADING, bold=True)]
        if self.facts:
            story.append(_table([[para(k, SMALL, bold=True), para(v)] for k, v in self.facts],
                                [0.3 * width, 0.7 * width], header=False))
        if self.statement:
            box = Table([[para(self.statement, BODY, bold=True)]], colWidths=[width], hAlign="LEFT")
            box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                                     ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f1f8f3")),
                                     ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
            story += [Spacer(1, 3 * mm), box]
        for section in self.sections:
            story.extend(section_flowables(section, width))
        story.append(self._signature_block(width))
        if self.note:
            story += [Spacer(1, 4 * mm), para(self.note, SMALL)]
        printed = local(timezone.now())
        footer = _("Printed %(at)s by %(who)s") % {"at": printed, "who": self.printed_by or "—"}
        running = f"{self.title} · {self.reference}"
        page_w, page_h = pagesize

        def decorate(canvas, total):
            canvas.saveState()
            name = settings.LIMS_MANUFACTURER["name"]
            canvas.setFont(font_for(name, bold=True), 8)
            canvas.drawString(doc.leftMargin, page_h - 12 * mm, name)
            canvas.setFont(font_for(running), 8)
            canvas.drawRightString(page_w - doc.rightMargin, page_h - 12 * mm, running)
            canvas.setFont(font_for(footer), 7)
            canvas.drawString(doc.leftMargin, 10 * mm, footer)
            number = _("Page %(n)s of %(total)s") % {"n": canvas.getPageNumber(), "total": total}
            canvas.setFont(font_for(number), 7)
            canvas.drawRightString(page_w - doc.rightMargin, 10 * mm, number)
            canvas.restoreState()

        doc.build(story, canvasmaker=_numbered_canvas(decorate))
        return buffer.getvalue()

    def _signature_block(self, width):
        rows = [[para(h, SMALL, bold=True) for h in
                 (_("Printed name"), _("User"), _("Meaning"), _("Signed at"), _("Signed record"), _("Reason"),
                  _("Status"))]]
        for s in self.signatures:
            status = _("changed after signature") if getattr(s, "changed_after", False) else _("signed")
            rows.append([para(s.printed_name, SMALL), para(s.signer.get_username(), SMALL),
                         para(s.get_meaning_display(), SMALL), para(local(s.signed_at, seconds=True), SMALL),
                         para(getattr(s, "record_label", "") or s.object_repr, SMALL),
                         para(s.reason, SMALL), para(status, SMALL, bold=True)])
        for what in self.pending:
            rows.append([para("—", SMALL), para("—", SMALL), para("—", SMALL), para("—", SMALL), para(what, SMALL),
                         para("", SMALL), para(_("not signed yet"), SMALL, bold=True)])
        heading = para(self.signature_heading or _("Electronic signatures"), HEADING, bold=True)
        if len(rows) == 1:
            return KeepTogether([heading, para(_("No electronic signature on this record."), BODY)])
        table = _table(rows, [f * width for f in (0.15, 0.1, 0.11, 0.17, 0.2, 0.15, 0.12)], header=True)
        return HeadedTable(heading, table)


def section_flowables(section: Section, width: float) -> list[Flowable]:
    heading = para(section.heading, HEADING, bold=True)
    if section.rows:
        ncols = max(len(r) for r in section.rows)
        fractions = section.widths or [1 / ncols] * ncols
        rows = [[para(c, SMALL, bold=(section.header and i == 0)) for c in r] for i, r in enumerate(section.rows)]
        out = [HeadedTable(heading, _table(rows, [f * width for f in fractions], header=section.header),
                           header=section.header)]
    else:
        out = [KeepTogether([heading, para(section.text or _("None."), BODY)])]
    if section.note:
        out.append(para(section.note, SMALL))
    return out


def _table(rows, widths, *, header: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")))
    table.setStyle(TableStyle(style))
    return table


def pdf_response(pdf: bytes, filename: str):
    """A printout shown in the browser (inline), never cached (it carries "printed at / by")."""
    from django.http import HttpResponse

    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class PdfRenderer(BaseRenderer):
    """Lets an API client ask for ``application/pdf``; an error body is still written as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        import json

        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()


def login_or_api(api_view):
    """A PDF URL for browsers and API clients: anonymous without credentials → sign-in page; a token (or a
    session) → the API view, whose errors are API errors (401, 403, 400, 409)."""
    from django.contrib.auth.views import redirect_to_login

    def view(request, *args, **kwargs):
        if not request.user.is_authenticated and "HTTP_AUTHORIZATION" not in request.META:
            return redirect_to_login(request.get_full_path())
        return api_view(request, *args, **kwargs)
    view.__name__ = getattr(api_view, "__name__", "pdf_view")
    view.__doc__ = api_view.__doc__
    return view
