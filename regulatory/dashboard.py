"""Home panels of regulatory officers: the matrix's warnings — certifications expiring within 30 / 90 days,
suspended ones, and required kinds nothing valid covers (regulatory.matrix)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

LIMIT = 10


def home_panels(request) -> list[dict]:
    from regulatory import matrix

    if not request.user.has_perm("regulatory.change_certification"):
        return []
    today = timezone.localdate()
    expiring, suspended, missing = matrix.warnings(today)
    panels = []

    def item(c):
        return {"text": _("%(cert)s (%(product)s, %(market)s) until %(until)s")
                % {"cert": c, "product": c.product.code, "market": c.market.code,
                   "until": c.valid_until.isoformat()}, "url": c.get_absolute_url()}

    soon = [c for c in expiring if (c.valid_until - today).days <= 30]
    later = [c for c in expiring if (c.valid_until - today).days > 30]
    if soon:
        panels.append({"title": _("Certifications expiring within 30 days"), "level": "danger",
                       "items": [item(c) for c in soon[:LIMIT]]})
    if later:
        panels.append({"title": _("Certifications expiring within 90 days"), "level": "warning",
                       "items": [item(c) for c in later[:LIMIT]]})
    if suspended:
        panels.append({"title": _("Suspended certifications"), "level": "danger",
                       "items": [{"text": _("%(cert)s (%(product)s, %(market)s)")
                                  % {"cert": c, "product": c.product.code, "market": c.market.code},
                                  "url": c.get_absolute_url()} for c in suspended[:LIMIT]]})
    if missing:
        url = reverse("regulatory:matrix")
        panels.append({"title": _("Missing certifications"), "level": "warning",
                       "items": [{"text": _("%(product)s → %(market)s: %(kind)s")
                                  % {"product": p.code, "market": m.code, "kind": code}, "url": url}
                                 for p, m, code in missing[:LIMIT]]})
    return panels
