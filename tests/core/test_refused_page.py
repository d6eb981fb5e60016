"""A refused page says who may act (issue 19, the auditor's day): the roles holding the missing permission and
their active people — for a class-based page (its permission_required) and for a ``require`` check alike."""

import pytest
from django.urls import reverse

from lims.permissions import who_may

pytestmark = pytest.mark.django_db


def who(response):
    return response.context["who_may"]


def test_a_refused_page_names_the_roles_and_people_who_may(client_for, auditor_user, user_factory):
    user_factory("lab1", "Lab", first_name="Xiu", last_name="Huang")
    user_factory("lab9", "Lab", first_name="Gone", last_name="Away").__class__.objects.filter(
        username="lab9").update(is_active=False)
    response = client_for(auditor_user).get(reverse("lab:sample-receive"))
    assert response.status_code == 403
    rows = who(response)
    assert [str(r["role"]) for r in rows] == ["Lab", "Admin"]  # the roles holding lab.add_sample, in ROLES order
    assert rows[0]["people"] == ["Xiu Huang"]  # the inactive person is not offered
    html = response.content.decode()
    assert 'id="who-may"' in html and "Xiu Huang" in html


def test_a_function_page_names_its_permission(client_for, production_user, auditor_user):
    response = client_for(production_user).get(reverse("audit-log"))
    assert response.status_code == 403
    assert "Auditor" in [str(r["role"]) for r in who(response)]


def test_the_refused_page_in_chinese_names_the_role_in_chinese(client_for, auditor_user, user_factory):
    user_factory("lab1", "Lab", first_name="Xiu", last_name="Huang")
    response = client_for(auditor_user).get(reverse("lab:sample-receive"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 403 and "检验实验室" in html and "Xiu Huang" in html and "谁可以执行此操作" in html


def test_who_may_ignores_what_is_not_a_permission():
    assert who_may(["not a permission", ""]) == []
