"""Export eligibility (DESIGN.md, Eligibility; DOMAIN.md §7): may this lot go to this market on this date?

``eligibility`` returns every failing reason with a stable code, never only the first:

- ``not_released`` — the lot is not released (planned, in production, awaiting QC, quarantined);
- ``rejected`` — the lot was rejected;
- ``expired`` — the lot's expiry date is before the date;
- ``short_shelf_life`` — fewer days of shelf life remain than the market's minimum (both numbers given);
- ``no_rule`` — the market has no rule set in force on the date;
- ``no_certification`` — one per required kind without an active certification valid on the date;
- ``certification_suspended`` — the certification of a required kind covering the date is suspended;
- ``nothing_to_ship`` — a released lot whose released quantity is all shipped.
"""

from django.utils.translation import gettext as _

from production.models import Batch
from regulatory.models import Certification, CertificationKind, MarketRule

_UNSET = object()


def eligibility(batch, market, on_date, *, rule=_UNSET, kinds=None, certifications=None) -> tuple[bool, list[dict]]:
    """``(eligible, reasons)``. ``rule``, ``kinds`` (code → CertificationKind) and ``certifications`` (of this
    product × market) may be given by a caller that loaded them in bulk (the summary page); otherwise they are
    queried."""
    reasons = []
    if batch.status == Batch.Status.REJECTED:
        reasons.append({"code": "rejected", "detail": _("Lot %(lot)s was rejected.") % {"lot": batch.lot_number}})
    elif batch.status != Batch.Status.RELEASED:
        reasons.append({"code": "not_released", "detail": _("Lot %(lot)s is not released (%(status)s).")
                        % {"lot": batch.lot_number, "status": batch.get_status_display()}})
    remaining = (batch.expiry_date - on_date).days
    if remaining < 0:
        reasons.append({"code": "expired", "detail": _("Lot %(lot)s expired on %(expiry)s.")
                        % {"lot": batch.lot_number, "expiry": batch.expiry_date.isoformat()}})
    if remaining < market.min_remaining_shelf_life_days:
        reasons.append({"code": "short_shelf_life",
                        "detail": _("%(days)s days of shelf life remain on %(date)s; %(market)s requires at least "
                                    "%(minimum)s.") % {"days": remaining, "date": on_date.isoformat(),
                                                       "market": market.code,
                                                       "minimum": market.min_remaining_shelf_life_days}})
    if rule is _UNSET:
        rule = market.rule_on(on_date)
    if rule is None:
        reasons.append({"code": "no_rule", "detail": _("%(market)s has no rule set in force on %(date)s.")
                        % {"market": market.code, "date": on_date.isoformat()}})
    else:
        if certifications is None:
            certifications = list(Certification.objects.filter(product_id=batch.product_id, market=market,
                                                               kind__code__in=rule.required_kinds))
        certs = certifications
        if kinds is None:
            kinds = {k.code: k for k in CertificationKind.objects.filter(code__in=rule.required_kinds)}
        for kind in [kinds[c] for c in rule.required_kinds if c in kinds]:
            covering = [c for c in certs if c.kind_id == kind.pk and c.covers(on_date)]
            if any(c.status == Certification.Status.ACTIVE for c in covering):
                continue
            # suspended, or the only certifications covering the date are suspended / withdrawn
            suspended = [c for c in covering if c.status == Certification.Status.SUSPENDED]
            if not suspended and covering and all(c.status == Certification.Status.WITHDRAWN for c in covering):
                suspended = covering
            if suspended:
                reasons.append({"code": "certification_suspended",
                                "detail": _("The %(kind)s certification %(number)s is %(status)s.")
                                % {"kind": kind.name, "number": suspended[0].number,
                                   "status": suspended[0].get_status_display()}})
            else:
                reasons.append({"code": "no_certification",
                                "detail": _("No active %(kind)s certification (%(code)s) valid on %(date)s for "
                                            "%(product)s in %(market)s.")
                                % {"kind": kind.name, "code": kind.code, "date": on_date.isoformat(),
                                   "product": batch.product.code, "market": market.code}})
    if batch.status == Batch.Status.RELEASED and batch.quantity_released - batch.quantity_shipped <= 0:
        reasons.append({"code": "nothing_to_ship", "detail": _("All %(n)s released kits of lot %(lot)s are shipped.")
                        % {"n": batch.quantity_released, "lot": batch.lot_number}})
    return not reasons, reasons


def rules_in_force(markets, on_date):
    """market id → the rule in force on ``on_date`` (one query for all markets)."""
    rules = {}
    for rule in MarketRule.objects.filter(market__in=markets, valid_from__lte=on_date).order_by("valid_from",
                                                                                                  "version_number"):
        rules[rule.market_id] = rule
    return rules


def shippable_summary(markets, on_date, limit=500):
    """``[(market, [batch, …])]``: released lots with kits left, eligible for each market on ``on_date``.
    Computed in bulk — lots, rules, kinds and certifications are each loaded once, whatever the number of lots."""
    markets = list(markets)
    batches = list(Batch.objects.filter(status=Batch.Status.RELEASED).select_related("product")
                   .order_by("expiry_date", "lot_number")[:limit])
    batches = [b for b in batches if b.quantity_released > b.quantity_shipped]
    rules = rules_in_force(markets, on_date)
    kinds = {k.code: k for k in CertificationKind.objects.all()}
    certs = {}
    for cert in Certification.objects.filter(market__in=markets, product_id__in={b.product_id for b in batches}):
        certs.setdefault((cert.product_id, cert.market_id), []).append(cert)
    summary = []
    for market in markets:
        rule = rules.get(market.pk)
        lots = [b for b in batches
                if eligibility(b, market, on_date, rule=rule, kinds=kinds,
                               certifications=certs.get((b.product_id, market.pk), []))[0]]
        summary.append((market, lots))
    return summary
