"""QC background work (lims.tasks): the daily look for deviations and CAPAs past due."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.tasks import Periodic, register_periodic

# A deviation still open this many days after it was opened is past due. EU GMP Part I §1.4(xiv) asks for
# deviations to be investigated in a timely way without a number; 30 days is the usual default of a site's
# deviation procedure (e.g. PIC/S PI 054 examples), kept as data to be set by the site's own SOP.
DEVIATION_DUE_DAYS = 30


def deviations_past_due(ctx, *, now=None) -> int:
    from lims.notifications import notify
    from qc.models import Capa, Deviation

    now = now or timezone.now()
    sent = 0
    for dev in Deviation.objects.exclude(status=Deviation.Status.CLOSED).filter(
            opened_at__lt=now - timedelta(days=DEVIATION_DUE_DAYS)).order_by("pk"):
        sent += notify("qc.deviation_past_due", dev, key=f"deviation-past-due:{dev.pk}", params={
            "deviation": str(dev), "opened": timezone.localtime(dev.opened_at).date().isoformat(),
            "days": DEVIATION_DUE_DAYS}) is not None
    for capa in Capa.objects.filter(done=False, due_date__lt=timezone.localdate(now)).select_related("deviation") \
            .exclude(deviation__status=Deviation.Status.CLOSED).order_by("pk"):
        sent += notify("qc.deviation_past_due", capa.deviation, key=f"capa-past-due:{capa.pk}:{capa.due_date}",
                       params={"deviation": str(capa.deviation), "capa": capa.action[:80],
                               "due": capa.due_date.isoformat()}) is not None
    if ctx is not None:
        ctx.save_result(data={"notified": sent})
    return sent


register_periodic(Periodic("qc.deviations_past_due", _("Deviations and CAPAs past due"), deviations_past_due,
                           schedule={"hour": 7, "minute": 10}))
