"""The lab's day in a real browser (issue 19): a tube received by scanning it, its qualitative result (a positive
without the control line refused, then recorded with it), a quantitative result with its unit and range, the
second-person review by another lab person (lab2; lab may not review its own result), the client report PDF and
the throughput page with its three charts drawn — in English at 1280 px and in Chinese at 800 px."""

from decimal import Decimal

from lab.models import Assay, Client, Sample
from lims.models import Signature
from tests.browser.role_steps import LANGUAGES, MARKS, download, seed_demo, sign, submit

pytestmark = MARKS


def receive(journey, barcode, client, assay):
    """At the counter: the tube's barcode scanned into the focused scan field (Enter sends it), then the client
    and the assay chosen and the sample received."""
    page = journey.page
    journey.goto("/lab/samples/new/")
    assert page.evaluate("document.activeElement.id") == "id_scan"
    journey.type(barcode)
    journey.press("Enter", navigates=True)
    assert page.locator("#id_barcode").input_value() == barcode
    journey.select(page.locator("#id_client"), str(client.pk))
    journey.select(page.locator("#id_assay"), str(assay.pk))
    journey.shot("receive")
    submit(journey)
    sample = Sample.objects.get(barcode=barcode)
    assert page.url.endswith(sample.get_absolute_url())
    return sample


@LANGUAGES
def test_the_lab_day(journey, language, width):
    seed_demo()
    barcode = f"SHR{width}Q{Sample.objects.count() % 1000:03d}"
    client = Client.objects.get(code="CQ-GEN")
    qualitative = Assay.objects.get(code="COV-AG")
    quantitative = Assay.objects.get(code="CRP")  # mg/L, reference range 0–10
    unit = quantitative.unit

    lab = journey("lab-day", language, width)
    page = lab.page
    lab.sign_in("lab")

    # a tube at the counter: the scanner types its barcode into the focused scan field and sends Enter
    sample = receive(lab, barcode, client, qualitative)
    lab.shot("received")

    # testing starts, then the result: a positive strip without its control line is refused
    lab.click(page.locator(f"a[href='{sample.get_absolute_url()}start/']"), navigates=True)
    submit(lab)
    lab.click(page.locator(f"a[href='{sample.get_absolute_url()}report/']"), navigates=True)
    lab.select(page.locator("#id_outcome"), "positive")
    lab.select(page.locator("#id_control_line"), "false")
    submit(lab)
    assert page.locator("#id_outcome ~ .invalid-feedback").count() == 1
    lab.shot("refused-without-control-line")
    sample.refresh_from_db()
    assert sample.status == Sample.Status.IN_TESTING and sample.outcome == ""
    lab.select(page.locator("#id_control_line"), "true")
    submit(lab)
    assert page.url.endswith(sample.get_absolute_url())
    # the analyst may not review the result they entered: the button is disabled and says why
    assert page.locator("[data-signing-refusal]").count() == 1
    lab.shot("reported-qualitative")

    # a quantitative result: value in the assay's unit (the unit is filled in), the reference range shown
    second = receive(lab, f"{barcode}N", client, quantitative)
    lab.click(page.locator(f"a[href='{second.get_absolute_url()}start/']"), navigates=True)
    submit(lab)
    lab.click(page.locator(f"a[href='{second.get_absolute_url()}report/']"), navigates=True)
    assert page.locator("#id_result_unit").input_value() == unit
    assert unit in page.locator("#id_result_value").locator("xpath=..").inner_text()  # the reference range
    lab.fill(page.locator("#id_result_value"), "12.5")
    lab.shot("report-quantitative")
    submit(lab)
    assert page.url.endswith(second.get_absolute_url())
    lab.shot("reported-quantitative")

    # the throughput page: three charts drawn (no CSP error), another bucket
    lab.goto("/lab/")
    assert page.locator("canvas[data-chart]").count() == 3
    assert lab.canvas_drawn("canvas[data-chart]")
    lab.shot("throughput")
    lab.select(page.locator("#id_bucket"), "week")
    lab.click(page.locator("main form[method=get] [type=submit]"), navigates=True)
    assert lab.canvas_drawn("canvas[data-chart]")
    lab.shot("throughput-weeks")

    # another lab person scans the tube (it opens), reviews and signs, and sends the client report
    lab2 = journey("lab-day-review", language, width)
    page2 = lab2.page
    lab2.sign_in("lab2")
    lab2.goto("/lab/samples/new/")
    lab2.type(barcode)
    lab2.press("Enter", navigates=True)
    assert page2.url.endswith(sample.get_absolute_url())
    lab2.shot("scanned-opens")
    sign(lab2, "review-dialog", "lab2", reason="checked against the strip photo")
    assert page2.locator("[data-bs-target='#review-dialog']").count() == 0
    lab2.shot("reviewed")
    pdf, name = download(lab2, page2.locator(f"a[href='{sample.get_absolute_url()}report.pdf']"))
    assert pdf.startswith(b"%PDF") and barcode in name

    sample.refresh_from_db()
    second.refresh_from_db()
    assert (sample.status, sample.outcome, sample.control_line) == (Sample.Status.REPORTED, "positive", True)
    assert sample.reported_by.username == "lab" and sample.reviewed_by.username == "lab2"
    assert Signature.objects.for_object(sample).filter(signer__username="lab2", meaning="reviewed").count() == 1
    assert second.status == Sample.Status.REPORTED
    assert (second.result_value, second.result_unit) == (Decimal("12.5"), unit)
    assert lab.count < 40 and lab2.count < 15

