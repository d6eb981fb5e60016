"""The UI shell: home by role, language switch per user, error pages in both languages, CSP, local assets."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from lims.models import UserPreference
from lims.roles import ROLES, declared_permissions, sync_roles

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def test_groups_exist_with_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    auditor = Group.objects.get(name="Auditor")
    codenames = set(auditor.permissions.values_list("codename", flat=True))
    assert "view_audit_log" in codenames
    assert all(c.startswith("view_") for c in codenames - {"view_audit_log"})
    assert Group.objects.get(name="Admin").permissions.count() > auditor.permissions.count()


def test_role_sync_is_idempotent_and_repairs_drift():
    qa = Group.objects.get(name="QA")
    before = set(qa.permissions.values_list("pk", flat=True))
    qa.permissions.clear()
    sync_roles()
    sync_roles()
    assert set(qa.permissions.values_list("pk", flat=True)) == before
    assert "lims.sign_records" in declared_permissions()["QA"]


def test_home_shows_what_each_role_can_do(client_for, auditor_user, outsider):
    response = client_for(auditor_user).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Auditor" in html and reverse("audit-log") in html
    response = client_for(outsider).get(reverse("home"))
    assert "no role yet" in response.content.decode()


def test_navigation_follows_permissions(client_for, auditor_user, production_user):
    assert reverse("audit-log") in client_for(auditor_user).get(reverse("home")).content.decode()
    assert reverse("audit-log") not in client_for(production_user).get(reverse("home")).content.decode()


def test_language_switch_is_kept_per_user(client_for, qa_user):
    client = client_for(qa_user)
    response = client.post(reverse("set-language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert UserPreference.objects.get(user=qa_user).language == "zh-hans"
    client.cookies.clear()
    client.force_login(qa_user)
    html = client.get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in html and "欢迎" in html


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client_for, qa_user):
    client = client_for(qa_user)
    assert client.post(reverse("set-language"), {"language": "xx"}).status_code == 404
    response = client.post(reverse("set-language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("language,text", [("en", "Access denied"), ("zh-hans", "拒绝访问")])
def test_403_page_in_both_languages(client_for, production_user, language, text):
    client = client_for(production_user)
    response = client.get(reverse("audit-log"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert text in response.content.decode()


@pytest.mark.parametrize("language,text", [("en", "Not found"), ("zh-hans", "未找到")])
def test_404_page_in_both_languages(client_for, qa_user, language, text):
    response = client_for(qa_user).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert text in response.content.decode()


def test_500_page_renders_in_chinese():
    from django.test import RequestFactory
    from django.utils import translation

    from lims.views import error_500

    with translation.override("zh-hans"):
        response = error_500(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务器错误" in response.content.decode()


def test_csp_forbids_inline_script(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_no_template_loads_anything_from_another_host():
    offenders = []
    for path in ROOT.glob("*/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"""(src|href)=["'](https?:)?//""", text) or re.search(r"<script>(?!</script>)", text):
            offenders.append(str(path.relative_to(ROOT)))
        if re.search(r"""\sstyle=["']""", text) or re.search(r"""\son[a-z]+=["']""", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_static_assets_are_served_locally(client):
    for asset in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js",
                  "vendor/chartjs/chart.umd.min.js", "lims/app.js"):
        response = client.get(settings.STATIC_URL.rstrip("/").join(["/", "/" + asset]).replace("//", "/"))
        assert response.status_code == 200, asset


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {"SECRET_KEY": "x" * 64 + "-Production-Secret-Key-4f8a9b", "ALLOWED_HOSTS": "lims.example.org",
           "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "PATH": "/usr/bin:/bin",
           "DJANGO_SETTINGS_MODULE": "lims.settings"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_a_secret_key(tmp_path):
    env = {"ALLOWED_HOSTS": "lims.example.org", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
           "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "lims.settings"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "lims.E001" in result.stdout + result.stderr


def test_collectstatic_works_with_production_storage(tmp_path):
    """WhiteNoise's manifest storage refuses assets that reference missing files (e.g. source maps)."""
    env = {"SECRET_KEY": "x" * 64, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "PATH": "/usr/bin:/bin",
           "DJANGO_SETTINGS_MODULE": "lims.settings", "STATIC_ROOT": str(tmp_path / "static")}
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
