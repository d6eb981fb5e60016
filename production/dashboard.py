"""Home page panel of the production staff: batches in production and awaiting QC, component lots about to
expire (DESIGN.md, Users: Production)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lims.roles import has_role
from production.models import Batch, MaterialLot

EXPIRY_WARNING_DAYS = 30


def home_panels(request):
    user = request.user
    if not has_role(user, "Production"):
        return []
    counts = Batch.objects.aggregate(
        in_production=Count("pk", filter=Q(status=Batch.Status.IN_PRODUCTION)),
        awaiting_qc=Count("pk", filter=Q(status=Batch.Status.AWAITING_QC)))
    expiring = MaterialLot.objects.expiring_within(EXPIRY_WARNING_DAYS).count()
    batches = reverse("production:batch-list")
    items = [
        {"text": ngettext("%(n)s batch in production", "%(n)s batches in production", counts["in_production"])
         % {"n": counts["in_production"]}, "url": f"{batches}?status={Batch.Status.IN_PRODUCTION}"},
        {"text": ngettext("%(n)s batch awaiting QC", "%(n)s batches awaiting QC", counts["awaiting_qc"])
         % {"n": counts["awaiting_qc"]}, "url": f"{batches}?status={Batch.Status.AWAITING_QC}"},
        {"text": ngettext("%(n)s component lot expires within %(days)s days",
                          "%(n)s component lots expire within %(days)s days", expiring)
         % {"n": expiring, "days": EXPIRY_WARNING_DAYS}, "url": reverse("production:materiallot-list")},
    ]
    return [{"title": _("Production"), "level": "warning" if expiring else "info", "items": items}]
