"""Printable records (certificate of analysis, batch record, dossier index): one reportlab document builder so
that every printout carries the same header, page numbers, "printed by / at" line and signature block
(21 CFR 11.50: printed name, date and time, meaning; 11.70 / Annex 11 §8.2: a change after signing shows).

Text in Chinese is set in STSong-Light (shipped with reportlab, no system font), Latin text in Helvetica.
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
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lims.labels.fonts import font_for

_BASE = getSampleStyleSheet()
BODY = ParagraphStyle("lims-body", parent=_BASE["BodyText"], fontSize=8.5, leading=10.5)
SMALL = ParagraphStyle("lims-small", parent=BODY, fontSize=7.5, leading=9)
HEADING = ParagraphStyle("lims-heading", parent=_BASE["Heading2"], fontSize=11.5, leading=14, spaceBefore=8,
                         spaceAfter=4)
TITLE = ParagraphStyle("lims-title", parent=_BASE["Title"], fontSize=16, leading=20, spaceAfter=2)


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


@dataclass
class RecordPdf:
    """A record printout. ``build()`` returns the PDF bytes."""

    title: str
    reference: str  # the record's identity, repeated on every page (e.g. "Lot SC2611220101")
    facts: Sequence[tuple[str, object]] = ()
    sections: list[Section] = field(default_factory=list)
    signatures: Iterable = ()  # lims.models.Signature rows, with ``changed_after`` from signature_rows()
    printed_by: str = ""
    note: str = ""

    def build(self) -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=22 * mm,
                                bottomMargin=18 * mm, title=f"{self.title} — {self.reference}",
                                author=settings.LIMS_MANUFACTURER["name"], creator="IVD LIMS")
        width = doc.width
        story = [para(self.title, TITLE, bold=True), para(self.reference, HEADING, bold=True)]
        if self.facts:
            story.append(_table([[para(k, SMALL, bold=True), para(v)] for k, v in self.facts],
                                [0.3 * width, 0.7 * width], header=False))
        for section in self.sections:
            story.append(para(section.heading, HEADING, bold=True))
            if section.rows:
                ncols = max(len(r) for r in section.rows)
                fractions = section.widths or [1 / ncols] * ncols
                rows = [[para(c, SMALL, bold=(section.header and i == 0)) for c in r]
                        for i, r in enumerate(section.rows)]
                story.append(_table(rows, [f * width for f in fractions], header=section.header))
            else:
                story.append(para(section.text or _("None."), BODY))
        story.append(self._signature_block(width))
        if self.note:
            story += [Spacer(1, 4 * mm), para(self.note, SMALL)]
        printed = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
        footer = _("Printed %(at)s by %(who)s") % {"at": printed, "who": self.printed_by or "—"}

        def decorate(canvas, doc_):
            canvas.saveState()
            canvas.setFont("Helvetica-Bold", 8)
            canvas.drawString(doc_.leftMargin, A4[1] - 12 * mm, settings.LIMS_MANUFACTURER["name"])
            canvas.setFont(font_for(self.title), 8)
            canvas.drawRightString(A4[0] - doc_.rightMargin, A4[1] - 12 * mm, f"{self.title} · {self.reference}")
            canvas.setFont(font_for(footer), 7)
            canvas.drawString(doc_.leftMargin, 10 * mm, footer)
            canvas.drawRightString(A4[0] - doc_.rightMargin, 10 * mm, _("Page %(n)s") % {"n": doc_.page})
            canvas.restoreState()

        doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
        return buffer.getvalue()

    def _signature_block(self, width):
        rows = [[para(h, SMALL, bold=True) for h in
                 (_("Printed name"), _("User"), _("Meaning"), _("Signed at"), _("Reason"), _("Status"))]]
        for s in self.signatures:
            status = _("changed after signature") if getattr(s, "changed_after", False) else _("valid")
            rows.append([para(s.printed_name, SMALL), para(s.signer.get_username(), SMALL),
                         para(s.get_meaning_display(), SMALL),
                         para(timezone.localtime(s.signed_at).strftime("%Y-%m-%d %H:%M:%S %Z"), SMALL),
                         para(s.reason, SMALL), para(status, SMALL, bold=True)])
        parts = [para(_("Electronic signatures"), HEADING, bold=True)]
        if len(rows) == 1:
            parts.append(para(_("Not signed yet."), BODY))
        else:
            parts.append(_table(rows, [f * width for f in (0.18, 0.12, 0.13, 0.2, 0.25, 0.12)], header=True))
        return KeepTogether(parts)


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
