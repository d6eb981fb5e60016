"""One batch walked from creation to shipment through the services, by the people who do each step: production
(steps, a component lot, rejects, labels and their reconciliation), QC (release inspection), an admin (review),
QA (approval, a deviation with a CAPA, closed), a second QA person (release) and regulatory (shipment)."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from production import services as production
from production.labelling import services as labelling
from qc import services as qc
from regulatory import services as regulatory
from tests.conftest import sig
from tests.production.factories import make_line, make_material, make_material_lot, make_product, make_reject_reason
from tests.qc.factories import make_spec
from tests.regulatory.factories import make_certification, make_kind, make_market, make_rule


def walk_batch(*, production_user, qc_user, qa_user, admin_user, releaser, regulatory_user, extra_steps=0):
    p = production_user
    product = make_product(p, "new kit", tests_per_kit=25)
    material = make_material(p, "membrane")
    production.create_bom(product, [(material, Decimal("0.01"))], user=p, reason="BOM v1")
    lot = production.approve_material_lot(make_material_lot(p, "received", material=material), user=p,
                                          reason="incoming QC passed")
    spec = make_spec(qc_user, product=product, code="FLOW", name="Flow time")
    batch = production.create_batch(product=product, line=make_line(p, "line"), planned_quantity=1000, user=p,
                                    reason="")
    batch = production.start_batch(batch, user=p, reason="")
    now = timezone.now()
    steps = list(product.process_steps.order_by("sequence"))
    for i in range(1 + extra_steps):
        production.record_step(batch, step=steps[i % len(steps)], started_at=now - timedelta(hours=3),
                               ended_at=now - timedelta(hours=2), equipment=f"Dispenser D-{i}", user=p,
                               reason="step done")
    production.consume_material(batch, material_lot=lot, quantity=Decimal("20"), user=p, reason="")
    job = labelling.print_labels(batch, "case", None, 3, user=p, reason="case labels")
    batch = production.complete_batch(batch, quantity_made=990, rejects=[(make_reject_reason(p, "r"), 10)], user=p,
                                      reason="made")
    reconciliation = labelling.reconcile_labels(batch, "case", 3, 0, 0, user=p, reason="all used")
    inspection = qc.record_inspection(batch=batch, stage="release", sample_size=20,
                                      results=[{"specification": spec, "value": Decimal("3")}], user=qc_user,
                                      reason="release testing")
    qc.review_inspection(inspection, **sig(admin_user), user=admin_user, reason="checked")
    qc.approve_inspection(inspection, **sig(qa_user), user=qa_user, reason="approved")
    deviation = qc.open_deviation(title="Dispenser paused 5 min", batch=batch, user=qc_user, reason="seen at line")
    qc.investigate_deviation(deviation, root_cause="Air supply", impact_assessment="None on product", user=qa_user,
                             reason="investigated")
    capa = qc.add_capa(deviation, action="Check air supply weekly", owner=qa_user,
                       due_date=timezone.localdate() + timedelta(days=30), user=qa_user, reason="CAPA")
    qc.complete_capa(capa, effectiveness_check="No pause since", user=qa_user, reason="done")
    qc.close_deviation(deviation, **sig(qa_user), user=qa_user, reason="closed")
    qc.dispose_batch(batch, decision="release", quantity_released=990, **sig(releaser), user=releaser,
                     reason="all tests passed")
    market = make_market(regulatory_user)
    kind = make_kind(regulatory_user)
    make_rule(regulatory_user, market=market, kinds=[kind])
    make_certification(regulatory_user, product=product, market=market, kind=kind)
    batch.refresh_from_db()
    shipment = regulatory.record_shipment(batch=batch, market=market, quantity=100, shipped_on=timezone.localdate(),
                                          consignee="Importer Ltd", user=regulatory_user, reason="order 77")
    batch.refresh_from_db()
    return SimpleNamespace(batch=batch, inspection=inspection, deviation=deviation, capa=capa, job=job,
                           reconciliation=reconciliation, shipment=shipment, lot=lot, market=market)


@pytest.fixture
def releaser(user_factory):
    return user_factory("qa2", "QA", first_name="Li", last_name="Na")


@pytest.fixture
def walk(production_user, qc_user, qa_user, admin_user, releaser, regulatory_user):
    def make(**kwargs):
        return walk_batch(production_user=production_user, qc_user=qc_user, qa_user=qa_user, admin_user=admin_user,
                          releaser=releaser, regulatory_user=regulatory_user, **kwargs)
    return make


@pytest.fixture
def walked(walk):
    return walk()
