"""The one extension point (lims.registry): fixed stores, keyed entries, ordered panels."""

import pytest
from django.contrib.auth.models import AnonymousUser

from lims.registry import panels, record_section_funcs, register_panel, registered_panels, registry, unregister_panel


def test_stores_are_fixed_and_a_typo_fails_loudly():
    with pytest.raises(KeyError, match="Unknown registry store 'panel'"):
        registry["panel"]
    with pytest.raises(TypeError):
        registry["new"] = {}
    with pytest.raises(ValueError, match="Unknown page 'batches'"):
        register_panel("batches", "x.html")


def test_higher_apps_registered_their_parts_from_ready():
    batch = [p.template_name for p in registered_panels("batch")]
    assert {"qc/includes/batch_panel.html", "monitoring/includes/batch_panel.html",
            "labelling/includes/batch_panel.html"} <= set(batch)
    assert "qc/includes/product_panel.html" in [p.template_name for p in registered_panels("product")]
    assert "lab/panels/project_lab_usage.html" in [p.template_name for p in registered_panels("project")]
    assert {f.__module__ for f in record_section_funcs()} >= {"qc.record"}


def test_registering_again_replaces_and_order_and_hiding_hold(rf):
    register_panel("product", "t/b.html", lambda request, obj: {"n": obj}, order=2)
    register_panel("product", "t/a.html", lambda request, obj: None, order=1)
    register_panel("product", "t/b.html", lambda request, obj: {"n": obj * 2}, order=0)
    try:
        request = rf.get("/")
        request.user = AnonymousUser()
        shown = [p for p in panels("product", request, 21) if p["template_name"].startswith("t/")]
        assert shown == [{"template_name": "t/b.html", "context": {"n": 42}}]
    finally:
        unregister_panel("product", "t/a.html")
        unregister_panel("product", "t/b.html")
    assert not [p for p in registered_panels("product") if p.template_name.startswith("t/")]
