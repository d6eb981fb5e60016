"""The label job started from the released batch (issue 19 item 5): the batch page's print form proposes the
case labels still to issue for the kits released, as a PDF made in the background; the reason is still typed and
still required."""

import pytest
from django.urls import reverse

from production.labelling import services
from production.labelling.models import PrintJob
from production.labelling.views import print_initial
from tests.regulatory.factories import make_released_batch

pytestmark = pytest.mark.django_db


def test_the_print_form_proposes_the_case_labels_of_the_kits_released(client_for, admin_user, production_user,
                                                                      settings):
    settings.LIMS_KITS_PER_CASE = 20
    batch = make_released_batch(admin_user, made=350)
    assert print_initial(batch) == {"template": "case", "copies": 18, "output": "pdf"}
    services.print_labels(batch, "case", None, 5, user=admin_user, reason="first cases")
    assert print_initial(batch)["copies"] == 13
    page = client_for(production_user).get(batch.get_absolute_url())
    form = next(p["context"]["print_form"] for p in page.context["panels"] if "print_form" in (p["context"] or {}))
    assert {k: form.initial[k] for k in ("template", "copies", "output")} == {"template": "case", "copies": 13,
                                                                           "output": "pdf"}


def test_nothing_is_proposed_before_release(admin_user):
    from tests.regulatory.factories import make_batch

    assert print_initial(make_batch(admin_user, "test", made=100)) == {}  # awaiting QC


def test_the_prefilled_job_still_needs_a_reason(client_for, admin_user, production_user):
    batch = make_released_batch(admin_user, made=40)
    response = client_for(production_user).post(reverse("labelling:batch-print", args=[batch.lot_number]), {
        "template": "case", "copies": 2, "output": "pdf"})
    assert response.status_code in (200, 302) and PrintJob.objects.filter(batch=batch).count() == 0
