"""Home panels of QC and QA (the work queue): batches awaiting QC, inspections awaiting review or approval, open
deviations with their age. Each shows the oldest ``LIMIT``, how many there are, and a link to the whole list."""

from django.urls import reverse
from django.utils.translation import gettext as _

LIMIT = 10


def _queue(qs):
    """The first ``LIMIT`` rows and the total (counted only when there are more than shown)."""
    rows = list(qs[:LIMIT + 1])
    count = qs.count() if len(rows) > LIMIT else len(rows)
    return rows[:LIMIT], count


def home_panels(request) -> list[dict]:
    from production.models import Batch
    from qc.models import Deviation, Inspection

    user = request.user
    panels = []
    if user.has_perm("qc.add_inspection"):
        batches, count = _queue(Batch.objects.filter(status=Batch.Status.AWAITING_QC).select_related("product")
                                .order_by("completed_at", "pk"))
        if batches:
            panels.append({"title": _("Batches awaiting QC"), "level": "info", "count": count,
                           "more_url": f"{reverse('production:batch-list')}?status={Batch.Status.AWAITING_QC}",
                           "items": _awaiting_qc_items(batches)})
        if user.has_perm("qc.review_inspection"):
            to_review, count = _queue(Inspection.objects.filter(status=Inspection.Status.RECORDED)
                                      .exclude(recorded_by=user).select_related("batch", "material_lot__material")
                                      .order_by("recorded_at", "pk"))
            if to_review:
                panels.append({"title": _("Inspections awaiting review"), "level": "warning", "count": count,
                               "more_url": f"{reverse('qc:inspection-list')}?status={Inspection.Status.RECORDED}",
                               "items": [{"text": str(i), "url": i.get_absolute_url()} for i in to_review]})
    if user.has_perm("qc.approve_inspection"):
        waiting, count = _queue(Inspection.objects.filter(status=Inspection.Status.REVIEWED)
                                .select_related("batch", "material_lot__material").order_by("recorded_at", "pk"))
        if waiting:
            panels.append({"title": _("Inspections awaiting approval"), "level": "warning", "count": count,
                           "more_url": f"{reverse('qc:inspection-list')}?status={Inspection.Status.REVIEWED}",
                           "items": [{"text": str(i), "url": i.get_absolute_url()} for i in waiting]})
    if user.has_perm("qc.close_deviation"):
        open_, count = _queue(Deviation.objects.exclude(status=Deviation.Status.CLOSED).order_by("opened_at", "pk"))
        if open_:
            panels.append({"title": _("Open deviations"), "level": "danger", "count": count,
                           "more_url": f"{reverse('qc:deviation-list')}?open=true",
                           "items": [{"text": _("%(dev)s (%(days)s days)") % {"dev": d, "days": d.age_days},
                                      "url": d.get_absolute_url()} for d in open_]})
    return panels


def _awaiting_qc_items(batches):
    """A batch without a release inspection opens the inspection form for it; a batch whose release inspection is
    recorded already opens that inspection and says where it stands (a second form would start it again)."""
    from qc.models import Inspection, Stage

    create = reverse("qc:inspection-create")
    current = {}
    for inspection in (Inspection.objects.filter(batch__in=batches, stage=Stage.RELEASE)
                       .exclude(status=Inspection.Status.INVALIDATED).order_by("recorded_at", "pk")):
        current[inspection.batch_id] = inspection  # the latest one
    items = []
    for b in batches:
        inspection = current.get(b.pk)
        if inspection is None:
            items.append({"text": f"{b.lot_number} · {b.product.code}", "url": f"{create}?batch={b.lot_number}"})
        else:
            items.append({"text": _("%(lot)s · %(product)s — release inspection: %(status)s") % {
                "lot": b.lot_number, "product": b.product.code, "status": inspection.get_status_display()},
                "url": inspection.get_absolute_url()})
    return items
