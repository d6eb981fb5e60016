"""The auditor's day in a real browser (issue 19): the audit trail searched by lot and by person, the lot's trail
exported as CSV, the electronic signatures, the audit-chain verification started and its result read, a batch's
story — and every write refused, each refused page naming the roles and people who may act. In English at
1280 px and in Chinese at 800 px."""


from lab.models import Sample
from lims.models import AuditVerification
from production.models import Batch
from tests.browser.role_steps import LANGUAGES, MARKS, download, seed_demo, submit

pytestmark = MARKS

WRITES = [  # one write page of each app the auditor may read
    "/production/batches/new/", "/production/material-lots/new/", "/qc/inspections/new/", "/qc/deviations/new/",
    "/regulatory/certifications/new/", "/regulatory/dossiers/new/", "/incubator/projects/new/",
    "/lab/samples/new/", "/production/monitoring/limits/new/",
]


def refused(journey, path):
    """Open a write page: 403, and the page says who may act. Chromium logs the refused document itself as a
    console error ("Failed to load resource: … 403"): that one expected line is taken off the journey's errors."""
    response = journey.page.goto(f"{journey.base_url}{path}")
    journey._did(f"open {path}")
    assert response.status == 403, f"{path} answered {response.status} to the auditor"
    assert journey.page.locator("#who-may [data-role]").count() >= 1, f"{path} does not say who may act"
    expected = [e for e in journey.errors if "status of 403" in e and e.endswith(f"({journey.base_url}{path})")]
    assert len(expected) <= 1
    for e in expected:
        journey.errors.remove(e)


@LANGUAGES
def test_the_auditor_day(journey, language, width):
    seed_demo()
    batch = Batch.objects.filter(status=Batch.Status.RELEASED).order_by("-pk").first()
    assert batch is not None
    before = (Batch.history.count(), Sample.history.count())

    day = journey("auditor-day", language, width)
    page = day.page
    day.sign_in("auditor")

    # the audit trail by lot
    day.goto("/audit/")
    day.fill(page.locator("#id_lot"), batch.lot_number)
    submit(day, "main form[method=get]")
    assert f"lot={batch.lot_number}" in page.url
    rows = page.locator("main table tbody tr")
    assert rows.count() > 5
    assert batch.lot_number in page.locator("main").inner_text()
    day.shot("trail-by-lot")
    data, name = download(day, page.locator("main a[href*='export=csv']").first)
    assert name.endswith(".csv") and batch.lot_number in data.decode("utf-8-sig")

    # by person: the QA person's entries only
    day.fill(page.locator("#id_lot"), "")
    day.select(page.locator("#id_user"), label="qa2")
    submit(day, "main form[method=get]")
    assert "user=" in page.url and page.locator("main table tbody tr").count() >= 1
    assert page.locator("main table tbody tr", has_text="(qa2)").count() == page.locator("main table tbody tr").count()
    day.shot("trail-by-person")

    # the electronic signatures
    day.click(page.locator("main a[href='/audit/signatures/']").first, navigates=True)
    assert page.locator("main table tbody tr").count() >= 1
    day.shot("signatures")

    # the audit chain verified: started, its progress page, then the result
    day.goto("/audit/verify/")
    submit(day)
    assert "/tasks/" in page.url
    page.wait_for_selector(".js-task-link:not(.d-none), .js-task[data-finished]", timeout=60_000)
    day.shot("verification-task")
    day.goto("/audit/verify/")
    run = AuditVerification.objects.order_by("-id").first()
    assert run is not None and run.run_by.username == "auditor" and run.ok and run.rows_checked > 1000
    assert str(run.rows_checked) in page.locator("main").inner_text().replace(",", "").replace(" ", "")
    day.shot("verification-result")

    # a batch's story
    day.goto(f"/production/batches/{batch.lot_number}/story/")
    assert page.locator("main table tbody tr").count() > 5
    day.shot("story")

    # every write refused, each page naming who may act
    for path in WRITES:
        refused(day, path)
    day.shot("refused")
    assert (Batch.history.count(), Sample.history.count()) == before
    assert not Batch.history.filter(history_user__username="auditor").exists()
    assert day.count < 40
