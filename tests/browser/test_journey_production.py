"""Production's own day in a real browser (issue 19; the batch chain is test_journey_chain): clean-room
monitoring — the excursions listed, one opened, its point's trend chart drawn, another window chosen; a material
lot received into quarantine (the supplier's lot typed by the scanner into the focused field) and its receiving
label printed; the capacity page with its chart. In English at 1280 px and in Chinese at 800 px."""

from datetime import timedelta

from django.utils import timezone

from production.labelling.models import PrintJob
from production.models import Material, MaterialLot
from production.monitoring.models import Excursion
from tests.browser.role_steps import LANGUAGES, MARKS, seed_demo, submit

pytestmark = MARKS


@LANGUAGES
def test_the_production_day(journey, language, width):
    seed_demo()
    excursion = Excursion.objects.order_by("-started_at").first()
    assert excursion is not None
    material = Material.objects.order_by("code").first()
    supplier_lot = f"SUP-{width}-{MaterialLot.objects.count()}"
    today = timezone.localdate()

    day = journey("production-day", language, width)
    page = day.page
    day.sign_in("production")

    # monitoring: the excursions, one of them, its point's trend chart and another window
    day.goto("/production/monitoring/")
    assert page.locator(f"main a[href='{excursion.get_absolute_url()}']").count() == 1
    day.shot("excursions")
    day.click(page.locator(f"main a[href='{excursion.get_absolute_url()}']"), navigates=True)
    heading = page.locator("h1").inner_text()
    assert f"{timezone.localtime(excursion.started_at):%H:%M}" in heading  # the local time, as on the page
    # assessing is QA's: production sees the excursion and no assessment form
    assert page.locator("form[action$='assess/'], #assess-dialog").count() == 0
    day.shot("excursion")
    day.click(page.locator("main a[href*='/points/']").first, navigates=True)
    assert day.canvas_drawn("canvas[data-chart]")
    day.shot("trend")
    day.select(page.locator("#id_window"), "30d")
    if "window=30d" not in page.url:
        day.click(page.locator("main form[method=get] [type=submit]").first, navigates=True)
    assert page.locator("#id_window").input_value() == "30d"
    assert day.canvas_drawn("canvas[data-chart]")
    day.shot("trend-30d")

    # a material lot received into quarantine: the supplier's lot scanned into the focused field
    day.goto("/production/material-lots/new/")
    day.select(page.locator("#id_material"), str(material.pk))
    day.fill(page.locator("#id_supplier"), "Demo supplier")
    day.click(page.locator("#id_supplier_lot"))
    day.type(supplier_lot)
    day.fill(page.locator("#id_received_on"), today.isoformat())
    day.fill(page.locator("#id_expiry_date"), (today + timedelta(days=400)).isoformat())
    day.fill(page.locator("#id_quantity"), "5000")
    day.shot("receive-lot")
    submit(day)
    lot = MaterialLot.objects.get(supplier_lot=supplier_lot)
    assert lot.status == MaterialLot.Status.QUARANTINE and page.url.endswith(lot.get_absolute_url())
    day.shot("lot-received")

    # its receiving label
    jobs = PrintJob.objects.count()
    day.fill(page.locator("#id_copies"), "2")
    day.fill(page.locator(f"form[action$='/material-lots/{lot.pk}/print/'] #id_reason"), "labelled at receipt")
    submit(day, f"form[action$='/material-lots/{lot.pk}/print/']")
    assert PrintJob.objects.count() == jobs + 1
    day.shot("label-printed")

    # capacity: last month's output per line, charted
    day.goto(f"/production/capacity/?month={(today.replace(day=1) - timedelta(days=1)):%Y-%m}")
    assert page.locator("main table tbody tr").count() >= 5
    if page.locator("canvas[data-chart]").count():
        assert day.canvas_drawn("canvas[data-chart]")
    day.shot("capacity")

    lot.refresh_from_db()
    assert lot.history.first().history_user.username == "production"
    assert day.count < 40
