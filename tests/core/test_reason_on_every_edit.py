"""A reason on every edit of an existing record (EU GMP Annex 11 §9; API.md: 400 ``reason_required``): in the
services, through every API endpoint that edits, and on every edit page. Each refusal changes nothing."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lims.errors import ReasonRequired
from lims.services import update_record
from tests.core.test_every_model_audited import FACTORIES, MODELS
from tests.helpers import Snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [m for m in MODELS if m in FACTORIES], ids=lambda m: m._meta.label)
def test_the_edit_service_refuses_an_edit_without_a_reason(model, user_factory):
    user = user_factory("writer", "Admin", superuser=True)
    obj = FACTORIES[model](user, "created")
    snap = Snapshot(obj)
    for blank in ("", "  ", None):
        with pytest.raises(ReasonRequired):
            update_record(obj, {}, user=user, reason=blank)
    snap.assert_unchanged()


def _api_edit_routes():
    """(route, viewset class) of every API detail route whose viewset edits (``partial_update``)."""
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                actions = getattr(p.callback, "actions", None) or {}
                if actions.get("patch") == "partial_update":
                    found.append((prefix + str(p.pattern), p.callback.cls))

    walk(get_resolver().url_patterns, "/")
    return found


ROUTES = _api_edit_routes()


def test_the_api_has_edit_routes_to_walk():
    assert len(ROUTES) >= 8, ROUTES


@pytest.mark.parametrize("route,viewset", ROUTES, ids=[r for r, _ in ROUTES])
def test_every_api_edit_without_a_reason_is_400_reason_required(route, viewset, api_for, user_factory):
    model = viewset.queryset.model
    if model not in FACTORIES:
        pytest.skip(f"no factory for {model._meta.label}")
    admin = user_factory("editor", "Admin", superuser=True)
    obj = FACTORIES[model](admin, "created")
    lookup = getattr(viewset, "lookup_field", "pk")
    key = getattr(obj, lookup if lookup != "pk" else "pk")
    url = route.replace("^", "").replace("$", "")
    import re

    url = re.sub(r"\(\?P<[^>]+>[^)]*\)|<[^>]+>", str(key), url).replace("\\.(?P<format>[a-z0-9]+)/?", "")
    snap = Snapshot(obj)
    response = api_for(admin).patch(url, {"version": obj.version}, format="json")
    assert response.status_code == 400, (url, response.content)
    assert response.json()["code"] == "reason_required"
    snap.assert_unchanged()


EDIT_PAGES = ["incubator:project-edit", "incubator:milestone-edit", "incubator:kpi-edit", "lab:client-edit",
              "lab:assay-edit", "lab:sample-correct"]


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_every_edit_page_requires_a_reason_and_says_why(name, client_for, user_factory):
    from incubator.models import KPI, Milestone, Project
    from lab.models import Assay, Client, Sample

    model = {"project-edit": Project, "milestone-edit": Milestone, "kpi-edit": KPI, "client-edit": Client,
             "assay-edit": Assay, "sample-correct": Sample}[name.split(":")[1]]
    admin = user_factory("editor", "Admin", superuser=True)
    obj = FACTORIES[model](admin, "created")
    url = reverse(name, args=[obj.pk])
    client = client_for(admin)
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.fields["reason"].required, name
    data = {}
    for field_name, field in form.fields.items():
        value = form.initial.get(field_name, field.initial)
        if value is None:
            continue
        data[field_name] = value.pk if hasattr(value, "pk") else value
    data["reason"] = ""
    snap = Snapshot(obj)
    response = client.post(url, data)
    assert response.status_code in (200, 400)
    assert "reason" in response.context["form"].errors
    snap.assert_unchanged()
