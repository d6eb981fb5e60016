"""Home panels of QC and QA (the work queue): batches awaiting QC, inspections awaiting review or approval, open
deviations with their age."""

from django.urls import reverse
from django.utils.translation import gettext as _

LIMIT = 10


def home_panels(request) -> list[dict]:
    from production.models import Batch
    from qc.models import Deviation, Inspection

    user = request.user
    panels = []
    if user.has_perm("qc.add_inspection"):
        batches = list(Batch.objects.filter(status=Batch.Status.AWAITING_QC).order_by("completed_at")[:LIMIT])
        if batches:
            url = reverse("qc:inspection-create")
            panels.append({"title": _("Batches awaiting QC"), "level": "info",
                           "items": [{"text": b.lot_number, "url": f"{url}?batch={b.lot_number}"} for b in batches]})
        to_review = list(Inspection.objects.filter(status=Inspection.Status.RECORDED).exclude(recorded_by=user)
                         .select_related("batch", "material_lot__material")[:LIMIT])
        if to_review and user.has_perm("qc.review_inspection"):
            panels.append({"title": _("Inspections awaiting review"), "level": "warning",
                           "items": [{"text": str(i), "url": i.get_absolute_url()} for i in to_review]})
    if user.has_perm("qc.approve_inspection"):
        waiting = list(Inspection.objects.filter(status=Inspection.Status.REVIEWED)
                       .select_related("batch", "material_lot__material")[:LIMIT])
        if waiting:
            panels.append({"title": _("Inspections awaiting approval"), "level": "warning",
                           "items": [{"text": str(i), "url": i.get_absolute_url()} for i in waiting]})
    if user.has_perm("qc.close_deviation"):
        open_ = list(Deviation.objects.exclude(status=Deviation.Status.CLOSED).order_by("opened_at")[:LIMIT])
        if open_:
            panels.append({"title": _("Open deviations"), "level": "danger",
                           "items": [{"text": _("%(dev)s (%(days)s days)") % {"dev": d, "days": d.age_days},
                                      "url": d.get_absolute_url()} for d in open_]})
    return panels
