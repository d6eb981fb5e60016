"""A keyboard-wedge scanner on the batch page and the pick list, and the locally served camera decoder (issue 21):
the scanner's keystrokes, with the group separator sent as Ctrl+], record the component."""

import base64
import io

import pytest
import zxingcpp
from PIL import Image

from lims.labels.gs1 import yymmdd
from production.models import Consumption, MaterialLot
from tests.production.conftest import batch, plant, running  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_like_a_scanner(page, fields):
    """Keystrokes of a wedge scanner reading a GS1 DataMatrix: each element string, Ctrl+] (GS) after every
    variable-length one that is not last, Enter at the end."""
    for index, (ai, value) in enumerate(fields):
        page.keyboard.type(ai + value)
        if ai not in ("01", "17") and index < len(fields) - 1:
            page.keyboard.press("Control+BracketRight")
    page.keyboard.press("Enter")


def test_a_scanned_receiving_label_records_the_component_on_the_batch_page(page, sign_in, live_server, running,  # noqa: F811
                                                                           plant):  # noqa: F811
    lot = plant.lots["BUF"]
    sign_in("production")
    page.goto(f"{live_server.url}{running.get_absolute_url()}")
    page.get_by_label("Scan the lot's label").click()
    with page.expect_navigation():
        type_like_a_scanner(page, [("240", "BUF"), ("10", lot.internal_lot), ("17", yymmdd(lot.expiry_date))])
    assert page.get_by_text("Consumption recorded.").is_visible()
    consumed = page.locator("section[aria-labelledby=consumption-title] table")
    assert consumed.get_by_role("link", name="BUF-001").is_visible()
    assert "35 mL" in consumed.inner_text()
    consumption = Consumption.objects.get()
    assert consumption.material_lot == lot
    assert page.csp_errors == []


def test_the_pick_list_takes_one_scan_per_row(page, sign_in, live_server, running, plant):  # noqa: F811
    sign_in("production")
    page.goto(f"{live_server.url}/production/batches/{running.lot_number}/pick-list/")
    page.get_by_label("Scan BUF").click()
    for code in ("BUF", "CAS", "MEM"):  # Enter moves on to the next row's scan field
        lot = plant.lots[code]
        type_like_a_scanner(page, [("240", code), ("10", lot.internal_lot)])
    for code in ("BUF", "CAS", "MEM"):
        assert page.get_by_label(f"Scan {code}").input_value() == f"240{code}\x1d10{plant.lots[code].internal_lot}"
    focused = page.evaluate("document.activeElement.textContent")
    assert "Record every consumption" in focused
    with page.expect_navigation():
        page.get_by_role("button", name="Record every consumption").click()
    assert page.get_by_text("3 consumptions recorded.").is_visible()
    assert Consumption.objects.count() == 3
    assert page.csp_errors == []


def test_the_local_camera_decoder_reads_a_gs1_datamatrix(page, sign_in, live_server, running, plant):  # noqa: F811
    symbol = zxingcpp.create_barcode("[240]MEM[10]ML000001[17]291231", zxingcpp.BarcodeFormat.DataMatrix, gs1=True,
                                     forceSquare=True)
    buffer = io.BytesIO()
    Image.fromarray(symbol.to_image(scale=8, add_quiet_zones=True)).save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in("production")
    page.goto(f"{live_server.url}{running.get_absolute_url()}")
    src = page.get_by_label("Scan the lot's label").get_attribute("data-scan-decoder")
    text = page.evaluate("""async ([src, url]) => {
        const ZX = await window.limsScanDecoder(src);
        const result = await window.limsScanReader(ZX).decodeFromImageUrl(url);
        return result.getText();
    }""", [src, url])
    assert text.lstrip("\x1d") == "240MEM\x1d10ML000001\x1d17291231"
    assert all(r.startswith((live_server.url, "data:")) for r in requests)  # nothing from another host
    assert page.csp_errors == []


def test_a_supplier_label_fills_in_the_receipt_of_a_lot(page, sign_in, live_server, plant):  # noqa: F811
    from lims.services import update_record
    from tests.production.factories import gtin

    supplier_gtin = gtin(77)
    bad_gtin = supplier_gtin[:-1] + str((int(supplier_gtin[-1]) + 1) % 10)
    update_record(plant.materials["MEM"], {"supplier_gtin": supplier_gtin}, user=plant.user, reason="GS1 labels")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in("production")
    page.goto(f"{live_server.url}/production/material-lots/new/")
    page.get_by_label("Scan the supplier's label").click()
    type_like_a_scanner(page, [("01", supplier_gtin), ("17", "271231"), ("10", "SUP-2607")])
    page.wait_for_selector("[data-scan-filled]")
    assert page.locator("#id_material").input_value() == str(plant.materials["MEM"].pk)
    assert page.locator("#id_supplier_lot").input_value() == "SUP-2607"
    assert page.locator("#id_expiry_date").input_value() == "2027-12-31"
    page.locator("#id_supplier_lot").fill("TYPED")
    page.get_by_label("Scan the supplier's label").fill("")
    page.get_by_label("Scan the supplier's label").click()
    type_like_a_scanner(page, [("01", bad_gtin), ("10", "SUP-9")])
    page.wait_for_selector("[data-scan-error]")
    assert "check digit" in page.locator("[data-scan-error]").inner_text()
    assert page.locator("#id_supplier_lot").input_value() == "TYPED"  # a bad scan fills in nothing
    assert MaterialLot.objects.count() == len(plant.lots)  # nothing received by scanning
    assert errors == [] and page.csp_errors == []
