"""The audit trail (21 CFR 11.10(e), Annex 11 §9) and electronic signatures (11.50, 11.70, 11.200)."""

import csv
import io

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from incubator.models import Project
from lims.audit import AuditContextMissing, audited, service
from lims.errors import BadSignature, SigningLocked
from lims.history import object_history, tracked_models
from lims.models import Signature, SignatureFailure
from lims.services import update_record
from lims.signatures import SIGNING_FAILURE_LIMIT, SigningAction, sign, signature_rows
from tests.conftest import sig
from tests.helpers import Snapshot, assert_history

pytestmark = pytest.mark.django_db


APPROVE_PROJECT = SigningAction("tests.approve_project", ("approved",))


@service(signs=APPROVE_PROJECT)
def approve_project(project, *, user, reason, username, password, meaning=""):
    """A signing service as the apps write them: change, then sign the new version."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.stage = Project.Stage.INCUBATING
    project.save()
    sign(project, user=user, meaning=meaning, reason=reason)
    return project


@pytest.fixture
def project(incubator_user):
    with audited(user=incubator_user, reason="application received"):
        return Project.objects.create(code="P-07", name="3D microbial culture", focus_area="microbiology",
                                      entered_on="2025-05-01")


def test_history_row_has_user_and_reason(project, incubator_user):
    assert_history(project, user=incubator_user, reason="application received", type="+")


def test_a_write_without_an_acting_user_is_refused():
    with pytest.raises(AuditContextMissing):
        Project.objects.create(code="P-X", name="x", focus_area="other", entered_on="2025-01-01")
    assert not Project.objects.filter(code="P-X").exists()


def test_an_edit_without_a_reason_is_refused(project, incubator_user):
    from lims.errors import ReasonRequired

    snap = Snapshot(project)
    for blank in ("", "   "):
        with pytest.raises(ReasonRequired) as err:
            update_record(project, {"team_lead": "Dr Wu"}, user=incubator_user, reason=blank)
        assert err.value.code == "reason_required"
    snap.assert_unchanged()


def test_a_creation_without_a_reason_stores_the_action_code_marked_system(incubator_user):
    from lims.audit import reason_display
    from lims.services import create_record

    project = create_record(Project, {"code": "P-S", "name": "s", "focus_area": "other",
                                      "entered_on": "2025-01-01"}, user=incubator_user, reason="")
    row = assert_history(project, user=incubator_user, reason="create_record", type="+")
    assert row.history_reason_system is True
    typed = update_record(project, {"name": "t"}, user=incubator_user, reason="typo")
    assert typed.history.latest().history_reason_system is False
    assert reason_display("create_record", True) == "Record created"
    from django.utils import translation

    with translation.override("zh-hans"):
        assert reason_display("create_record", True) == "创建记录"


def test_every_domain_model_is_tracked_with_a_reason_column():
    models = tracked_models()
    assert Project in models
    for model in models:
        fields = {f.name for f in model.history.model._meta.fields}
        assert {"history_user", "history_change_reason", "history_date"} <= fields, model


def test_object_history_shows_field_level_diffs(project, incubator_user):
    update_record(project, {"name": "3D culture platform", "team_lead": "Dr Wu"}, user=incubator_user,
                  reason="renamed at review")
    entries = object_history(project)
    assert entries[0]["type"] == "changed"
    assert entries[0]["reason"] == "renamed at review"
    assert entries[0]["user"] == "incubator"
    changes = {c["field"]: (c["old"], c["new"]) for c in entries[0]["changes"]}
    assert changes == {"name": ("3D microbial culture", "3D culture platform"), "team_lead": ("", "Dr Wu")}
    assert entries[1]["type"] == "created"


def test_history_page_role_and_content(client_for, project, incubator_user, outsider, auditor_user):
    url = reverse("object-history", args=["incubator", "project", project.pk])
    assert client_for(outsider).get(url).status_code == 403
    response = client_for(auditor_user).get(url)
    assert response.status_code == 200
    assert "application received" in response.content.decode()
    assert client_for(auditor_user).get(reverse("object-history", args=["auth", "user", 1])).status_code == 404


def test_audit_log_filters_and_csv(client_for, project, incubator_user, auditor_user, production_user):
    update_record(project, {"name": "renamed"}, user=incubator_user, reason="board decision")
    client = client_for(auditor_user)
    assert client_for(production_user).get(reverse("audit-log")).status_code == 403
    response = client.get(reverse("audit-log"), {"user": incubator_user.pk, "model": "incubator.project"})
    assert response.status_code == 200
    assert "board decision" in response.content.decode()
    response = client.get(reverse("audit-log"), {"user": auditor_user.pk})
    assert "board decision" not in response.content.decode()
    response = client.get(reverse("audit-log"), {"export": "csv", "model": "incubator.project"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["history_id", "date", "user"]
    assert [r[6] for r in rows[1:]] == ["board decision", "application received"]


def test_audit_log_rejects_bad_filters(client_for, auditor_user):
    response = client_for(auditor_user).get(reverse("audit-log"), {"object_id": "5", "date_from": "2026-02-02",
                                                                   "date_to": "2026-01-01"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"model", "date_to"}


def test_history_is_read_only_in_admin(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    historical = Project.history.model
    assert historical not in site._registry or not site._registry[historical].has_change_permission(request)
    sig_admin = site._registry[Signature]
    assert not sig_admin.has_change_permission(request) and not sig_admin.has_delete_permission(request)


# --- signatures -------------------------------------------------------------------------------------------

def test_signing_binds_the_exact_version(project, qa_user):
    signed = approve_project(project, user=qa_user, **sig(qa_user), reason="ready to incubate")
    (signature,) = Signature.objects.for_object(signed)
    assert signature.signer == qa_user and signature.meaning == "approved"
    assert signature.printed_name == "Qa Tester"
    assert signature.history_id == signed.history.latest().history_id
    assert signature_rows(signed)[0].changed_after is False


def test_a_change_after_signing_shows(project, qa_user, incubator_user):
    signed = approve_project(project, user=qa_user, **sig(qa_user), reason="ok")
    update_record(signed, {"team_lead": "Dr Li"}, user=incubator_user, reason="new lead")
    assert signature_rows(signed)[0].changed_after is True


def test_editing_a_signed_record_needs_a_reason(project, qa_user, incubator_user):
    from lims.errors import ReasonRequired

    signed = approve_project(project, user=qa_user, **sig(qa_user), reason="ok")
    snap = Snapshot(signed)
    with pytest.raises(ReasonRequired):
        update_record(signed, {"team_lead": "Dr Li"}, user=incubator_user, reason="  ")
    snap.assert_unchanged()


def test_wrong_password_signs_nothing_and_is_recorded(project, qa_user):
    snap = Snapshot(project)
    with pytest.raises(BadSignature) as err:
        approve_project(project, user=qa_user, **sig(qa_user, "wrong"), reason="ok")
    assert err.value.code == "bad_signature"
    snap.assert_unchanged()
    assert Signature.objects.count() == 0
    assert SignatureFailure.objects.filter(user=qa_user).count() == 1


def test_repeated_failures_lock_signing(project, qa_user):
    for _ in range(SIGNING_FAILURE_LIMIT):
        with pytest.raises(BadSignature):
            approve_project(project, user=qa_user, **sig(qa_user, "wrong"), reason="ok")
    with pytest.raises(SigningLocked):
        approve_project(project, user=qa_user, **sig(qa_user), reason="ok")
    assert Signature.objects.count() == 0


def test_a_user_without_the_signing_right_cannot_sign(project, outsider):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        approve_project(project, user=outsider, **sig(outsider), reason="ok")
    assert Signature.objects.count() == 0
    project.refresh_from_db()
    assert project.stage == "applied"


def test_signatures_cannot_be_altered(project, qa_user):
    signed = approve_project(project, user=qa_user, **sig(qa_user), reason="ok")
    signature = Signature.objects.for_object(signed).get()
    signature.reason = "tampered"
    with pytest.raises(ValueError):
        signature.save()
    with pytest.raises(ValueError):
        signature.delete()


def test_audit_log_and_signature_list_keep_a_constant_query_count(client_for, auditor_user, qa_user,
                                                                   incubator_user):
    from tests.helpers import assert_constant_queries

    def more(n=5):
        for i in range(n):
            with audited(user=incubator_user, reason="bulk"):
                project = Project.objects.create(code=f"Q-{Project.objects.count()}-{i}", name="x",
                                                 focus_area="other", entered_on="2025-01-01")
            approve_project(project, user=qa_user, **sig(qa_user), reason="ok")

    more(2)
    client = client_for(auditor_user)
    assert_constant_queries(client, reverse("audit-log"), more)
    assert_constant_queries(client, reverse("signature-list"), more)


def test_a_non_numeric_version_is_a_field_error(project, incubator_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        update_record(project, {"name": "y"}, user=incubator_user, reason="edit", expected_version="abc")
    assert err.value.message_dict == {"version": ["A whole number is required."]}
    project.refresh_from_db()
    assert project.name == "3D microbial culture"


def test_a_user_id_that_is_not_the_signers_is_a_bad_signature(project, qa_user, qc_user):
    snap = Snapshot(project)
    with pytest.raises(BadSignature):
        approve_project(project, user=qa_user, **sig(qc_user), reason="ok")
    snap.assert_unchanged()
    assert Signature.objects.count() == 0
    failure = SignatureFailure.objects.get(user=qa_user)
    assert "user id given" in failure.action


def test_a_contradicting_meaning_is_a_field_error_and_writes_nothing(project, qa_user):
    from django.core.exceptions import ValidationError

    snap = Snapshot(project)
    with pytest.raises(ValidationError) as err:
        approve_project(project, user=qa_user, **sig(qa_user), meaning="released",
                        reason="ok")
    assert set(err.value.message_dict) == {"meaning"}
    snap.assert_unchanged()
    assert Signature.objects.count() == 0 and SignatureFailure.objects.count() == 0


def test_a_service_taking_a_password_must_declare_its_signing_action():
    with pytest.raises(TypeError):
        @service
        def sneaky(obj, *, user, reason="", password=""):
            return obj
    with pytest.raises(TypeError):
        @service(signs=APPROVE_PROJECT)
        def one_component(obj, *, user, reason="", password="", meaning=""):
            return obj


def test_the_system_check_catches_a_signing_page_without_both_components():
    from django import forms

    from lims.checks import signing_takes_both_components
    from lims.pages import SigningActionView

    assert signing_takes_both_components(None) == []

    class PasswordOnly(forms.Form):
        password = forms.CharField()

    class Sloppy(SigningActionView):
        form_class = PasswordOnly

        def perform(self, form, obj):
            return obj

    try:
        errors = signing_takes_both_components(None)
        assert [e.id for e in errors] == ["lims.E010"] and "username" in errors[0].msg
    finally:
        del Sloppy  # the class stays registered as a subclass until collected
        import gc

        gc.collect()

