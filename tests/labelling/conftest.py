from datetime import timedelta

import pytest
from django.utils import timezone, translation

from lims.audit import service
from production import services as production_services
from production.models import Batch
from tests.production.factories import make_batch, make_line, make_product


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English and leaves no language behind (a zh-Hans request activates it for the
    thread)."""
    translation.activate("en")
    yield
    translation.activate("en")


@service
def force_status(batch, status, *, user, reason=""):
    """Test helper: put a batch in a state whose service belongs to another app (QA's rejection)."""
    batch = Batch.objects.get(pk=batch.pk)
    batch.status = status
    batch.save()
    return batch


@pytest.fixture
def product(production_user):
    return make_product(production_user, "setup", name="SARS-CoV-2 antigen rapid test", tests_per_kit=25,
                        ifu_version="3.1")


@pytest.fixture
def planned(production_user, product):
    return make_batch(production_user, "setup", product=product, line=make_line(production_user, "setup"))


@pytest.fixture
def started(production_user, planned):
    return production_services.start_batch(planned, user=production_user, reason="start")


@pytest.fixture
def rejected(production_user, started):
    return force_status(started, Batch.Status.REJECTED, user=production_user, reason="QA rejected")


@pytest.fixture
def expired(production_user):
    product = make_product(production_user, "setup", shelf_life_months=1)
    batch = production_services.create_batch(
        product=product, line=make_line(production_user, "setup"), planned_quantity=10,
        manufactured_on=timezone.localdate() - timedelta(days=90), user=production_user, reason="old")
    return production_services.start_batch(batch, user=production_user, reason="start",
                                           at=timezone.now() - timedelta(days=90))
