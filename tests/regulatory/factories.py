"""Factories of every tracked regulatory model, each through the services (used by
tests/core/test_every_model_audited.py and the regulatory tests), plus a released batch."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from lims.services import create_record
from qc import services as qc
from regulatory import services
from regulatory.models import (
    BatchVerification,
    BatchVerificationDocument,
    Certification,
    CertificationKind,
    ChecklistItem,
    ChecklistTemplate,
    Document,
    Dossier,
    DossierItem,
    DossierStudy,
    Market,
    MarketRule,
    Shipment,
    ShipmentSerial,
)
from tests.conftest import sig
from tests.qc.factories import PASSWORD, make_batch, make_product, make_study

_numbers = itertools.count(1)
# Market codes are two letters: 234 of them, reused round (each test's rows are rolled back, so a code need only be
# unique within one test; a worker process that runs many regulatory test files made more than 234 in all).
_letters = itertools.cycle([f"{a}{b}" for a in "QRSTVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])


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
                       valid_from=date(2020, 1, 1), valid_until=None, covers_pilot_lots=False):
    data = {"product": product or make_product(user, reason), "market": market or make_market(user, reason),
            "kind": kind or make_kind(user, reason), "number": f"CERT-{next(_numbers)}", "issuing_body": "Body",
            "valid_from": valid_from, "valid_until": valid_until, "status": status,
            **({"covers_pilot_lots": True} if covers_pilot_lots else {})}
    return services.create_certification(data, user=user, reason=reason)


def make_released_batch(user, reason="test", *, product=None, made=1000, released=None):
    """A released batch of a product without release specifications (nothing to inspect), disposed by ``user``."""
    batch = make_batch(user, reason, product=product, made=made)
    qc.dispose_batch(batch, decision="release", quantity_released=released, **sig(user), user=user,
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


def make_template(user, reason="test", *, items=3):
    n = next(_numbers)
    template = create_record(ChecklistTemplate, {"purpose": f"purpose-{n}", "name": f"Checklist {n}"}, user=user,
                             reason=reason)
    for position in range(1, items + 1):
        create_record(ChecklistItem, {"template": template, "position": position, "title": f"Item {position}"},
                      user=user, reason=reason)
    return template


def make_checklist_item(user, reason="test"):
    return make_template(user, reason, items=1).items.get()


def make_dossier(user, reason="test", *, items=3):
    return services.create_dossier(product=make_product(user, reason), market=make_market(user, reason),
                                   template=make_template(user, reason, items=items), user=user, reason=reason)


def make_dossier_item(user, reason="test"):
    return make_dossier(user, reason, items=1).items.get()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_document(user, reason="test", *, item=None, content=PDF_BYTES, name="doc.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = item or make_dossier_item(user, reason)
    return services.upload_document(item, SimpleUploadedFile(name, content), user=user, reason=reason)


def make_dossier_study(user, reason="test"):
    dossier = make_dossier(user, reason, items=1)
    return services.cite_study(dossier, make_study(user, reason, product=dossier.product), user=user, reason=reason)


def make_batch_verification(user, reason="test"):
    """A released class D lot of a market rule that asks for batch verification, and its verification record."""
    from lims.services import update_record

    batch = make_released_batch(user, reason)
    rule = make_rule(user, reason)
    update_record(rule, {"batch_verification_classes": "D"}, user=user, reason=reason or "test")
    return services.open_batch_verification(batch, notified_body="NB 0123", user=user, reason=reason)


def make_batch_verification_document(user, reason="test"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return services.upload_verification_document(make_batch_verification(user, reason),
                                                 SimpleUploadedFile("reports.pdf", PDF_BYTES), user=user,
                                                 reason=reason)


def _case_lot(user, reason):
    from production.labelling import services as labelling

    batch, market, _kind = eligible_setup(user, reason)
    labelling.print_labels(batch, "case", None, 3, user=user, reason=reason or "case labels")
    return batch, market


def make_shipment_serial(user, reason="test"):
    batch, market = _case_lot(user, reason)
    shipment = services.record_shipment(batch=batch, market=market, quantity=1, shipped_on=timezone.localdate(),
                                        consignee="Importer Ltd", serials=["000001"], user=user, reason=reason)
    return shipment.serials.get()


def make_destroyed_serial(user, reason="test"):
    from production.labelling.serials import destroy_case_serials

    batch, _market = _case_lot(user, reason)
    return destroy_case_serials(batch, ["000002"], user=user, reason=reason or "label torn")[0]


def _destroyed_serial_model():
    from production.labelling.serials import DestroyedSerial

    return DestroyedSerial


FACTORIES = {
    BatchVerification: make_batch_verification,
    BatchVerificationDocument: make_batch_verification_document,
    ShipmentSerial: make_shipment_serial,
    _destroyed_serial_model(): make_destroyed_serial,
    DossierStudy: make_dossier_study,
    ChecklistTemplate: make_template,
    ChecklistItem: make_checklist_item,
    Dossier: make_dossier,
    DossierItem: make_dossier_item,
    Document: make_document,
    Market: make_market,
    CertificationKind: make_kind,
    MarketRule: make_rule,
    Certification: make_certification,
    Shipment: make_shipment,
}

__all__ = ["FACTORIES", "PASSWORD", "eligible_setup", "make_released_batch", "timedelta"]
