"""Factories of every tracked regulatory model, each through the services (used by
tests/core/test_every_model_audited.py and the regulatory tests), plus a released batch."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from lims.services import create_record
from qc import services as qc
from regulatory import services
from regulatory.models import Certification, CertificationKind, Market, MarketRule, Shipment
from tests.qc.factories import PASSWORD, make_batch, make_product

_numbers = itertools.count(1)
_letters = (f"{a}{b}" for a in "QRSTVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def make_market(user, reason="test", **overrides):
    data = {"code": next(_letters), "name": "Testland", "authority": "Test Agency",
            "min_remaining_shelf_life_days": 180, "label_languages": "en", **overrides}
    return create_record(Market, data, user=user, reason=reason)


def make_kind(user, reason="test", **overrides):
    n = next(_numbers)
    data = {"code": f"kind-{n}", "name": f"Registration {n}", **overrides}
    return create_record(CertificationKind, data, user=user, reason=reason)


def make_rule(user, reason="test", *, market=None, kinds=None, valid_from=date(2020, 1, 1), version_number=1):
    market = market or make_market(user, reason)
    kinds = kinds if kinds is not None else [make_kind(user, reason)]
    return create_record(MarketRule, {"market": market, "version_number": version_number, "valid_from": valid_from,
                                      "required_kinds": [k.code for k in kinds], "source": "Test regulation 1/2020"},
                         user=user, reason=reason)


def make_certification(user, reason="test", *, product=None, market=None, kind=None, status="active",
                       valid_from=date(2020, 1, 1), valid_until=None):
    data = {"product": product or make_product(user, reason), "market": market or make_market(user, reason),
            "kind": kind or make_kind(user, reason), "number": f"CERT-{next(_numbers)}", "issuing_body": "Body",
            "valid_from": valid_from, "valid_until": valid_until, "status": status}
    return services.create_certification(data, user=user, reason=reason)


def make_released_batch(user, reason="test", *, product=None, made=1000, released=None):
    """A released batch of a product without release specifications (nothing to inspect), disposed by ``user``."""
    batch = make_batch(user, reason, product=product, made=made)
    qc.dispose_batch(batch, decision="release", quantity_released=released, password=PASSWORD, user=user,
                     reason=reason)
    batch.refresh_from_db()
    return batch


def eligible_setup(user, reason="test", *, made=1000):
    """A released batch, a market requiring one kind and an active certification of it: eligible today."""
    batch = make_released_batch(user, reason, made=made)
    market = make_market(user, reason)
    kind = make_kind(user, reason)
    make_rule(user, reason, market=market, kinds=[kind])
    make_certification(user, reason, product=batch.product, market=market, kind=kind)
    return batch, market, kind


def make_shipment(user, reason="test"):
    batch, market, _kind = eligible_setup(user, reason)
    return services.record_shipment(batch=batch, market=market, quantity=10, shipped_on=timezone.localdate(),
                                    consignee="Importer Ltd", user=user, reason=reason)


FACTORIES = {
    Market: make_market,
    CertificationKind: make_kind,
    MarketRule: make_rule,
    Certification: make_certification,
    Shipment: make_shipment,
}

__all__ = ["FACTORIES", "PASSWORD", "eligible_setup", "make_released_batch", "timedelta"]
