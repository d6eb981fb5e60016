"""The cheaper write path (issue #14 point 6) keeps every guarantee: the uniqueness and constraint errors are the
same field errors as ``full_clean`` gave and change nothing, the locked row is the ORM's row, and history rows
written through the one-statement guarded insert stay chained and verifiable — also when the process's hint of
the chain head is stale (a rolled-back row, a row written by someone else, a wrong hash). Runs on SQLite and on
PostgreSQL (CI's second pass)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from incubator.models import Project
from lims import integrity
from lims.services import create_record, lock_row, update_record
from tests.helpers import Snapshot, table_counts

pytestmark = pytest.mark.django_db

HIST = Project.history.model
KEY = ("default", HIST._meta.db_table)


def data(code, **extra):
    return {"code": code, "name": f"Project {code}", "focus_area": "microbiology", "entered_on": "2025-05-01",
            **extra}


def make(user, code, **extra):
    return create_record(Project, data(code, **extra), user=user, reason="application")


def chain_ok():
    result = integrity.verify_audit()
    assert result.breaks == [] and result.ok
    ids = list(HIST.objects.order_by("history_id").values_list("history_id", flat=True))
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # consecutive: no id skipped by a retried insert
    return result


def test_duplicate_on_create_is_the_field_error_and_changes_nothing(incubator_user):
    make(incubator_user, "P-1")
    before = table_counts(Project, HIST)
    with pytest.raises(ValidationError) as exc:
        make(incubator_user, "P-1")
    assert "code" in exc.value.message_dict
    assert table_counts(Project, HIST) == before
    chain_ok()


def test_field_errors_and_duplicate_are_reported_together(incubator_user):
    make(incubator_user, "P-1")
    with pytest.raises(ValidationError) as exc:
        create_record(Project, data("P-1", focus_area="nonsense"), user=incubator_user, reason="x")
    assert {"code", "focus_area"} <= set(exc.value.message_dict)


def test_duplicate_on_update_is_the_field_error_and_changes_nothing(incubator_user):
    make(incubator_user, "P-1")
    second = make(incubator_user, "P-2")
    snap = Snapshot(second)
    before = table_counts(Project, HIST)
    with pytest.raises(ValidationError) as exc:
        update_record(second, {"code": "P-1"}, user=incubator_user, reason="typo")
    assert "code" in exc.value.message_dict
    snap.assert_unchanged()
    assert table_counts(Project, HIST) == before
    # the same service goes on working in the same transaction afterwards
    update_record(second, {"name": "renamed"}, user=incubator_user, reason="typo")
    chain_ok()


def test_lock_row_is_the_orm_row(incubator_user):
    p = make(incubator_user, "P-1", space_m2=Decimal("12.5"))
    with transaction.atomic():
        locked = lock_row(Project, p.pk)
        orm = Project.objects.get(pk=p.pk)
    for f in Project._meta.concrete_fields:
        assert getattr(locked, f.attname) == getattr(orm, f.attname), f.name
    assert not locked._state.adding and locked._state.db == "default"
    with transaction.atomic(), pytest.raises(Project.DoesNotExist):
        lock_row(Project, p.pk + 1000)


def test_many_writes_stay_chained(incubator_user):
    for i in range(30):
        p = make(incubator_user, f"P-{i}")
        update_record(p, {"name": f"renamed {i}"}, user=incubator_user, reason="typo")
    assert chain_ok().rows_checked >= 60


def test_one_statement_per_history_row_once_the_head_is_known(incubator_user):
    make(incubator_user, "P-0")
    with CaptureQueriesContext(connection) as ctx:
        make(incubator_user, "P-1")
    history_writes = [q["sql"] for q in ctx.captured_queries if HIST._meta.db_table in q["sql"]]
    assert len(history_writes) == 1 and history_writes[0].lstrip().upper().startswith(("INSERT", "WITH"))
    chain_ok()


@pytest.mark.parametrize("stale", ["rolled back", "wrong hash", "behind", "ahead"])
def test_a_stale_head_hint_never_forks_the_chain(incubator_user, stale):
    make(incubator_user, "P-0")
    last = HIST.objects.order_by("-history_id").first()
    if stale == "rolled back":
        with pytest.raises(RuntimeError), transaction.atomic():
            make(incubator_user, "P-gone")
            raise RuntimeError
        assert integrity._HEADS[KEY][0] == last.history_id + 1  # the hint names a row that does not exist
    elif stale == "wrong hash":
        integrity._HEADS[KEY] = (last.history_id, "0" * 64)
    elif stale == "behind":  # another process wrote since
        make(incubator_user, "P-other")
        integrity._HEADS[KEY] = (last.history_id, last.history_hash)
    else:
        integrity._HEADS[KEY] = (last.history_id + 5, "f" * 64)
    make(incubator_user, "P-1")
    make(incubator_user, "P-2")
    chain_ok()


def test_purging_forgets_the_hints(incubator_user):
    make(incubator_user, "P-0")
    assert KEY in integrity._HEADS
    integrity.forget_heads()
    assert KEY not in integrity._HEADS
    make(incubator_user, "P-1")
    chain_ok()
