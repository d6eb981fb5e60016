"""Stability studies (EN ISO 23640): at least 3 lots; the supported shelf life is the longest time point at which
every lot meets every specification; the claim on the product comes from approved real-time studies only;
the release gate and warning; pull-date reminders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lims.errors import DomainError
from production.models import Product
from qc import stability
from qc.gates import release_blockers
from qc.models import StabilityStudy
from tests.helpers import Snapshot, table_counts
from tests.qc.factories import make_batch, make_line, make_product, make_spec

pytestmark = pytest.mark.django_db

MONTHS = [0, 3, 6, 12, 18, 24]


@pytest.fixture
def setup(production_user, qc_user):
    product = make_product(production_user)  # shelf life 24 months
    line = make_line(production_user)
    batches = [make_batch(production_user, product=product, line=line, made=100) for _ in range(3)]
    lod = make_spec(qc_user, product=product, code="LOD", name="LoD detected", kind="attribute", lower=None,
                    upper=None, unit="", stage="stability")
    flow = make_spec(qc_user, product=product, code="FLOW", name="Flow time", lower=Decimal("1"),
                     upper=Decimal("5"), unit="min", stage="stability")
    return product, batches, lod, flow


def make_study(setup, user, protocol="real_time", **kwargs):
    product, batches, *_ = setup
    return stability.create_stability_study(product=product, title=f"{protocol} 2–30 °C", protocol=protocol,
                                            started_on=date(2024, 1, 15), lots=[b.lot_number for b in batches],
                                            months=MONTHS, user=user, reason="protocol STB-1", **kwargs)


def results(study, months, user, fail_lot=None):
    _product, batches, lod, flow = setup_of(study)
    point = study.time_points.get(months=months)
    rows = []
    for batch in batches:
        failing = batch.lot_number == fail_lot
        rows.append({"lot": batch.lot_number, "specification": lod, "passed": not failing})
        rows.append({"lot": batch.lot_number, "specification": flow, "value": "6.2" if failing else "3.1"})
    return stability.record_stability_results(point, rows, user=user, reason="")


def setup_of(study):
    batches = [lot.batch for lot in study.lots.select_related("batch").order_by("batch__lot_number")]
    specs = stability.stability_specs(study.product)
    return study.product, batches, specs.get(code="LOD"), specs.get(code="FLOW")


def test_three_lots_18_months_failing_on_one_lot_supports_12_months(setup, qc_user, qa_user):
    study = make_study(setup, qc_user)
    assert [p.pull_date for p in study.time_points.all()][:3] == [date(2024, 1, 15), date(2024, 4, 15),
                                                                 date(2024, 7, 15)]
    for m in (0, 3, 6, 12):
        results(study, m, qc_user)
    results(study, 18, qc_user, fail_lot=setup[1][1].lot_number)
    assert stability.supported_months(study) == 12
    # Not approved yet: the product's claim is still empty.
    assert Product.objects.get(pk=setup[0].pk).supported_shelf_life_months is None
    stability.approve_stability_study(study, user=qa_user, reason="reviewed")
    product = Product.objects.get(pk=setup[0].pk)
    assert product.supported_shelf_life_months == 12
    assert "12" in stability.shelf_life_warning(product)  # the product claims 24 months


def test_an_incomplete_point_ends_the_support(setup, qc_user):
    study = make_study(setup, qc_user)
    results(study, 0, qc_user)
    point = study.time_points.get(months=3)
    _p, batches, lod, _flow = setup_of(study)
    stability.record_stability_results(point, [{"lot": batches[0].lot_number, "specification": lod,
                                                "passed": True}], user=qc_user)
    results(study, 6, qc_user)
    assert stability.supported_months(study) == 0


def test_accelerated_is_provisional_never_the_claim(setup, qc_user, qa_user):
    study = make_study(setup, qc_user, protocol="accelerated", temperature_c=Decimal("45"))
    for m in MONTHS:
        results(study, m, qc_user)
    stability.approve_stability_study(study, user=qa_user)
    support = stability.product_support(setup[0])
    assert support["provisional"] == 24 and support["claim"] is None
    assert Product.objects.get(pk=setup[0].pk).supported_shelf_life_months is None


def test_study_needs_three_lots_and_an_accelerated_temperature(setup, qc_user):
    product, batches, *_ = setup
    before = table_counts(StabilityStudy)
    with pytest.raises(ValidationError) as exc:
        stability.create_stability_study(product=product, title="two lots", protocol="real_time",
                                         started_on=date(2024, 1, 1), lots=[b.lot_number for b in batches[:2]],
                                         months=MONTHS, user=qc_user)
    assert "lots" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        stability.create_stability_study(product=product, title="hot", protocol="accelerated",
                                         started_on=date(2024, 1, 1), lots=[b.lot_number for b in batches],
                                         months=MONTHS, user=qc_user)
    assert "temperature_c" in exc.value.message_dict
    assert table_counts(StabilityStudy) == before


def test_approval_refused_without_a_passing_point_and_for_qc(setup, qc_user, qa_user):
    study = make_study(setup, qc_user)
    snapshot = Snapshot(study)
    with pytest.raises(DomainError) as exc:
        stability.approve_stability_study(study, user=qa_user)
    assert exc.value.code == "no_supported_point"
    with pytest.raises(PermissionDenied):
        stability.approve_stability_study(study, user=qc_user)
    snapshot.assert_unchanged()


def test_release_gate_blocks_when_qa_enables_it(setup, qc_user, qa_user):
    product, batches, *_ = setup
    batch = batches[0]
    assert "shelf_life_unsupported" not in {b["code"] for b in release_blockers(batch, None)}
    assert stability.release_warnings(batch)[0]["code"] == "shelf_life_unsupported"
    with pytest.raises(PermissionDenied):
        stability.set_stability_gate(product, enforced=True, user=qc_user)
    stability.set_stability_gate(product, enforced=True, user=qa_user, reason="IVDR Annex II 6.3")
    assert "shelf_life_unsupported" in {b["code"] for b in release_blockers(batch, None)}
    # Stability supporting the full 24 months lifts it.
    study = make_study(setup, qc_user)
    for m in MONTHS:
        results(study, m, qc_user)
    stability.approve_stability_study(study, user=qa_user)
    assert "shelf_life_unsupported" not in {b["code"] for b in release_blockers(batch, None)}
    assert stability.release_warnings(batch) == []


def test_products_api_has_supported_shelf_life(setup, qc_user, qa_user, api_for):
    study = make_study(setup, qc_user)
    for m in (0, 3, 6):
        results(study, m, qc_user)
    stability.approve_stability_study(study, user=qa_user)
    body = api_for(qc_user).get(f"/api/v1/production/products/{setup[0].pk}/").json()
    assert body["supported_shelf_life_months"] == 6


def test_due_pulls(setup, qc_user):
    study = make_study(setup, qc_user)
    results(study, 0, qc_user)
    due = list(stability.due_stability_pulls(on=date(2024, 4, 10), within_days=7))
    assert [p.months for p in due] == [3]
    assert list(stability.due_stability_pulls(on=date(2024, 1, 1) - timedelta(days=30))) == []


def test_pages(setup, qc_user, qa_user, client_for, outsider):
    study = make_study(setup, qc_user)
    results(study, 0, qc_user)
    page = client_for(qc_user).get(f"/qc/stability/{study.pk}/")
    assert page.status_code == 200
    product_page = client_for(qa_user).get(f"/qc/stability/products/{setup[0].pk}/")
    assert product_page.status_code == 200 and "24" in product_page.content.decode()
    assert client_for(outsider).get(f"/qc/stability/{study.pk}/").status_code == 403
    detail = client_for(qc_user).get(f"/production/products/{setup[0].pk}/")
    assert "no approved real-time stability study" in detail.content.decode()
