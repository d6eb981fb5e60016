"""Every tracked model's writes produce history with the acting user and the reason (Annex 11 §9).

Each app's tests keep ``tests/<app>/factories.py`` with ``FACTORIES = {Model: make(user, reason)}`` that create
through the app's services. A tracked model without a factory fails here, so new models are covered.
"""

from importlib import import_module
from pathlib import Path

import pytest

from lims.history import tracked_models
from lims.services import update_record
from tests.helpers import assert_history

TESTS = Path(__file__).resolve().parent.parent


def all_factories():
    merged = {}
    for path in sorted(TESTS.glob("*/factories.py")):
        module = import_module(f"tests.{path.parent.name}.factories")
        merged.update(getattr(module, "FACTORIES", {}))
    return merged


FACTORIES = all_factories()
MODELS = sorted(tracked_models(), key=lambda m: m._meta.label)


def test_every_tracked_model_has_a_factory():
    missing = [m._meta.label for m in MODELS if m not in FACTORIES]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", [m for m in MODELS if m in FACTORIES], ids=lambda m: m._meta.label)
def test_create_and_edit_write_history_with_user_and_reason(model, user_factory):
    user = user_factory("writer", "Admin", superuser=True)
    obj = FACTORIES[model](user, "created for the audit test")
    assert isinstance(obj, model)
    rows = list(obj.history.order_by("history_id"))
    assert rows, f"{model._meta.label}: no history"
    assert rows[-1].history_user_id == user.pk
    assert rows[-1].history_change_reason, f"{model._meta.label}: empty reason"
    editor = user_factory("editor", "Admin", superuser=True)
    updated = update_record(obj, {}, user=editor, reason="edited for the audit test")
    assert_history(updated, user=editor, reason="edited for the audit test", type="~")
