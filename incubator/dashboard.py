from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.models import Milestone
from lims.roles import has_role

SHOWN = 8


def home_panels(request) -> list[dict]:
    """Incubator managers see the overdue milestones of the portfolio (two queries, whatever the count)."""
    if not has_role(request.user, "Incubator") or not request.user.has_perm("incubator.view_milestone"):
        return []
    today = timezone.localdate()
    overdue = Milestone.objects.overdue(today).select_related("project").order_by("due_on")
    rows = list(overdue[:SHOWN + 1])
    if not rows:
        return []
    items = [{"text": _("%(project)s: %(title)s (due %(due)s)") % {
        "project": m.project.code, "title": m.title, "due": m.due_on.isoformat()},
        "url": m.project.get_absolute_url()} for m in rows[:SHOWN]]
    if len(rows) > SHOWN:
        items.append({"text": _("All overdue milestones …"),
                      "url": reverse("incubator:milestone-list") + "?overdue=true"})
    return [{"title": _("Overdue incubator milestones"), "level": "warning", "items": items}]
