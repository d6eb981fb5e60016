"""The batch's labels page and panel, printing and reconciling from the page, the print-job list."""

import pytest

from production.labelling.models import LabelReconciliation, PrintJob
from tests.helpers import assert_history


@pytest.mark.django_db
def test_batch_page_shows_the_labels_panel(client_for, production_user, started):
    html = client_for(production_user).get(started.get_absolute_url()).content.decode()
    assert "Issue the labels (print job)" in html
    assert f"/production/labelling/batches/{started.lot_number}/print/" in html


@pytest.mark.django_db
def test_print_and_reconcile_from_the_page(client_for, production_user, started):
    client = client_for(production_user)
    page = client.get(f"/production/labelling/batches/{started.lot_number}/")
    assert page.status_code == 200
    response = client.post(f"/production/labelling/batches/{started.lot_number}/print/",
                           {"template": "case", "stock": "", "copies": 2, "reason": "shipping"}, follow=True)
    job = PrintJob.objects.get()
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"#job-{job.pk}")
    assert job.pdf_url in html and f"Print job {job.pk} recorded" in html
    # reloading the page (a GET) prints nothing
    client.get(response.redirect_chain[-1][0])
    assert PrintJob.objects.count() == 1
    # the page's form needs a reason
    no_reason = client.post(f"/production/labelling/batches/{started.lot_number}/print/",
                            {"template": "case", "stock": "", "copies": 2, "reason": ""})
    assert no_reason.status_code == 200 and PrintJob.objects.count() == 1
    assert (job.serial_from, job.serial_to) == ("000001", "000002")
    assert_history(job, user=production_user, reason="shipping")
    url = f"/production/labelling/batches/{started.lot_number}/reconcile/"
    refused = client.post(url, {"template": "case", "used": 1, "destroyed": 0, "returned": 0})
    assert refused.status_code == 200 and "reason is required" in refused.content.decode()
    assert LabelReconciliation.objects.count() == 0
    assert client.post(url, {"template": "case", "used": 1, "destroyed": 1, "returned": 0}).status_code == 302
    assert LabelReconciliation.objects.get().issued == 2


@pytest.mark.django_db
def test_page_refuses_printing_a_planned_batch(client_for, production_user, planned):
    client = client_for(production_user)
    response = client.post(f"/production/labelling/batches/{planned.lot_number}/print/",
                           {"template": "unit", "copies": 1, "reason": "print"})
    assert response.status_code == 200 and "never for planned" in response.content.decode()
    assert PrintJob.objects.count() == 0


@pytest.mark.django_db
def test_print_job_list_and_export(client_for, production_user, outsider, started):
    from production.labelling import services

    services.print_labels(started, "unit", None, 3, user=production_user, reason="print")
    client = client_for(production_user)
    assert started.lot_number in client.get("/production/labelling/print-jobs/").content.decode()
    export = client.get("/production/labelling/print-jobs/", {"export": "csv"})
    assert export.status_code == 200
    assert started.lot_number in b"".join(export.streaming_content).decode("utf-8-sig")
    assert client_for(outsider).get("/production/labelling/print-jobs/").status_code == 403


@pytest.mark.django_db
def test_home_warns_about_unreconciled_labels(client_for, production_user, started):
    from production import services as production_services
    from production.labelling import services

    services.print_labels(started, "unit", None, 5, user=production_user, reason="print")
    batch = production_services.complete_batch(started, quantity_made=5, user=production_user, reason="done")
    html = client_for(production_user).get("/").content.decode()
    assert f"Reconcile the labels of {batch.lot_number}" in html
    services.reconcile_labels(batch, "unit", 5, 0, 0, user=production_user, reason="print")
    assert batch.lot_number not in client_for(production_user).get("/").content.decode()


@pytest.mark.django_db
def test_api_lists_print_jobs_and_reconciliations(api_for, production_user, outsider, started):
    from production.labelling import services

    services.print_labels(started, "case", None, 2, user=production_user, reason="print")
    url = f"/api/v1/production/labels/{started.lot_number}/"
    body = api_for(production_user).get(url).json()
    assert body["issued"] == 2
    assert body["print_jobs"][0]["serial_from"] == "000001"
    assert api_for(outsider).get(url).status_code == 403
    assert api_for(None).get(url).status_code == 401


@pytest.mark.django_db
def test_print_job_list_query_count_is_constant(client_for, production_user, started):
    from production.labelling import services
    from tests.helpers import assert_constant_queries
    from tests.labelling.factories import make_started_batch

    services.print_labels(started, "unit", None, 1, user=production_user, reason="print")

    def add_rows():
        for _ in range(3):
            services.print_labels(make_started_batch(production_user, "more"), "case", None, 2,
                                  user=production_user, reason="print")

    assert_constant_queries(client_for(production_user), "/production/labelling/print-jobs/", add_rows)


@pytest.mark.django_db
def test_page_maps_a_stock_the_template_refuses_to_the_field(client_for, production_user, started):
    response = client_for(production_user).post(f"/production/labelling/batches/{started.lot_number}/print/",
                                                {"template": "case", "stock": "roll-60x40", "copies": 1,
                                                 "reason": "print"})
    assert response.status_code == 200 and "is printed on" in response.content.decode()
    assert PrintJob.objects.count() == 0
