"""Home panels of regulatory officers: the matrix's warnings — certifications expiring within 30 / 90 days,
suspended ones, and required kinds nothing valid covers (regulatory.matrix)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regulatory.kinds import kind_label

LIMIT = 10


def home_panels(request) -> list[dict]:
    from regulatory import matrix

    if not request.user.has_perm("regulatory.change_certification"):
        return verification_panels(request, timezone.localdate())
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
                                  % {"product": p.code, "market": m.code, "kind": kind_label(code)}, "url": url}
                                 for p, m, code in missing[:LIMIT]]})
    panels.extend(verification_panels(request, today))
    return panels


def verification_panels(request, today) -> list[dict]:
    """The work queue of IVDR batch verification: released class D lots without a record, and pending ones with
    their 30-day clock (constant queries)."""
    from regulatory.models import BatchVerification
    from regulatory.services import released_lots_awaiting_verification

    if not request.user.has_perm("regulatory.view_batchverification"):
        return []
    panels = []
    waiting = list(released_lots_awaiting_verification(limit=LIMIT))
    if waiting and request.user.has_perm("regulatory.add_batchverification"):
        url = reverse("regulatory:verification-create")
        panels.append({"title": _("Released lots to send to the notified body"), "level": "warning",
                       "items": [{"text": _("%(lot)s (%(product)s, class %(cls)s)")
                                  % {"lot": b.lot_number, "product": b.product.code, "cls": b.product.ivdr_class},
                                  "url": f"{url}?batch={b.lot_number}"} for b in waiting]})
    pending = list(BatchVerification.objects.filter(status=BatchVerification.Status.PENDING)
                   .select_related("batch").order_by("reports_sent_on", "pk")[:LIMIT])
    if pending:
        panels.append({"title": _("Batch verifications pending"), "level": "info",
                       "items": [{"text": verification_text(v, today), "url": v.get_absolute_url()}
                                 for v in pending]})
    return panels


def verification_text(v, today) -> str:
    end = v.clock_ends_on()
    if end is None:
        return _("%(lot)s: reports or samples not yet sent") % {"lot": v.batch.lot_number}
    if end <= today:
        return _("%(lot)s: no objection by %(end)s — may ship") % {"lot": v.batch.lot_number, "end": end.isoformat()}
    return _("%(lot)s: %(days)s days left (until %(end)s)") % {"lot": v.batch.lot_number, "days": (end - today).days,
                                                              "end": end.isoformat()}
