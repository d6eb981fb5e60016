"""IVDR label particulars (Annex I 20.2): the notified body's number beside CE for class D (not for class A), the
EU authorised representative when the manufacturer is outside the EU, on unit and case labels and the public page
the IFU link leads to; the labels still decode. A short-dated component's cap shows in the DataMatrix (17)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lims.errors import DomainError
from lims.services import update_record
from production import services as production_services
from production.labelling import services
from production.labelling.models import PrintJob
from tests.labels.scanning import pdf_reader, scan_pages
from tests.production.factories import make_material, make_material_lot

pytestmark = pytest.mark.django_db


def render(job):
    return b"".join(services.job_pdf(job))


def text_of(pdf):
    return " ".join(page.extract_text() for page in pdf_reader(pdf).pages)


@pytest.mark.parametrize("template", ["unit", "case"])
def test_class_d_prints_the_notified_body_and_the_eu_representative(production_user, started, settings, template):
    settings.LIMS_NOTIFIED_BODY = "2797"
    settings.LIMS_MANUFACTURER = {**settings.LIMS_MANUFACTURER, "country": "CN"}
    settings.LIMS_EU_REPRESENTATIVE = {"name": "Rep Europa GmbH", "address": "Hauptstr. 5, 10115 Berlin, Germany"}
    assert started.product.ivdr_class == "D"
    job = services.print_labels(started, template, None, 1, user=production_user, reason="print")
    pdf = render(job)
    text = text_of(pdf)
    assert "2797" in text and "EC REP" in text and "Rep Europa GmbH" in text
    dm = next(s for s in scan_pages(pdf)[0] if s.format == "DataMatrix")
    assert dm.gs1()["10"] == started.lot_number


def test_class_a_inside_the_eu_has_neither(production_user, started, settings):
    settings.LIMS_NOTIFIED_BODY = "2797"
    settings.LIMS_MANUFACTURER = {**settings.LIMS_MANUFACTURER, "country": "DE"}
    update_record(started.product, {"ivdr_class": "A"}, user=production_user, reason="self-certified class A")
    job = services.print_labels(started, "unit", None, 1, user=production_user, reason="print")
    text = text_of(render(job))
    assert "2797" not in text and "EC REP" not in text


def test_a_missing_eu_representative_refuses_printing(production_user, started, settings):
    settings.LIMS_MANUFACTURER = {**settings.LIMS_MANUFACTURER, "country": "CN"}
    settings.LIMS_EU_REPRESENTATIVE = {"name": "", "address": ""}
    with pytest.raises(DomainError) as err:
        services.print_labels(started, "unit", None, 1, user=production_user, reason="print")
    assert err.value.code == "invalid_label_data"
    assert not PrintJob.objects.exists()


def test_the_ifu_page_shows_the_particulars(client, started, settings):
    settings.LIMS_EU_REPRESENTATIVE = {"name": "Rep Europa GmbH", "address": "Berlin"}
    settings.LIMS_NOTIFIED_BODY = "2797"
    html = client.get(f"/01/{started.product.gtin}").content.decode()
    assert "Rep Europa GmbH" in html and "CE 2797" in html and "Class D" in html


def test_api_exposes_ivdr_class(api_for, production_user, started):
    body = api_for(production_user).get(f"/api/v1/production/products/{started.product.pk}/").json()
    assert body["ivdr_class"] == "D"
    response = api_for(production_user).patch(f"/api/v1/production/products/{started.product.pk}/",
                                              {"ivdr_class": "E", "version": body["version"], "reason": "x"},
                                              format="json")
    assert response.status_code == 400 and "ivdr_class" in response.json()["fields"]


def test_a_short_dated_component_caps_the_expiry_in_the_datamatrix(production_user, qc_user, started):
    material = make_material(production_user, "setup")
    production_services.create_bom(started.product, [(material, Decimal("1"))], user=production_user, reason="bom")
    short = timezone.localdate() + timedelta(days=120)
    lot = production_services.approve_material_lot(
        make_material_lot(production_user, "setup", material=material, expiry_date=short), user=qc_user,
        reason="ok")
    production_services.consume_material(started, material_lot=lot, quantity=1, user=production_user, reason="use")
    job = services.print_labels(started, "case", None, 1, user=production_user, reason="print")
    dm = next(s for s in scan_pages(render(job))[0] if s.format == "DataMatrix")
    assert dm.gs1()["17"] == short
