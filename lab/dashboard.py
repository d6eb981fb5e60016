from django.utils.translation import gettext as _

from lab.throughput import open_samples_beyond_target
from lims.roles import has_role

SHOWN = 8


def home_panels(request) -> list[dict]:
    """Lab staff see the open samples already beyond their assay's turnaround target (one query)."""
    if not has_role(request.user, "Lab") or not request.user.has_perm("lab.view_sample"):
        return []
    late = open_samples_beyond_target()
    if not late:
        return []
    items = [{"text": _("%(barcode)s · %(assay)s · %(client)s: %(hours)s h beyond the target") % {
        "barcode": s.barcode, "assay": s.assay.code, "client": s.client.code, "hours": f"{over:.1f}"},
        "url": s.get_absolute_url()} for s, over in late[:SHOWN]]
    if len(late) > SHOWN:
        items.append({"text": _("%(n)s more …") % {"n": len(late) - SHOWN}, "url": None})
    return [{"title": _("Lab backlog beyond the turnaround target (%(n)s samples)") % {"n": len(late)},
             "level": "warning", "items": items}]
