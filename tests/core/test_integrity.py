"""Tamper evidence (21 CFR 11.10(e), Annex 11 §9): every history row and signature is chained by hash, the
database refuses UPDATE and DELETE on them, and the verification reports a changed or removed row with its
table and id. Runs on SQLite and on PostgreSQL (CI's second pass)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from incubator.models import Project
from lims import integrity
from lims.audit import audited
from lims.checks import audit_tables_are_protected, domain_models_have_history
from lims.models import AuditVerification, Signature
from lims.services import create_record, update_record
from lims.signatures import sign

pytestmark = pytest.mark.django_db

HIST = Project.history.model
HIST_TABLE = HIST._meta.db_table


@pytest.fixture
def projects(incubator_user):
    made = []
    for i in range(3):
        p = create_record(Project, {"code": f"P-{i}", "name": f"Project {i}", "focus_area": "microbiology",
                                    "entered_on": "2025-05-01"}, user=incubator_user, reason="application")
        made.append(update_record(p, {"name": f"Project {i} (renamed)"}, user=incubator_user, reason="typo"))
    return made


def qn(name):
    return connection.ops.quote_name(name)


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class without_triggers:
    """Drop the immutability triggers of ``tables`` inside the test (as an attacker with SQL access would),
    then put them back."""

    def __init__(self, *tables):
        self.tables = tables

    def __enter__(self):
        integrity.drop_triggers(connection, self.tables)

    def __exit__(self, *exc):
        integrity.install_triggers(connection, list(self.tables))


def breaks_of(result, table):
    return [b for b in result.breaks if b["table"] == table]


def test_a_clean_trail_verifies(projects):
    result = integrity.verify_audit()
    assert result.ok, result.breaks
    assert result.rows_checked >= HIST.objects.count() == 6
    assert result.breaks == []


def test_rows_are_linked_with_consecutive_ids(projects):
    rows = list(HIST.objects.order_by("history_id").values_list("history_id", "history_hash"))
    ids = [r[0] for r in rows]
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    assert all(len(h) == 64 for _i, h in rows) and len({h for _i, h in rows}) == len(rows)
    # Each hash covers the previous one: recompute the first two by hand.
    cols = integrity.columns(HIST)
    first, second = HIST.objects.order_by("history_id")[:2]
    h1 = integrity.row_hash(HIST_TABLE, "", integrity.canonical(cols, [getattr(first, c.attname) for c in cols]))
    h2 = integrity.row_hash(HIST_TABLE, h1, integrity.canonical(cols, [getattr(second, c.attname) for c in cols]))
    assert (first.history_hash, second.history_hash) == (h1, h2)


def test_every_tracked_model_verifies_after_its_factory_writes(user_factory):
    from tests.core.test_every_model_audited import FACTORIES

    user = user_factory("writer", "Admin", superuser=True)
    for make in FACTORIES.values():
        obj = make(user, "created for the chain test")
        update_record(obj, {}, user=user, reason="edited for the chain test")
    result = integrity.verify_audit()
    assert result.ok, result.breaks[:5]
    assert result.rows_checked > 2 * len(FACTORIES)


def test_rows_written_in_bulk_are_chained(production_user):
    from production.models import ProcessStep, Product
    from tests.production.factories import make_product

    make_product(production_user, "new product")  # the process steps: bulk_create_tracked
    assert Product.objects.count() == 1
    steps = ProcessStep.history.model.objects.order_by("history_id")
    assert steps.count() > 1 and all(steps.values_list("history_hash", flat=True))
    assert integrity.verify_audit().ok


def test_a_row_changed_with_raw_sql_is_reported_with_table_and_id(projects):
    target = HIST.objects.order_by("history_id")[2]
    with without_triggers(HIST_TABLE):
        raw(f"UPDATE {qn(HIST_TABLE)} SET history_change_reason = %s WHERE history_id = %s",
            ["nobody asked", target.history_id])
    result = integrity.verify_audit()
    assert not result.ok
    assert breaks_of(result, HIST_TABLE) == [{"table": HIST_TABLE, "id": target.history_id,
                                              "detail": "content does not match its hash: the row was changed"}]
    assert [b["table"] for b in result.breaks] == [HIST_TABLE]  # the other chains are untouched


def test_a_row_deleted_with_raw_sql_is_reported(projects):
    rows = list(HIST.objects.order_by("history_id").values_list("history_id", flat=True))
    gone, after = rows[2], rows[3]
    with without_triggers(HIST_TABLE):
        raw(f"DELETE FROM {qn(HIST_TABLE)} WHERE history_id = %s", [gone])
    result = integrity.verify_audit()
    assert not result.ok
    [found] = breaks_of(result, HIST_TABLE)
    assert found["id"] == after
    assert f"row #{gone} before this row was removed" in found["detail"]


def test_rows_removed_at_the_end_are_caught_by_the_last_checks_heads(projects, auditor_user):
    run, result = integrity.run_verification(user=auditor_user)
    assert run.ok and run.heads[HIST_TABLE][0] == HIST.objects.order_by("-history_id").first().history_id
    last = run.heads[HIST_TABLE][0]
    with without_triggers(HIST_TABLE):
        raw(f"DELETE FROM {qn(HIST_TABLE)} WHERE history_id = %s", [last])
    run2, result2 = integrity.run_verification(user=auditor_user)
    assert not run2.ok
    assert breaks_of(result2, HIST_TABLE)[0]["id"] == last
    assert "removed since the last check" in breaks_of(result2, HIST_TABLE)[0]["detail"]


def test_signatures_are_chained_and_a_changed_one_is_reported(projects, qa_user):
    with audited(user=qa_user, reason="review"):
        first = sign(projects[0], user=qa_user, meaning="approved", reason="ok")
        second = sign(projects[1], user=qa_user, meaning="approved", reason="ok too")
    assert second.pk == first.pk + 1
    cols = integrity.columns(Signature)
    stored = Signature.objects.get(pk=second.pk)
    content = integrity.canonical(cols, [getattr(stored, c.attname) for c in cols])
    assert stored.signature_hash == integrity.row_hash("lims_signature", first.signature_hash, content)
    assert integrity.verify_audit().ok
    with without_triggers("lims_signature"):
        raw("UPDATE lims_signature SET meaning = 'rejected' WHERE id = %s", [first.pk])
    result = integrity.verify_audit()
    assert breaks_of(result, "lims_signature") == [
        {"table": "lims_signature", "id": first.pk, "detail": "content does not match its hash: the row was changed"}]


def test_the_database_refuses_update_and_delete_of_history_and_signatures(projects, qa_user):
    with audited(user=qa_user, reason="review"):
        signature = sign(projects[0], user=qa_user, meaning="approved")
    row = HIST.objects.order_by("history_id").first()
    for sql, params in [
        (f"UPDATE {qn(HIST_TABLE)} SET history_change_reason = 'x' WHERE history_id = %s", [row.history_id]),
        (f"DELETE FROM {qn(HIST_TABLE)} WHERE history_id = %s", [row.history_id]),
        ("UPDATE lims_signature SET reason = 'x' WHERE id = %s", [signature.pk]),
        ("DELETE FROM lims_signature WHERE id = %s", [signature.pk]),
    ]:
        with pytest.raises(DatabaseError, match="never changed or deleted"), transaction.atomic():
            raw(sql, params)
    # The ORM cannot do it either.
    with pytest.raises(DatabaseError), transaction.atomic():
        HIST.objects.filter(pk=row.pk).update(history_change_reason="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        HIST.objects.filter(pk=row.pk).delete()
    with pytest.raises(ValueError):
        row.save()
    assert HIST.objects.get(pk=row.pk).history_change_reason == row.history_change_reason
    assert Signature.objects.filter(pk=signature.pk, reason="").exists()
    assert integrity.verify_audit().ok


@pytest.mark.postgres
def test_postgresql_refuses_truncate_and_a_disabled_trigger_is_reported(projects):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with pytest.raises(DatabaseError, match="TRUNCATE"), transaction.atomic():
        raw(f"TRUNCATE {qn(HIST_TABLE)}")
    assert HIST.objects.count() == 6
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before ALTER TABLE
    raw(f"ALTER TABLE {qn(HIST_TABLE)} DISABLE TRIGGER lims_immutable")
    try:
        assert HIST_TABLE in integrity.unprotected_tables(connection)
        raw(f"UPDATE {qn(HIST_TABLE)} SET name = 'x' WHERE history_id = (SELECT min(history_id) FROM "
            f"{qn(HIST_TABLE)})")
    finally:
        raw(f"ALTER TABLE {qn(HIST_TABLE)} ENABLE TRIGGER lims_immutable")
    result = integrity.verify_audit()
    assert [b["table"] for b in result.breaks] == [HIST_TABLE]


def test_a_table_without_its_trigger_is_a_system_check_error_and_migrate_reinstalls_it(projects):
    assert audit_tables_are_protected(None, databases=["default"]) == []
    integrity.drop_triggers(connection, [HIST_TABLE])
    errors = audit_tables_are_protected(None, databases=["default"])
    assert [e.id for e in errors] == ["lims.E003"] and HIST_TABLE in errors[0].msg
    assert integrity.install_triggers(connection) == [HIST_TABLE]  # what post_migrate runs
    assert integrity.install_triggers(connection) == []  # idempotent
    assert audit_tables_are_protected(None, databases=["default"]) == []


def test_every_domain_model_has_history_or_a_stated_reason(monkeypatch):
    assert domain_models_have_history(None) == []
    from lims import checks

    allowed = dict(checks.UNTRACKED_ALLOWED)
    allowed.pop("monitoring.reading")
    monkeypatch.setattr(checks, "UNTRACKED_ALLOWED", allowed)
    errors = domain_models_have_history(None)
    assert [(e.id, e.obj._meta.label) for e in errors] == [("lims.E002", "monitoring.Reading")]


def test_flush_is_refused_outside_the_test_settings(settings, projects):
    settings.TESTING = False
    with pytest.raises(CommandError, match="never purged"):
        call_command("flush", interactive=False, verbosity=0)
    assert HIST.objects.count() == 6


def test_verify_command_reports_breaks_and_exit_status(projects, capsys):
    call_command("verify_audit", "--quiet")
    assert "intact" in capsys.readouterr().out
    target = HIST.objects.order_by("history_id").first()
    with without_triggers(HIST_TABLE):
        raw(f"UPDATE {qn(HIST_TABLE)} SET code = 'P-X' WHERE history_id = %s", [target.history_id])
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", "--quiet")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"BREAK {HIST_TABLE} #{target.history_id}" in out
    assert AuditVerification.objects.count() == 2


def test_api_verify_by_role(api_for, auditor_user, qa_user, admin_user, production_user, outsider, projects):
    for user in (auditor_user, qa_user, admin_user):
        response = api_for(user).get("/api/v1/audit/verify/")
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is True and body["breaks"] == [] and body["rows_checked"] >= 6
    for user in (production_user, outsider):
        assert api_for(user).get("/api/v1/audit/verify/").status_code == 403
    assert api_for(None).get("/api/v1/audit/verify/").status_code == 401
    target = HIST.objects.order_by("history_id").last()
    with without_triggers(HIST_TABLE):
        raw(f"UPDATE {qn(HIST_TABLE)} SET name = 'rewritten' WHERE history_id = %s", [target.history_id])
    body = api_for(auditor_user).get("/api/v1/audit/verify/").json()
    assert body["ok"] is False
    assert body["breaks"][0]["table"] == HIST_TABLE and body["breaks"][0]["id"] == target.history_id
    assert AuditVerification.objects.filter(run_by=auditor_user).count() == 2


def test_verify_page_shows_the_last_check_and_runs_one(client_for, auditor_user, production_user, projects,
                                                       django_capture_on_commit_callbacks):
    from lims.tasks.models import TaskRun

    url = reverse("audit-verify")
    assert client_for(production_user).get(url).status_code == 403
    assert client_for(production_user).post(url).status_code == 403
    assert AuditVerification.objects.count() == 0 and TaskRun.objects.count() == 0
    client = client_for(auditor_user)
    page = client.get(url)
    assert page.status_code == 200 and b"has not been verified yet" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    task = TaskRun.objects.get(kind="lims.verify_audit")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"  # progress, then result
    assert task.state == TaskRun.State.SUCCEEDED and task.started_by == auditor_user
    run = AuditVerification.objects.get()
    assert run.ok and run.run_by == auditor_user and run.rows_checked >= 6
    assert task.progress_done == task.progress_total >= 6 and task.result_url == f"{url}?run={run.pk}"
    response = client.get(task.result_url)
    assert b"Intact" in response.content and b"audit/verify" in client.get("/").content


def test_canonical_form_is_stable_across_value_types():
    from production.models import BomLine

    hist = BomLine.history.model
    cols = integrity.columns(hist)
    col = next(c for c in cols if c.attname == "quantity_per_kit")
    assert col.canonical(Decimal("1.5")) == col.canonical("1.50") == col.canonical(1.5)
    history_date = next(c for c in cols if c.attname == "history_date")
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    assert history_date.canonical(moment) == history_date.canonical(
        moment.astimezone(timezone(timedelta(hours=8)))) == "2026-01-01T08:00:00.000000+00:00"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_table_keep_one_unbroken_chain(incubator_user):
    """PostgreSQL: writers of the same history table queue on the table's advisory lock, so ids stay
    consecutive and every row links to the one before it."""
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent PostgreSQL writers")
    writers = 8
    start = threading.Barrier(writers)
    errors = []

    def write(n):
        try:
            start.wait()
            for i in range(5):
                create_record(Project, {"code": f"C-{n}-{i}", "name": "x", "focus_area": "microbiology",
                                        "entered_on": "2025-05-01"}, user=incubator_user, reason="parallel")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = list(HIST.objects.order_by("history_id").values_list("history_id", flat=True))
    assert len(ids) == writers * 5 and ids == list(range(ids[0], ids[0] + len(ids)))
    result = integrity.verify_audit()
    assert result.ok, result.breaks
