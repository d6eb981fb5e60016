"""Rights are records (21 CFR 11.10(d), (g), §11.100; Annex 11 §12): accounts and roles change only through
audited services with a reason; the Django admin is read-only; user names are never reused; users are never
deleted."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from lims import users
from lims.audit import audited
from lims.errors import DomainError, ReasonRequired
from lims.history import object_history
from lims.registry import DOMAIN_APPS
from lims.signatures import sign
from lims.users_models import RoleAssignment
from tests.conftest import PASSWORD
from tests.helpers import Snapshot, assert_constant_queries

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def account(admin_user):
    return users.create_user(username="jdoe", first_name="Jane", last_name="Doe",
                             initial_password="A-long-pass-4711",
                             roles=["QC"], user=admin_user, reason="new QC analyst")


def test_creating_a_user_records_who_why_and_the_role(account, admin_user):
    row = account.history.order_by("-history_id").first()
    assert (row.history_user_id, row.history_change_reason, row.history_type) == (admin_user.pk, "new QC analyst",
                                                                                  "+")
    assert not hasattr(row, "password")  # the hash is not copied into the trail
    assert list(account.groups.values_list("name", flat=True)) == ["QC"]
    assignment = RoleAssignment.objects.get(user=account)
    h = assignment.history.get()
    assert (h.history_user_id, h.history_change_reason, h.role_name, h.active) == (
        admin_user.pk, "new QC analyst", "QC", True)
    assert account.check_password("A-long-pass-4711")


def test_every_account_change_needs_a_reason(admin_user, account):
    snapshot = Snapshot(account)
    for call in (
        lambda: users.create_user(username="other", user=admin_user, reason=""),
        lambda: users.grant_role(account, "QA", user=admin_user, reason="  "),
        lambda: users.revoke_role(account, "QC", user=admin_user, reason=""),
        lambda: users.deactivate_user(account, user=admin_user, reason=""),
        lambda: users.update_user(account, first_name="J", last_name="D", email="", user=admin_user, reason=""),
    ):
        with pytest.raises(ReasonRequired):
            call()
    snapshot.assert_unchanged()
    assert not User.objects.filter(username="other").exists()
    assert list(account.groups.values_list("name", flat=True)) == ["QC"]


def test_a_user_name_is_never_reused(admin_user, account):
    users.deactivate_user(account, user=admin_user, reason="left the company")
    count = User.objects.count()
    for name in ("jdoe", "JDoe"):
        with pytest.raises(ValidationError) as exc:
            users.create_user(username=name, user=admin_user, reason="rehire")
        assert "username" in exc.value.message_dict
    assert User.objects.count() == count


def test_a_role_change_shows_old_and_new_in_the_trail(admin_user, account, client_for, auditor_user, api_for):
    users.revoke_role(account, "QC", user=admin_user, reason="moved to QA")
    users.grant_role(account, "QA", user=admin_user, reason="moved to QA")
    assert sorted(account.groups.values_list("name", flat=True)) == ["QA"]
    entries = object_history(account)  # the user's history includes the role assignments
    revoked = next(e for e in entries if e["model"] == "lims.roleassignment" and e["type"] == "changed")
    assert revoked["reason"] == "moved to QA" and revoked["user"] == admin_user.username
    assert {"field": "active", "old": "yes", "new": "no"}.items() <= revoked["changes"][0].items()  # readable
    page = client_for(auditor_user).get(reverse("audit-log"), {"model": "lims.roleassignment"})
    assert page.status_code == 200 and "moved to QA" in page.content.decode()
    history_page = client_for(auditor_user).get(reverse("object-history", args=["auth", "user", account.pk]))
    assert "moved to QA" in history_page.content.decode() and "role assignment QA" in history_page.content.decode()
    api = api_for(auditor_user).get("/api/v1/audit-log/", {"model": "lims.roleassignment"}).json()
    assert {(r["type"], r["reason"]) for r in api["results"]} >= {("changed", "moved to QA"),
                                                                  ("created", "moved to QA")}


def test_deactivated_users_keep_history_and_signatures_and_cannot_sign_in(admin_user, account, client_for):
    from incubator.models import Project

    with audited(user=account, reason="new project"):
        project = Project.objects.create(code="P-1", name="x", focus_area="y", entered_on="2025-01-01")
        sign(project, user=account, meaning="authored")
    before = account.history.count()
    users.deactivate_user(account, user=admin_user, reason="left the company")
    account.refresh_from_db()
    assert not account.is_active and account.history.count() == before + 1
    assert project.history.filter(history_user=account).exists()
    assert account.signatures.count() == 1
    response = client_for(None).post(reverse("login"), {"username": "jdoe", "password": "A-long-pass-4711"})
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session
    with pytest.raises(DomainError) as exc:
        users.grant_role(account, "QA", user=admin_user, reason="x")
    assert exc.value.code == "invalid_state"
    users.reactivate_user(account, user=admin_user, reason="came back")
    assert User.objects.get(pk=account.pk).is_active


def test_users_are_never_deleted_and_admins_cannot_lock_themselves_out(admin_user, account):
    with pytest.raises(DomainError) as exc:
        account.delete()
    assert exc.value.code == "never_deleted"
    newcomer = users.create_user(username="newcomer", user=admin_user, reason="no role yet")
    with pytest.raises(DomainError), transaction.atomic():
        User.objects.filter(pk=newcomer.pk).delete()
    assert User.objects.filter(pk=account.pk).exists()
    with pytest.raises(DomainError):
        users.deactivate_user(admin_user, user=admin_user, reason="oops")
    users.grant_role(admin_user, "Admin", user=admin_user, reason="record the role")
    with pytest.raises(DomainError):
        users.revoke_role(admin_user, "Admin", user=admin_user, reason="oops")
    with pytest.raises(DomainError) as exc:
        users.revoke_role(account, "Lab", user=admin_user, reason="never held")
    assert exc.value.code == "not_held"


def test_signing_in_writes_no_history_row(account, client_for):
    before = account.history.count()
    response = client_for(None).post(reverse("login"), {"username": "jdoe", "password": "A-long-pass-4711"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.last_login is not None and account.history.count() == before


def test_pages_are_for_the_admin_only(client_for, admin_user, auditor_user, qa_user, outsider, account):
    urls = [reverse("admin-user-list"), reverse("admin-user-create"), reverse("admin-user-detail", args=[account.pk])]
    for user in (auditor_user, qa_user, outsider):
        for url in urls:
            assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(reverse("admin-user-grant", args=[account.pk]),
                                     {"role": "QA", "reason": "x"}).status_code == 403
    client = client_for(admin_user)
    for url in urls:
        assert client.get(url).status_code == 200
    assert "jdoe" in client.get(reverse("admin-user-list"), {"q": "doe"}).content.decode()

    def add_rows():
        for i in range(5):
            users.create_user(username=f"u{i}", roles=["QC", "Lab"], user=admin_user, reason="more")

    assert_constant_queries(client, reverse("admin-user-list"), add_rows)


def test_the_admin_page_walks_the_life_of_an_account(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(reverse("admin-user-create"), {
        "username": "kim", "first_name": "Kim", "last_name": "Lee", "password": "Another-long-pass-1",
        "roles": ["Lab"], "reason": "new lab technician"})
    kim = User.objects.get(username="kim")
    assert response.status_code == 302 and response["Location"] == reverse("admin-user-detail", args=[kim.pk])
    # The same name again: a field error, nothing created.
    response = client.post(reverse("admin-user-create"), {"username": "KIM", "password": "Another-long-pass-1",
                                                          "reason": "again"})
    assert response.status_code == 200 and "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="kim").count() == 1
    # A missing reason: a field error, nothing changed.
    response = client.post(reverse("admin-user-grant", args=[kim.pk]), {"role": "QA", "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert list(kim.groups.values_list("name", flat=True)) == ["Lab"]
    assert client.post(reverse("admin-user-grant", args=[kim.pk]),
                       {"role": "QA", "reason": "covers QA"}).status_code == 302
    assert client.post(reverse("admin-user-revoke", args=[kim.pk]),
                       {"role": "Lab", "reason": "no longer in the lab"}).status_code == 302
    assert client.post(reverse("admin-user-deactivate", args=[kim.pk]),
                       {"reason": "contract ended"}).status_code == 302
    kim.refresh_from_db()
    assert not kim.is_active and list(kim.groups.values_list("name", flat=True)) == ["QA"]
    detail = client.get(reverse("admin-user-detail", args=[kim.pk])).content.decode()
    assert "no longer in the lab" in detail and "covers QA" in detail
    reasons = list(kim.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["new lab technician", "contract ended"]


def test_the_django_admin_is_read_only_for_auth_and_every_domain_model(admin_user, account, client_for):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    apps = {m.split(".")[-1] for m in DOMAIN_APPS} | {"auth"}
    checked = 0
    for model, model_admin in site._registry.items():
        if model._meta.app_label not in apps:
            continue
        checked += 1
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
    assert checked > 10 and User in site._registry
    client = client_for(admin_user)
    group = account.groups.get()
    response = client.post(reverse("admin:auth_user_change", args=[account.pk]),
                           {"username": "jdoe", "groups": [group.pk, 1], "is_active": "on"})
    assert response.status_code == 403
    assert client.post(reverse("admin:auth_user_delete", args=[account.pk]), {"post": "yes"}).status_code == 403
    assert list(account.groups.values_list("name", flat=True)) == ["QC"]


def test_the_demo_creates_its_users_through_the_services():
    from lims.demo import DEMO_PASSWORD, seed

    class Ctx:
        users = {}

        def log(self, message):
            pass

    seed(Ctx())
    seed(Ctx())  # idempotent
    qa = User.objects.get(username="qa")
    assert qa.check_password(DEMO_PASSWORD) and list(qa.groups.values_list("name", flat=True)) == ["QA"]
    admin = User.objects.get(username="admin")
    h = RoleAssignment.history.get(user_id=qa.pk)
    assert (h.history_user_id, h.history_change_reason) == (admin.pk, "demo account")
    assert {h.history_user_id for h in qa.history.all()} == {admin.pk}
    assert admin.history.first().history_reason_system  # the first administrator: a recorded system write
    assert PASSWORD == DEMO_PASSWORD
