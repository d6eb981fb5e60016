"""The production pages of the main chain give sensible defaults (issue 19 item 5): the new-batch form's line and
planned quantity from the product's last batch, the start leading to the pick list, the pick list proposing a lot
that does not cut the kit's life short, the steps sheet (every remaining step in one form, all or nothing) and
the quantity made prefilled. Every default keeps the validation and permissions of the form it fills."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from production import services
from production.forms import StepsSheetForm, batch_defaults, preselected_lot
from production.models import Batch, BatchStep
from tests.helpers import Snapshot, assert_history

pytestmark = pytest.mark.django_db


def test_the_new_batch_form_offers_the_line_and_quantity_of_the_products_last_batch(client_for, production_user,
                                                                                    plant, batch):
    services.create_batch(product=plant.product, line=plant.m1, planned_quantity=250, user=plant.user, reason="plan")
    assert batch_defaults() == {str(plant.product.pk): {"line": plant.m1.pk, "planned_quantity": 250}}
    client = client_for(production_user)
    page = client.get(reverse("production:batch-create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-batch-defaults="batch-defaults"' in html and "production/batch_form.js" in html
    defaults = json.loads(html.split('<script id="batch-defaults" type="application/json">')[1].split("</script>")[0])
    assert defaults == {str(plant.product.pk): {"line": plant.m1.pk, "planned_quantity": 250}}
    prefilled = client.get(reverse("production:batch-create") + f"?product={plant.product.pk}").context["form"]
    assert prefilled.initial["product"] == plant.product.pk and prefilled.initial["line"] == plant.m1.pk
    assert prefilled.initial["planned_quantity"] == 250
    assert client.get(reverse("production:batch-create") + "?product=nonsense").status_code == 200


def test_a_refused_new_batch_still_says_why_and_creates_nothing(client_for, production_user, plant):
    before = Batch.objects.count()
    page = client_for(production_user).post(reverse("production:batch-create"), {
        "product": plant.product.pk, "line": plant.a1.pk, "planned_quantity": "0",
        "manufactured_on": timezone.localdate().isoformat()})
    assert page.status_code == 200 and page.context["form"].errors["planned_quantity"]
    assert Batch.objects.count() == before


def test_starting_a_batch_with_a_bom_leads_to_its_pick_list(client_for, production_user, batch):
    response = client_for(production_user).post(reverse("production:batch-start", args=[batch.lot_number]), {})
    assert response.status_code == 302
    assert response["Location"] == reverse("production:batch-pick-list", args=[batch.lot_number])
    batch.refresh_from_db()
    assert batch.status == Batch.Status.IN_PRODUCTION


def test_a_refused_start_stays_on_the_batch_page(client_for, production_user, running):
    response = client_for(production_user).post(reverse("production:batch-start", args=[running.lot_number]), {})
    assert response["Location"] == running.get_absolute_url()


def test_the_pick_list_never_proposes_a_lot_that_would_expire_the_kit_with_it(plant, running):
    user, material = plant.user, plant.materials["MEM"]
    soon = services.approve_material_lot(services.receive_material_lot(
        material=material, supplier="S", supplier_lot="MEM-SOON", expiry_date=timezone.localdate() + timedelta(days=20),
        quantity=Decimal("1000"), user=user, reason="r"), user=user, reason="ok")
    later = services.approve_material_lot(services.receive_material_lot(
        material=material, supplier="S", supplier_lot="MEM-LATER", expiry_date=running.expiry_date - timedelta(days=9),
        quantity=Decimal("1000"), user=user, reason="r"), user=user, reason="ok")
    keeping = plant.lots["MEM"]  # expires after the kit
    lots = [soon, later, keeping]
    assert preselected_lot(lots, Decimal("100"), running) == keeping.pk  # first to expire of those keeping the kit
    assert preselected_lot([soon, later], Decimal("100"), running) == later.pk  # else the one shortening it least
    assert preselected_lot([soon, later], Decimal("5000"), running) is None  # none holds enough


def _sheet_data(batch, **changes):
    form = StepsSheetForm(batch=batch)
    data = {"reason": "shift 1"}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif hasattr(value, "strftime"):
            data[name] = value.strftime("%Y-%m-%dT%H:%M")
    data.update(changes)
    return form, {k: v for k, v in data.items() if v is not None}


def test_the_steps_sheet_logs_every_remaining_step_in_one_submission(client_for, production_user, running, plant):
    steps = list(plant.product.process_steps.order_by("sequence"))
    first = steps[0]
    services.record_step(running, step=first, started_at=timezone.now() - timedelta(hours=1),
                         ended_at=timezone.now() - timedelta(minutes=30), user=plant.user, reason="earlier")
    client = client_for(production_user)
    sheet = client.get(running.get_absolute_url()).context["steps_sheet"]
    assert [row["step"] for row in sheet.rows()] == steps[1:]  # the step already logged is not offered again
    assert all(row["done"].value() for row in sheet.rows())
    form, data = _sheet_data(running, **{f"step-{steps[-1].pk}-done": None})  # the last one is not done yet
    response = client.post(reverse("production:batch-steps-sheet", args=[running.lot_number]), data, follow=True)
    assert f"{len(steps) - 2} steps recorded." in response.content.decode()
    logged = BatchStep.objects.filter(batch=running)
    assert set(logged.values_list("step_id", flat=True)) == {s.pk for s in steps[:-1]}
    assert_history(logged.exclude(step=first).first(), user=production_user, reason="shift 1")


def test_a_steps_sheet_with_one_bad_row_records_nothing(client_for, production_user, running, plant):
    steps = list(plant.product.process_steps.order_by("sequence"))
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    form, data = _sheet_data(running, **{f"step-{steps[1].pk}-ended_at": future})
    snapshot = Snapshot(running)
    response = client_for(production_user).post(reverse("production:batch-steps-sheet", args=[running.lot_number]),
                                                data, follow=True)
    assert "A time in the future cannot be recorded." in response.content.decode()
    assert BatchStep.objects.filter(batch=running).count() == 0
    snapshot.assert_unchanged()
    nothing = _sheet_data(running)[1]
    nothing = {k: v for k, v in nothing.items() if not k.endswith("-done")}
    response = client_for(production_user).post(reverse("production:batch-steps-sheet", args=[running.lot_number]),
                                                nothing, follow=True)
    assert "Tick at least one step done." in response.content.decode()
    assert BatchStep.objects.filter(batch=running).count() == 0


def test_the_steps_sheet_is_for_production_only(client_for, qc_user, running):
    form, data = _sheet_data(running)
    response = client_for(qc_user).post(reverse("production:batch-steps-sheet", args=[running.lot_number]), data)
    assert response.status_code == 403 and BatchStep.objects.filter(batch=running).count() == 0


def test_the_complete_form_prefills_the_planned_quantity(client_for, production_user, running):
    form = client_for(production_user).get(running.get_absolute_url()).context["complete_form"]
    assert form.initial["quantity_made"] == running.planned_quantity == 100
