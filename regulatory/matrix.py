"""The certification matrix (products × markets) and its warnings, shared by the matrix page and the home
panels: for each market's rule in force today, each required kind is valid, expiring within 90 or 30 days,
suspended or missing."""

from datetime import timedelta

from django.utils import timezone

from production.models import Product
from regulatory.models import Certification, CertificationKind, Market

OK, WARN_90, WARN_30, SUSPENDED, MISSING = "valid", "expires_90", "expires_30", "suspended", "missing"
LEVEL = {OK: "success", WARN_90: "warning", WARN_30: "danger", SUSPENDED: "danger", MISSING: "secondary"}


def cell_state(certs, on):
    """``(state, until, certification)``: the certification the cell links to (None: "register one")."""
    active = [c for c in certs if c.status == Certification.Status.ACTIVE and c.covers(on)]
    if active:
        open_ended = [c for c in active if c.valid_until is None]
        if open_ended:
            return OK, None, open_ended[0]
        cert = max(active, key=lambda c: c.valid_until)
        days = (cert.valid_until - on).days
        return (WARN_30 if days <= 30 else WARN_90 if days <= 90 else OK), cert.valid_until, cert
    suspended = [c for c in certs if c.status == Certification.Status.SUSPENDED and c.covers(on)]
    if suspended:
        return SUSPENDED, None, suspended[0]
    return MISSING, None, None


def build(on=None):
    """Rows of ``{"product", "cells": [{"market", "items": [{"kind", "label", "state", "until", "cert"}],
    "state"}]}``."""
    on = on or timezone.localdate()
    markets = list(Market.objects.prefetch_related("rules").order_by("code"))
    rules = {m.pk: m.rule_on(on) for m in markets}
    kinds = {k.code: k for k in CertificationKind.objects.all()}
    by_key = {}
    for cert in Certification.objects.select_related("kind").exclude(
            status__in=[Certification.Status.WITHDRAWN, Certification.Status.EXPIRED]):
        by_key.setdefault((cert.product_id, cert.market_id, cert.kind.code), []).append(cert)
    order = [MISSING, SUSPENDED, WARN_30, WARN_90, OK]
    rows = []
    for product in Product.objects.order_by("code"):
        cells = []
        for market in markets:
            rule = rules[market.pk]
            items = []
            for code in (rule.required_kinds if rule else []):
                state, until, cert = cell_state(by_key.get((product.pk, market.pk, code), []), on)
                kind = kinds.get(code)
                items.append({"kind": kind, "code": code, "label": kind.label if kind else code, "state": state,
                              "until": until, "cert": cert, "level": LEVEL[state]})
            worst = min((i["state"] for i in items), key=order.index) if items else None
            cells.append({"market": market, "items": items, "state": worst, "level": LEVEL.get(worst, "light")})
        rows.append({"product": product, "cells": cells})
    return markets, rows


def warnings(on=None):
    """(certifications expiring within 90 days, suspended ones, missing product × market × kind)."""
    on = on or timezone.localdate()
    expiring = list(Certification.objects.filter(status=Certification.Status.ACTIVE, valid_until__gte=on,
                                                 valid_until__lte=on + timedelta(days=90))
                    .select_related("product", "market", "kind").order_by("valid_until"))
    suspended = list(Certification.objects.filter(status=Certification.Status.SUSPENDED)
                     .select_related("product", "market", "kind"))
    _markets, rows = build(on)
    missing = [(row["product"], cell["market"], item["code"]) for row in rows for cell in row["cells"]
               for item in cell["items"] if item["state"] == MISSING]
    return expiring, suspended, missing
