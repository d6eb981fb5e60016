"""The lab's label template: the sample tube label (a plain DataMatrix of the sample barcode with the barcode,
assay, client and arrival), registered into the label engine from ``LabConfig.ready()``; what a sample's tube
label carries, and printing it from the sample's page (a POST, recorded as a ``TubeLabelPrint``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from lab.models import Sample, TubeLabelPrint
from lims.audit import service
from lims.labels import render_labels
from lims.labels.barcodes import draw_datamatrix
from lims.labels.fonts import LATIN, font_for
from lims.labels.layout import Box, draw_line
from lims.labels.templates import LabelTemplate, register_template
from lims.listing import RolePageMixin


@dataclass(frozen=True, kw_only=True)
class TubeLabelData:
    """A laboratory sample tube label: the sample's barcode, its client, the assay ordered and when it arrived."""

    barcode: str
    client: str
    assay: str
    received_at: datetime

    def __post_init__(self) -> None:
        if not self.barcode.strip():
            raise ValueError("A sample tube label needs the sample's barcode.")


def draw_tube_label(canvas: Canvas, box: Box, data: TubeLabelData) -> None:
    """A sample tube label: a plain DataMatrix of the sample barcode with the barcode, assay, client and arrival."""
    scale = min(box.width / (50 * mm), box.height / (25 * mm))
    area = box.inset(1.5 * mm * scale)
    code_size = min(area.height, 15 * mm * scale)
    draw_datamatrix(canvas, data.barcode, area.x, area.y + (area.height - code_size) / 2, code_size)
    text_x = area.x + code_size + 1.5 * mm * scale
    text = Box(text_x, area.y, area.right - text_x, area.height)
    lines = (
        (data.barcode, font_for(data.barcode, bold=True), 11),
        (data.assay, font_for(data.assay), 8),
        (data.client, font_for(data.client), 8),
        (f"Received {data.received_at:%Y-%m-%d %H:%M}", LATIN, 7),
    )
    line_height = text.height / len(lines)
    for index, (value, font, size) in enumerate(lines):
        line_box = Box(text.x, text.top - (index + 1) * line_height, text.width, line_height)
        draw_line(canvas, value, line_box, font=font, max_size=size * scale)


TUBE = register_template(
    LabelTemplate(
        name="tube",
        title="Sample tube labels",
        data_type=TubeLabelData,
        default_stock="roll-50x25",
        allowed_stocks=("roll-50x25", "a4-3x8"),
        prints_chinese=False,
        draw=draw_tube_label,
    )
)


# --- printing a sample's tube label ------------------------------------------------------------------------

MAX_TUBE_COPIES = 20


def tube_label_data(sample) -> TubeLabelData:
    return TubeLabelData(barcode=sample.barcode, client=sample.client.name, assay=sample.assay.name,
                         received_at=timezone.localtime(sample.received_at))


@service
def print_tube_label(sample, copies=1, *, user, reason: str = "") -> TubeLabelPrint:
    """Record a print of the sample's tube label (``copies`` labels); the PDF is rendered from the record."""
    try:
        copies = int(copies)
    except (TypeError, ValueError):
        copies = 0
    if not 1 <= copies <= MAX_TUBE_COPIES:
        raise ValidationError({"copies": [_("Print between 1 and %(max)s labels.") % {"max": MAX_TUBE_COPIES}]})
    return TubeLabelPrint.objects.create(sample=sample, copies=copies, stock=TUBE.default_stock, printed_by=user,
                                         printed_at=timezone.now())


def tube_label_pdf(record: TubeLabelPrint) -> bytes:
    return render_labels("tube", [tube_label_data(record.sample)], record.stock, record.copies, author="LIMS lab")


class SampleTubeLabel(RolePageMixin, View):
    """POST (CSRF, ``copies``) from the sample's page: print its tube label → the PDF; every POST is a recorded
    print."""

    permission_required = "lab.add_tubelabelprint"
    http_method_names = ["post"]

    def post(self, request, pk):
        sample = get_object_or_404(Sample.objects.restrict(request.user).select_related("client", "assay"), pk=pk)
        try:
            record = print_tube_label(sample, request.POST.get("copies") or 1, user=request.user,
                                      reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
            return redirect(sample.get_absolute_url())
        response = HttpResponse(tube_label_pdf(record), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="tube-{sample.barcode}-{record.pk}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
