"""Export eligibility (DESIGN.md, Eligibility; DOMAIN.md §7): may this lot go to this market on this date?

``eligibility`` returns every failing reason with a stable code, never only the first:

- ``not_released`` — the lot is not released (planned, in production, awaiting QC, quarantined);
- ``rejected`` — the lot was rejected;
- ``expired`` — the lot's expiry date is before the date;
- ``short_shelf_life`` — fewer days of shelf life remain than the market's minimum (both numbers given);
- ``no_rule`` — the market has no rule set in force on the date;
- ``no_certification`` — one per required kind without an active certification valid on the date;
- ``certification_suspended`` — the certification of a required kind covering the date is suspended;
- ``batch_verification_pending`` / ``batch_verification_objected`` — a lot of an IVDR class the market rule
  sends to notified-body batch verification (IVDR Annex IX §4.13) that is neither confirmed nor past the body's
  objection period without objection, or that the body objected to;
- ``pilot_not_covered`` — a pilot lot where no valid certification covers pilot lots;
- ``nothing_to_ship`` — a released lot whose released quantity is all shipped.

``evaluate`` also lists every check made (passed or not) and the warnings that do not refuse.
"""

from django.utils.translation import gettext as _

from production.models import Batch
from regulatory.kinds import check_label, gate_label
from regulatory.models import BatchVerification, Certification, CertificationKind, MarketRule

_UNSET = object()

# A certification whose validity ends within this many days of the ship date is reported as a warning
# (DESIGN.md, Runs on: "a certification ending within 90 / 30 / 7 days").
ENDING_WARNING_DAYS = 90


def verification_classes(rule) -> set[str]:
    """The IVDR classes the rule sends to notified-body batch verification ("D", "C,D" …)."""
    return {c for c in (rule.batch_verification_classes or "").upper() if c in "ABCD"} if rule else set()


def evaluate(batch, market, on_date, *, rule=_UNSET, kinds=None, certifications=None,
             verification=_UNSET) -> dict:
    """``{"eligible", "reasons", "checks", "warnings"}``: every check evaluated with its outcome (``checks``:
    code, passed, detail, and ``label``, the check's name), every failing reason with its stable code, and the
    warnings that do not refuse (a certification ending within 90 days, one in its grace period).

    ``rule``, ``kinds`` (code → CertificationKind), ``certifications`` (of this product × market) and
    ``verification`` (the lot's BatchVerification or None) may be given by a caller that loaded them in bulk (the
    summary page); otherwise they are queried."""
    checks, reasons, warnings = [], [], []

    def check(code, passed, detail, failure="", **extra):
        checks.append({"code": code, "label": check_label(code), "passed": passed, "detail": detail, **extra})
        if not passed:
            reasons.append({"code": failure, "label": gate_label(failure), "detail": detail})

    lot = batch.lot_number
    released = batch.status == Batch.Status.RELEASED
    if batch.status == Batch.Status.REJECTED:
        check("release", False, _("Lot %(lot)s was rejected.") % {"lot": lot}, "rejected")
    elif not released:
        check("release", False, _("Lot %(lot)s is not released (%(status)s).")
              % {"lot": lot, "status": batch.get_status_display()}, "not_released")
    else:
        check("release", True, _("Lot %(lot)s is released.") % {"lot": lot})
    remaining = (batch.expiry_date - on_date).days
    if remaining < 0:
        check("expiry", False, _("Lot %(lot)s expired on %(expiry)s.")
              % {"lot": lot, "expiry": batch.expiry_date.isoformat()}, "expired")
    else:
        check("expiry", True, _("Lot %(lot)s expires on %(expiry)s.")
              % {"lot": lot, "expiry": batch.expiry_date.isoformat()})
    minimum = market.min_remaining_shelf_life_days
    params = {"days": remaining, "date": on_date.isoformat(), "market": market.code, "minimum": minimum}
    if remaining < minimum:
        check("shelf_life", False, _("%(days)s days of shelf life remain on %(date)s; %(market)s requires at least "
                                     "%(minimum)s.") % params, "short_shelf_life")
    else:
        check("shelf_life", True, _("%(days)s days of shelf life remain on %(date)s; %(market)s requires at "
                                    "least %(minimum)s.") % params)
    if rule is _UNSET:
        rule = market.rule_on(on_date)
    if rule is None:
        check("market_rule", False, _("%(market)s has no rule set in force on %(date)s.")
              % {"market": market.code, "date": on_date.isoformat()}, "no_rule")
    else:
        check("market_rule", True, _("%(market)s rule version %(version)s (from %(from)s): %(source)s.")
              % {"market": market.code, "version": rule.version_number, "from": rule.valid_from.isoformat(),
                 "source": rule.source})
        _certification_checks(batch, market, on_date, rule, kinds, certifications, check, warnings)
        if batch.product.ivdr_class in verification_classes(rule):
            if verification is _UNSET:
                verification = BatchVerification.objects.filter(batch=batch).first()
            _verification_check(batch, on_date, verification, check)
    if released:
        left = batch.quantity_released - batch.quantity_shipped
        if left <= 0:
            check("quantity", False, _("All %(n)s released kits of lot %(lot)s are shipped.")
                  % {"n": batch.quantity_released, "lot": lot}, "nothing_to_ship")
        else:
            check("quantity", True, _("%(n)s kits of lot %(lot)s are released and not yet shipped.")
                  % {"n": left, "lot": lot})
    for warning in warnings:
        warning["label"] = gate_label(warning["code"])
    return {"eligible": not reasons, "reasons": reasons, "checks": checks, "warnings": warnings}


def _certification_checks(batch, market, on_date, rule, kinds, certifications, check, warnings):
    if certifications is None:
        certifications = list(Certification.objects.filter(product_id=batch.product_id, market=market,
                                                           kind__code__in=rule.required_kinds))
    if kinds is None:
        kinds = {k.code: k for k in CertificationKind.objects.filter(code__in=rule.required_kinds)}
    valid = []
    for kind in [kinds[c] for c in rule.required_kinds if c in kinds]:
        covering = [c for c in certifications if c.kind_id == kind.pk and c.covers(on_date)]
        active = [c for c in covering if c.status == Certification.Status.ACTIVE]
        if active:
            # the one that lasts longest decides the warnings
            cert = max(active, key=lambda c: (c.grace_until or c.valid_until or on_date.max))
            valid.extend(active)
            if cert.valid_until:
                detail = _("%(kind)s %(number)s is active, valid until %(until)s.") % {
                    "kind": kind.label, "number": cert.number, "until": cert.valid_until.isoformat()}
            else:
                detail = _("%(kind)s %(number)s is active, without end date.") % {"kind": kind.label,
                                                                                   "number": cert.number}
            check("certification", True, detail, kind=kind.code)
            if cert.in_grace(on_date):
                warnings.append({"code": "in_grace_period", "detail": _(
                    "%(kind)s %(number)s ended on %(until)s and counts only during its grace period, until "
                    "%(grace)s.") % {"kind": kind.label, "number": cert.number, "until": cert.valid_until.isoformat(),
                                     "grace": cert.grace_until.isoformat()}})
            elif cert.valid_until and (cert.valid_until - on_date).days <= ENDING_WARNING_DAYS:
                warnings.append({"code": "certification_ending", "detail": _(
                    "%(kind)s %(number)s ends on %(until)s, %(days)s days after %(date)s.")
                    % {"kind": kind.label, "number": cert.number, "until": cert.valid_until.isoformat(),
                       "days": (cert.valid_until - on_date).days, "date": on_date.isoformat()}})
            continue
        # suspended, or the only certifications covering the date are suspended / withdrawn
        suspended = [c for c in covering if c.status == Certification.Status.SUSPENDED]
        if not suspended and covering and all(c.status == Certification.Status.WITHDRAWN for c in covering):
            suspended = covering
        if suspended:
            check("certification", False, _("The %(kind)s certification %(number)s is %(status)s.")
                  % {"kind": kind.label, "number": suspended[0].number,
                     "status": suspended[0].get_status_display()}, "certification_suspended", kind=kind.code)
        else:
            check("certification", False, _("No active %(kind)s certification (%(code)s) valid on %(date)s for "
                                            "%(product)s in %(market)s.")
                  % {"kind": kind.label, "code": kind.code, "date": on_date.isoformat(),
                     "product": batch.product.code, "market": market.code}, "no_certification", kind=kind.code)
    if batch.kind == Batch.Kind.PILOT:
        covering_pilot = [c for c in valid if c.covers_pilot_lots]
        if covering_pilot:
            check("pilot_lot", True, _("Pilot lot: %(number)s explicitly covers pilot lots.")
                  % {"number": covering_pilot[0].number})
        else:
            check("pilot_lot", False, _("Lot %(lot)s is a pilot lot and no valid certification of %(product)s in "
                                        "%(market)s covers pilot lots.")
                  % {"lot": batch.lot_number, "product": batch.product.code, "market": market.code},
                  "pilot_not_covered")
    else:
        check("pilot_lot", True, _("A commercial lot: the pilot-lot rule does not apply."))


def _verification_check(batch, on_date, verification, check):
    """IVDR Annex IX §4.13: confirmed, or no objection within the body's period after the later sent date."""
    lot = batch.lot_number
    if verification is None:
        check("batch_verification", False, _(
            "Lot %(lot)s is of class %(cls)s: no batch verification has been opened with the notified body.")
            % {"lot": lot, "cls": batch.product.ivdr_class}, "batch_verification_pending")
        return
    v = verification
    if v.status == BatchVerification.Status.OBJECTED:
        check("batch_verification", False, _("The notified body objected to lot %(lot)s on %(date)s: %(reason)s")
              % {"lot": lot, "date": v.decided_on.isoformat() if v.decided_on else "", "reason": v.objection_reason},
              "batch_verification_objected")
    elif v.status == BatchVerification.Status.CONFIRMED and v.allows(on_date):
        check("batch_verification", True, _("The notified body confirmed lot %(lot)s on %(date)s.")
              % {"lot": lot, "date": v.decided_on.isoformat() if v.decided_on else ""})
    elif v.allows(on_date):
        check("batch_verification", True, _(
            "No objection from the notified body within %(days)s days of %(start)s (period ended on %(end)s).")
            % {"days": v.objection_days, "start": v.clock_start().isoformat(), "end": v.clock_ends_on().isoformat()})
    elif v.clock_start() is None:
        check("batch_verification", False, _(
            "Batch verification of lot %(lot)s is pending: the test reports%(samples)s are not yet sent to the "
            "notified body.") % {"lot": lot, "samples": _(" and samples") if v.samples_required else ""},
            "batch_verification_pending")
    else:
        end = v.clock_ends_on()
        check("batch_verification", False, _(
            "Batch verification of lot %(lot)s is pending: the notified body may object until %(end)s "
            "(%(days)s days left).") % {"lot": lot, "end": end.isoformat(),
                                        "days": max(0, (end - on_date).days)}, "batch_verification_pending")


def eligibility(batch, market, on_date, **loaded) -> tuple[bool, list[dict]]:
    """``(eligible, reasons)`` of ``evaluate``."""
    result = evaluate(batch, market, on_date, **loaded)
    return result["eligible"], result["reasons"]


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
    verifications = {v.batch_id: v for v in BatchVerification.objects.filter(batch__in=batches)}
    summary = []
    for market in markets:
        rule = rules.get(market.pk)
        lots = [b for b in batches
                if eligibility(b, market, on_date, rule=rule, kinds=kinds,
                               certifications=certs.get((b.product_id, market.pk), []),
                               verification=verifications.get(b.pk))[0]]
        summary.append((market, lots))
    return summary


def eligible_markets(batch, on_date, *, verification=_UNSET) -> list:
    """The markets ``batch`` may be shipped to on ``on_date`` (every check passes but ``nothing_to_ship``), by
    code: the shipment form preselects the first. ``verification``: the lot's BatchVerification (or None), when
    the caller has loaded it. Markets, their rules in force, the kinds, the product's
    certifications and the lot's verification are each loaded once, whatever the number of markets."""
    from regulatory.models import Market

    markets = list(Market.objects.order_by("code"))
    rules = rules_in_force(markets, on_date)
    kinds = {k.code: k for k in CertificationKind.objects.all()}
    certs = {}
    for cert in Certification.objects.filter(product_id=batch.product_id, market__in=markets):
        certs.setdefault(cert.market_id, []).append(cert)
    if verification is _UNSET:
        verification = BatchVerification.objects.filter(batch=batch).first()
    found = []
    for market in markets:
        _ok, reasons = eligibility(batch, market, on_date, rule=rules.get(market.pk), kinds=kinds,
                                   certifications=certs.get(market.pk, []), verification=verification)
        if all(r["code"] == "nothing_to_ship" for r in reasons):
            found.append(market)
    return found
