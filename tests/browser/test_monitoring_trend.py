"""The clean-room trend chart draws (issue 19): the page loads the vendored Chart.js, the canvas is not blank, the
browser reports no console error, and the window selector shows the window actually plotted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from production.monitoring import services
from tests.monitoring import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pixels that are not fully transparent: a drawn chart has thousands, an empty canvas none.
PAINTED = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { n++; } }
  return n;
}"""


@pytest.fixture
def point_with_readings(production_user, qa_user):
    room = factories.make_room(production_user, "test room")
    services.set_default_limits(room, user=qa_user, reason="initial limits",
                                valid_from=timezone.now() - timedelta(days=60))
    point = factories.make_point(production_user, "test point", room=room, code="P-1")
    t0 = timezone.now().replace(second=0, microsecond=0) - timedelta(days=3)
    services.ingest_readings([{"point": str(point.pk), "measured_at": (t0 + timedelta(hours=i)).isoformat(),
                               "temperature_c": 20 + (i % 5) / 2} for i in range(60)],
                             user=production_user, reason="logger upload")
    return point


def errors_of(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.mark.parametrize("width", [1280, 800])
def test_the_trend_chart_draws_and_the_selector_shows_the_plotted_window(
        page, sign_in, live_server, point_with_readings, width):
    errors = errors_of(page)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in("production")
    page.goto(f"{live_server.url}{point_with_readings.get_absolute_url()}?parameter=temperature_c")
    canvas = page.locator("canvas[data-chart]")
    canvas.wait_for()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    assert canvas.evaluate(PAINTED) > 500
    assert page.locator("#id_window").input_value() == "7d"
    assert page.locator("#id_window option:checked").inner_text() == "7 days"
    assert errors == []
    page.screenshot(path=f"/tmp/h19-trend-{width}.png", full_page=True)

    # another window: the selector follows what is plotted
    page.goto(f"{live_server.url}{point_with_readings.get_absolute_url()}?parameter=temperature_c&window=1d")
    assert page.locator("#id_window").input_value() == "1d"
    assert errors == []
