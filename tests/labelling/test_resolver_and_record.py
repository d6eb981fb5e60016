"""The public GS1 Digital Link resolver, label reconciliation and the batch record PDF."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lims.signatures import printed_name
from production import services as production_services
from production.labelling import services
from tests.labels.scanning import pdf_reader
from tests.production.factories import make_material, make_material_lot, make_reject_reason


def resolver_url(batch, serial=None):
    url = f"/01/{batch.product.gtin}/10/{batch.lot_number}"
    return url + (f"/21/{serial}" if serial else "")


@pytest.mark.django_db
def test_resolver_shows_the_lot_publicly(client, started):
    response = client.get(resolver_url(started), {"17": started.expiry_date.strftime("%y%m%d")})
    assert response.status_code == 200
    html = response.content.decode()
    assert started.product.name in html and started.lot_number in html
    assert started.expiry_date.isoformat() in html
    assert "DO NOT USE" not in html
    assert "not been released" in html
    assert "/record.pdf" not in html  # anonymous: no link to the batch record
    assert client.get(resolver_url(started, "000001")).status_code == 404  # no case label printed yet
    services.print_labels(started, "case", None, 2, user=started.history.first().history_user, reason="print")
    assert client.get(resolver_url(started, "000002")).status_code == 200
    assert client.get(resolver_url(started, "000003")).status_code == 404
    assert client.get(resolver_url(started, "abc")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["rejected", "expired"])
def test_resolver_says_do_not_use(request, client, state):
    batch = request.getfixturevalue(state)
    assert "DO NOT USE" in client.get(resolver_url(batch)).content.decode()


@pytest.mark.django_db
def test_resolver_links_the_record_for_staff(client_for, qa_user, started):
    html = client_for(qa_user).get(resolver_url(started)).content.decode()
    assert f"/production/batches/{started.lot_number}/record.pdf" in html


@pytest.mark.django_db
def test_resolver_in_chinese(client, started):
    response = client.get(resolver_url(started), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "批号" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/01/12345678901234/10/X", "/01/abc/10/X", "/01/{gtin}/10/NOPE",
                                  "/01/00000000000000/10/{lot}"])
def test_resolver_unknown_codes_are_404(client, started, path):
    url = path.format(gtin=started.product.gtin, lot=started.lot_number)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_batch_record_pdf(client, client_for, api_for, production_user, qc_user, outsider, started):
    product = started.product
    material = make_material(production_user, "setup", name="Nitrocellulose membrane")
    production_services.create_bom(product, [(material, Decimal("1"))], user=production_user, reason="bom")
    lot = production_services.approve_material_lot(
        make_material_lot(production_user, "setup", material=material, supplier_lot="MEM-4711"),
        user=qc_user, reason="ok")
    production_services.consume_material(started, material_lot=lot, quantity=Decimal("50"), user=production_user,
                                         reason="consume")
    step = product.process_steps.order_by("sequence").first()
    now = timezone.now()
    production_services.record_step(started, step=step, started_at=now - timedelta(hours=1), ended_at=now,
                                    equipment="Dispenser D-7", user=production_user, reason="step")
    batch = production_services.complete_batch(started, quantity_made=90,
                                               rejects=[(make_reject_reason(production_user, "setup"), 3)],
                                               user=production_user, reason="done")
    services.print_labels(batch, "case", None, 4, user=production_user, reason="print")
    services.reconcile_labels(batch, "case", 3, 1, 0, user=production_user, reason="reconcile")

    url = f"/production/batches/{batch.lot_number}/record.pdf"
    assert client.get(url).status_code == 302
    assert api_for(outsider).get(url).status_code == 403
    response = api_for(qc_user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in pdf_reader(response.content).pages).split())
    for expected in (batch.lot_number, "MEM-4711", step.name, "Dispenser D-7", "000001", "000004",
                     printed_name(production_user), "Electronic signatures"):
        assert expected in text, expected
    assert client_for(production_user).get(url).status_code == 200
