"""Home page panel: open and unassessed excursions for Production and QA users (DESIGN.md, Environmental
reading: QA must know at once when the room leaves its limits)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lims.roles import has_role
from production.monitoring.models import Excursion


def home_panels(request):
    user = request.user
    if not has_role(user, "Production", "QA") or not user.has_perm("monitoring.view_excursion"):
        return []
    counts = Excursion.objects.aggregate(
        open=Count("pk", filter=Q(ended_at__isnull=True)),
        open_action=Count("pk", filter=Q(ended_at__isnull=True, level=Excursion.Level.ACTION)),
        unassessed=Count("pk", filter=Q(level=Excursion.Level.ACTION, assessment__isnull=True)))
    if not (counts["open"] or counts["unassessed"]):
        return []
    url = reverse("monitoring:excursion-list")
    items = []
    if counts["open"]:
        items.append({"text": ngettext("%(n)s clean-room excursion in progress (%(a)s at action level)",
                                       "%(n)s clean-room excursions in progress (%(a)s at action level)",
                                       counts["open"]) % {"n": counts["open"], "a": counts["open_action"]},
                      "url": f"{url}?open=true"})
    if counts["unassessed"]:
        items.append({"text": ngettext("%(n)s action-level excursion awaits QA's impact assessment",
                                       "%(n)s action-level excursions await QA's impact assessment",
                                       counts["unassessed"]) % {"n": counts["unassessed"]},
                      "url": f"{url}?level=action&assessed=false"})
    level = "danger" if counts["open_action"] or counts["unassessed"] else "warning"
    return [{"title": _("Clean-room environment"), "level": level, "items": items}]
