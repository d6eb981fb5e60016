"""The production rules, service by service: master data, material lots, lot numbers, the batch life cycle,
consumption and the BOM check. Every refusal also asserts that nothing changed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from lims.audit import audited
from lims.errors import DomainError, ReasonRequired
from lims.services import update_record
from production import services
from production.models import Batch, BatchReject, Consumption, LotSequence, MaterialLot, Product, add_months
from production.validators import gtin_check_digit, is_valid_gtin14, validate_gtin14
from tests.helpers import Snapshot, assert_history, table_counts
from tests.production.conftest import consume_for
from tests.production.factories import gtin

pytestmark = pytest.mark.django_db


# --- GTIN and shelf life ---------------------------------------------------------------------------------

def test_gtin_check_digit_worked_example_of_domain_md():
    assert gtin_check_digit("0952123454321") == 3
    assert is_valid_gtin14("09521234543213")
    assert not is_valid_gtin14("09521234543214")
    assert not is_valid_gtin14("0952123454321")  # 13 digits
    assert not is_valid_gtin14("0952123454321A")


@pytest.mark.parametrize("value", ["06901234000017", "123", "0690123400001x", "069012340000160"])
def test_a_bad_gtin_is_refused_with_a_message(value):
    with pytest.raises(ValidationError):
        validate_gtin14(value)


def test_a_product_with_a_bad_gtin_is_not_created(production_user):
    before = table_counts(Product)
    with pytest.raises(ValidationError) as err:
        services.create_product({"code": "X", "name": "X", "gtin": "06901234000017", "shelf_life_months": 12,
                                 "storage_min_c": 2, "storage_max_c": 30}, user=production_user, reason="new")
    assert "gtin" in err.value.message_dict
    assert table_counts(Product) == before


@pytest.mark.parametrize(("made", "months", "expiry"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 3, 15), 24, date(2028, 3, 15)),
    (date(2026, 8, 31), 18, date(2028, 2, 29)),
    (date(2026, 12, 1), 13, date(2028, 1, 1)),
])
def test_expiry_adds_the_shelf_life_in_months_clamped_to_the_month(made, months, expiry):
    assert add_months(made, months) == expiry


def test_a_product_gets_the_eight_process_steps_in_order(plant):
    steps = list(plant.product.process_steps.order_by("sequence").values_list("sequence", "code"))
    assert steps == [(1, "dispensing"), (2, "conjugate"), (3, "lamination"), (4, "slitting"), (5, "assembly"),
                     (6, "pouching"), (7, "buffer_filling"), (8, "kitting")]
    assert_history(plant.product, user=plant.user, reason="test plant", type="+")


def test_storage_range_must_not_be_inverted(production_user):
    with pytest.raises(ValidationError) as err:
        services.create_product({"code": "X", "name": "X", "gtin": gtin(900), "shelf_life_months": 12,
                                 "storage_min_c": 30, "storage_max_c": 2}, user=production_user, reason="new")
    assert "storage_max_c" in err.value.message_dict


def test_a_new_bom_version_becomes_the_only_current_one(plant):
    v2 = services.create_bom(plant.product, [(plant.materials["MEM"], Decimal("1.1"))], user=plant.user,
                             reason="membrane width changed")
    assert v2.version_number == 2 and v2.is_current
    assert list(plant.product.boms.filter(is_current=True)) == [v2]
    plant.bom.refresh_from_db()
    assert not plant.bom.is_current
    assert_history(plant.bom, user=plant.user, reason="membrane width changed", type="~")


def test_the_database_refuses_two_current_boms(plant):
    from production.models import BillOfMaterials

    with audited(user=plant.user, reason="bypass"), pytest.raises(IntegrityError), transaction.atomic():
        BillOfMaterials.objects.create(product=plant.product, version_number=9, is_current=True,
                                       effective_from=timezone.localdate())


def test_a_bom_refuses_a_material_twice(plant):
    before = Snapshot(plant.bom)
    with pytest.raises(ValidationError):
        services.create_bom(plant.product, [(plant.materials["MEM"], 1), (plant.materials["MEM"], 2)],
                            user=plant.user, reason="x")
    before.assert_unchanged()
    assert plant.product.boms.count() == 1


# --- Material lots ---------------------------------------------------------------------------------------

def test_a_received_lot_waits_in_quarantine(plant):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier="Sartorius",
                                        supplier_lot="NC-778", expiry_date=date(2030, 1, 1),
                                        quantity=Decimal("5000"), user=plant.user, reason="delivery 42")
    assert lot.status == MaterialLot.Status.QUARANTINE
    assert lot.quantity_remaining == lot.quantity_received == Decimal("5000")
    assert_history(lot, user=plant.user, reason="delivery 42", type="+")


def test_approval_by_qc_is_recorded(plant, qc_user):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="NC-1",
                                        expiry_date=date(2030, 1, 1), quantity=10, user=plant.user)
    lot = services.approve_material_lot(lot, user=qc_user, reason="CoA and visual check passed")
    assert lot.status == MaterialLot.Status.APPROVED and lot.decided_by == qc_user
    assert_history(lot, user=qc_user, reason="CoA and visual check passed", type="~")


def test_rejection_needs_a_reason_and_changes_nothing_without(plant, qc_user):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="NC-2",
                                        expiry_date=date(2030, 1, 1), quantity=10, user=plant.user)
    snap = Snapshot(lot)
    with pytest.raises(ReasonRequired):
        services.reject_material_lot(lot, user=qc_user, reason="  ")
    snap.assert_unchanged()
    lot = services.reject_material_lot(lot, user=qc_user, reason="membrane torn")
    assert lot.status == MaterialLot.Status.REJECTED
    assert_history(lot, user=qc_user, reason="membrane torn")


def test_a_decided_lot_cannot_be_decided_again(plant, qc_user):
    lot = plant.lots["MEM"]
    snap = Snapshot(lot)
    with pytest.raises(DomainError) as err:
        services.reject_material_lot(lot, user=qc_user, reason="changed my mind")
    assert err.value.code == "invalid_state"
    snap.assert_unchanged()


def test_an_expired_lot_is_not_approved(plant, qc_user):
    lot = services.receive_material_lot(material=plant.materials["MEM"], supplier_lot="OLD",
                                        expiry_date=timezone.localdate() - timedelta(days=1), quantity=10,
                                        user=plant.user)
    snap = Snapshot(lot)
    with pytest.raises(DomainError) as err:
        services.approve_material_lot(lot, user=qc_user, reason="ok")
    assert err.value.code == "lot_expired"
    snap.assert_unchanged()


def test_the_database_refuses_a_negative_remaining_quantity(plant):
    lot = plant.lots["MEM"]
    lot.quantity_remaining = Decimal("-1")
    with audited(user=plant.user, reason="bypass"), pytest.raises(IntegrityError), transaction.atomic():
        lot.save()


# --- Lot numbers -----------------------------------------------------------------------------------------

def test_lot_numbers_follow_the_default_pattern_and_count_per_day_and_line(plant):
    day = date(2026, 3, 15)
    first = services.create_batch(product=plant.product, line=plant.a1, planned_quantity=10, manufactured_on=day,
                                  user=plant.user, reason="plan")
    second = services.create_batch(product=plant.product, line=plant.a1, planned_quantity=10, manufactured_on=day,
                                   user=plant.user, reason="plan")
    other_line = services.create_batch(product=plant.product, line=plant.m1, planned_quantity=10,
                                       manufactured_on=day, user=plant.user, reason="plan")
    assert (first.lot_number, second.lot_number, other_line.lot_number) == ("SC260315A101", "SC260315A102",
                                                                             "SC260315M101")
    assert first.expiry_date == date(2028, 3, 15)
    assert first.bom == plant.bom and first.status == Batch.Status.PLANNED
    assert_history(first, user=plant.user, reason="plan", type="+")


@override_settings(LIMS_LOT_NUMBER_PATTERN="{product}-{yyyymmdd}-{seq:04d}")
def test_the_lot_number_pattern_is_a_setting(plant):
    batch = services.create_batch(product=plant.product, line=plant.a1, planned_quantity=10,
                                  manufactured_on=date(2026, 3, 15), user=plant.user, reason="plan")
    assert batch.lot_number == "AG-1-20260315-0001"


@override_settings(LIMS_LOT_NUMBER_PATTERN="SC{yymmdd}{line}")
def test_a_pattern_without_a_sequence_is_refused(plant):
    before = table_counts(Batch, LotSequence)
    with pytest.raises(DomainError) as err:
        services.create_batch(product=plant.product, line=plant.a1, planned_quantity=10, user=plant.user)
    assert err.value.code == "bad_lot_pattern"
    assert table_counts(Batch, LotSequence) == before


def test_a_number_taken_before_is_skipped(plant):
    LotSequence.objects.create(prefix="SC260315A1#", last_value=0)
    with override_settings(LIMS_LOT_NUMBER_PATTERN="SC{yymmdd}{line}{seq:01d}"):
        one = services.create_batch(product=plant.product, line=plant.a1, planned_quantity=1,
                                    manufactured_on=date(2026, 3, 15), user=plant.user)
    LotSequence.objects.filter(prefix="SC260315A1#").update(last_value=0)  # an untracked counter reset
    with override_settings(LIMS_LOT_NUMBER_PATTERN="SC{yymmdd}{line}{seq:01d}"):
        two = services.create_batch(product=plant.product, line=plant.a1, planned_quantity=1,
                                    manufactured_on=date(2026, 3, 15), user=plant.user)
    assert (one.lot_number, two.lot_number) == ("SC260315A11", "SC260315A12")


def test_a_batch_on_an_inactive_line_is_refused(plant):
    line = update_record(plant.m1, {"active": False}, user=plant.user, reason="maintenance")
    before = table_counts(Batch, LotSequence)
    with pytest.raises(DomainError) as err:
        services.create_batch(product=plant.product, line=line, planned_quantity=10, user=plant.user)
    assert err.value.code == "line_inactive"
    assert table_counts(Batch, LotSequence) == before


def test_an_invalid_planned_quantity_uses_no_number(plant):
    before = table_counts(Batch, LotSequence)
    with pytest.raises(ValidationError):
        services.create_batch(product=plant.product, line=plant.a1, planned_quantity=0, user=plant.user)
    assert table_counts(Batch, LotSequence) == before


# --- Life cycle ------------------------------------------------------------------------------------------

def test_start_moves_planned_to_in_production(batch, plant):
    batch = services.start_batch(batch, user=plant.user, reason="line cleared")
    assert batch.status == Batch.Status.IN_PRODUCTION and batch.started_at is not None
    assert_history(batch, user=plant.user, reason="line cleared", type="~")


def test_a_started_batch_cannot_start_again(running, plant):
    snap = Snapshot(running)
    with pytest.raises(DomainError) as err:
        services.start_batch(running, user=plant.user)
    assert err.value.code == "invalid_state"
    snap.assert_unchanged()


def test_steps_are_logged_with_operator_equipment_and_times(running, plant, production_user):
    now = timezone.now()
    step = services.record_step(running, step=plant.product.process_steps.get(code="lamination"),
                                started_at=now - timedelta(hours=2), ended_at=now, equipment="Laminator L-2",
                                room_temperature_c=Decimal("22.5"), room_humidity_pct=Decimal("38"),
                                notes="ok", user=production_user, reason="shift 1")
    assert (step.operator, step.equipment, step.room_humidity_pct) == (production_user, "Laminator L-2", 38)
    assert_history(step, user=production_user, reason="shift 1", type="+")


def test_a_step_of_another_product_or_ending_before_it_starts_is_refused(running, plant):
    other = services.create_product({"code": "OTHER", "name": "Other", "gtin": gtin(901), "shelf_life_months": 12,
                                     "storage_min_c": 2, "storage_max_c": 30}, user=plant.user, reason="new")
    now = timezone.now()
    with pytest.raises(ValidationError) as err:
        services.record_step(running, step=other.process_steps.first(), started_at=now - timedelta(hours=1),
                             ended_at=now, user=plant.user)
    assert "step" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.record_step(running, step=plant.product.process_steps.first(), started_at=now,
                             ended_at=now - timedelta(hours=1), user=plant.user)
    assert "ended_at" in err.value.message_dict
    assert running.steps.count() == 0


def test_steps_need_a_batch_in_production(batch, plant):
    now = timezone.now()
    with pytest.raises(DomainError) as err:
        services.record_step(batch, step=plant.product.process_steps.first(), started_at=now, ended_at=now,
                             user=plant.user)
    assert err.value.code == "invalid_state"


# --- Consumption -----------------------------------------------------------------------------------------

def test_consumption_takes_from_the_lot(running, plant):
    lot = plant.lots["MEM"]
    used = services.consume_material(running, material_lot=lot, quantity=Decimal("100"), user=plant.user,
                                     reason="dispensed")
    lot.refresh_from_db()
    assert lot.quantity_remaining == Decimal("900")
    assert (used.batch, used.consumed_by, used.quantity) == (running, plant.user, Decimal("100"))
    assert_history(used, user=plant.user, reason="dispensed", type="+")
    assert_history(lot, user=plant.user, reason="dispensed", type="~")


@pytest.mark.parametrize(("case", "code"), [
    ("quarantine", "material_not_approved"),
    ("rejected", "material_not_approved"),
    ("expired", "material_expired"),
    ("not_in_bom", "not_in_bom"),
    ("too_much", "insufficient_quantity"),
])
def test_consumption_refusals_change_nothing(running, plant, qc_user, case, code):
    mem = plant.materials["MEM"]
    if case == "quarantine":
        lot = services.receive_material_lot(material=mem, supplier_lot="Q", expiry_date=date(2030, 1, 1),
                                            quantity=100, user=plant.user)
    elif case == "rejected":
        lot = services.receive_material_lot(material=mem, supplier_lot="R", expiry_date=date(2030, 1, 1),
                                            quantity=100, user=plant.user)
        lot = services.reject_material_lot(lot, user=qc_user, reason="torn")
    elif case == "expired":
        lot = plant.lots["MEM"]
        with audited(user=plant.user, reason="test: the lot aged"):
            lot.expiry_date = timezone.localdate() - timedelta(days=1)
            lot.save()
    elif case == "not_in_bom":
        lot = plant.lots["SWAB"]
    else:
        lot = plant.lots["MEM"]
    quantity = Decimal("1000.001") if case == "too_much" else Decimal("1")
    snap = Snapshot(running, lot)
    with pytest.raises(DomainError) as err:
        services.consume_material(running, material_lot=lot, quantity=quantity, user=plant.user, reason="try")
    assert err.value.code == code
    assert code in [r["code"] for r in err.value.reasons]
    snap.assert_unchanged()
    assert Consumption.objects.count() == 0


def test_every_failing_reason_of_a_consumption_is_listed(running, plant):
    lot = services.receive_material_lot(material=plant.materials["SWAB"], supplier_lot="OLD",
                                        expiry_date=timezone.localdate() - timedelta(days=3), quantity=1,
                                        user=plant.user)
    with pytest.raises(DomainError) as err:
        services.consume_material(running, material_lot=lot, quantity=5, user=plant.user)
    assert [r["code"] for r in err.value.reasons] == ["material_expired", "material_not_approved", "not_in_bom",
                                                      "insufficient_quantity"]


def test_consumption_needs_a_batch_in_production_and_a_positive_quantity(batch, plant):
    with pytest.raises(DomainError) as err:
        services.consume_material(batch, material_lot=plant.lots["MEM"], quantity=1, user=plant.user)
    assert err.value.code == "invalid_state"
    running = services.start_batch(batch, user=plant.user)
    for bad in (0, -5, "abc"):
        with pytest.raises(ValidationError):
            services.consume_material(running, material_lot=plant.lots["MEM"], quantity=bad, user=plant.user)
    assert Consumption.objects.count() == 0


def test_a_lot_is_usable_up_to_its_expiry_date(running, plant):
    lot = plant.lots["MEM"]
    with audited(user=plant.user, reason="test: expires today"):
        lot.expiry_date = timezone.localdate()
        lot.save()
    services.consume_material(running, material_lot=lot, quantity=1, user=plant.user)


# --- Completion and the BOM rule -------------------------------------------------------------------------

def test_completion_records_made_and_rejects_by_reason(running, plant):
    consume_for(running, plant, 100)
    batch = services.complete_batch(running, quantity_made=95,
                                    rejects=[(plant.reasons["SEAL"], 3), (plant.reasons["PRINT"], 2)],
                                    user=plant.user, reason="end of shift")
    assert (batch.status, batch.quantity_made, batch.quantity_rejected) == (Batch.Status.AWAITING_QC, 95, 5)
    assert batch.completed_at is not None
    assert dict(batch.rejects.values_list("reason__code", "quantity")) == {"SEAL": 3, "PRINT": 2}
    assert_history(batch, user=plant.user, reason="end of shift", type="~")
    assert_history(batch.rejects.get(reason__code="SEAL"), user=plant.user, reason="end of shift", type="+")


def test_a_bom_shortfall_is_refused_naming_each_short_material(running, plant):
    consume_for(running, plant, 90)  # enough for 90 kits, 100 are reported
    snap = Snapshot(running)
    with pytest.raises(DomainError) as err:
        services.complete_batch(running, quantity_made=98, rejects=[(plant.reasons["SEAL"], 2)], user=plant.user,
                                reason="done")
    assert err.value.code == "bom_shortfall"
    shortfalls = {s["material_code"]: s for s in err.value.extra["shortfalls"]}
    assert set(shortfalls) == {"MEM", "CAS", "BUF"}
    assert shortfalls["BUF"] == {"material": plant.materials["BUF"].pk, "material_code": "BUF", "required": "35",
                                 "consumed": "31.5", "short": "3.5"}
    assert "MEM Nitrocellulose membrane" in str(err.value.message)
    snap.assert_unchanged()
    assert BatchReject.objects.count() == 0


def test_extra_consumption_is_allowed_and_exact_consumption_is_enough(running, plant):
    consume_for(running, plant, 100)
    services.consume_material(running, material_lot=plant.lots["MEM"], quantity=5, user=plant.user,
                              reason="set-up waste")
    batch = services.complete_batch(running, quantity_made=100, user=plant.user, reason="done")
    assert batch.status == Batch.Status.AWAITING_QC


def test_completion_refuses_bad_quantities_and_duplicate_reasons(running, plant):
    consume_for(running, plant, 100)
    snap = Snapshot(running)
    with pytest.raises(ValidationError) as err:
        services.complete_batch(running, quantity_made=90, rejects=[(plant.reasons["SEAL"], 3),
                                                                    (plant.reasons["SEAL"], 2)], user=plant.user)
    assert "rejects.1.reason" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.complete_batch(running, quantity_made=-1, user=plant.user)
    with pytest.raises(ValidationError):
        services.complete_batch(running, quantity_made=1, rejects=[(plant.reasons["SEAL"], 0)], user=plant.user)
    snap.assert_unchanged()


def test_only_a_batch_in_production_completes(batch, plant):
    snap = Snapshot(batch)
    with pytest.raises(DomainError) as err:
        services.complete_batch(batch, quantity_made=0, user=plant.user)
    assert err.value.code == "invalid_state"
    snap.assert_unchanged()


def test_a_product_without_bom_is_not_checked_against_one(plant):
    bare = services.create_product({"code": "BARE", "name": "Bare", "gtin": gtin(902), "shelf_life_months": 12,
                                    "storage_min_c": 2, "storage_max_c": 30}, user=plant.user, reason="new")
    batch = services.create_batch(product=bare, line=plant.a1, planned_quantity=10, user=plant.user)
    batch = services.start_batch(batch, user=plant.user)
    services.consume_material(batch, material_lot=plant.lots["SWAB"], quantity=10, user=plant.user)
    batch = services.complete_batch(batch, quantity_made=10, user=plant.user)
    assert batch.bom is None and batch.status == Batch.Status.AWAITING_QC


def test_a_batch_keeps_the_bom_version_it_was_made_with(batch, plant):
    services.create_bom(plant.product, [(plant.materials["MEM"], 2)], user=plant.user, reason="v2")
    batch.refresh_from_db()
    assert batch.bom == plant.bom


# --- Edits and quantities --------------------------------------------------------------------------------

def test_a_disposed_batch_needs_a_reason_to_edit(batch, plant):
    assert not batch.requires_reason_for_edit()
    for status in (Batch.Status.RELEASED, Batch.Status.REJECTED, Batch.Status.QUARANTINED):
        batch.status = status
        assert batch.requires_reason_for_edit()


def test_editing_a_released_batch_without_reason_is_refused(running, plant):
    consume_for(running, plant, 100)
    batch = services.complete_batch(running, quantity_made=100, user=plant.user)
    with audited(user=plant.user, reason="test: QA released"):  # release belongs to the QC app
        batch.status = Batch.Status.RELEASED
        batch.quantity_released = 100
        batch.save()
    snap = Snapshot(batch)
    with pytest.raises(ReasonRequired):
        services.update_batch(batch, {"planned_quantity": 120}, user=plant.user, reason="")
    snap.assert_unchanged()
    batch = services.update_batch(batch, {"planned_quantity": 120}, user=plant.user, reason="plan corrected")
    assert_history(batch, user=plant.user, reason="plan corrected", type="~")


def test_moving_the_manufacturing_date_recomputes_the_expiry(batch, plant):
    batch = services.update_batch(batch, {"manufactured_on": date(2026, 1, 31)}, user=plant.user, reason="moved",
                                  expected_version=batch.version)
    assert batch.expiry_date == date(2028, 1, 31)
    with pytest.raises(ValidationError):
        services.update_batch(batch, {"line": plant.m1}, user=plant.user, reason="moved")


def test_the_database_keeps_released_within_made_and_shipped_within_released(batch, plant):
    with audited(user=plant.user, reason="bypass"):
        batch.quantity_released = 1
        with pytest.raises(IntegrityError), transaction.atomic():
            batch.save()
        batch.refresh_from_db()
        batch.quantity_shipped = 1
        with pytest.raises(IntegrityError), transaction.atomic():
            batch.save()


def test_history_of_a_batch_includes_its_children(running, plant):
    from lims.history import object_history

    consume_for(running, plant, 10)
    services.complete_batch(running, quantity_made=9, rejects=[(plant.reasons["SEAL"], 1)], user=plant.user,
                            reason="closing")
    models = {e["model"] for e in object_history(running)}
    assert models == {"production.batch", "production.consumption", "production.batchreject"}


def test_master_data_edits_keep_history(plant):
    line = update_record(plant.a1, {"rated_units_per_hour": 3200}, user=plant.user, reason="new dispenser",
                         expected_version=plant.a1.version)
    assert_history(line, user=plant.user, reason="new dispenser")
