"""Registers that read like registers (translated kind names, matrix cells that link, a new-dossier page, whole
document names) and the UDI data export validated against the project's schemas."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from lims.errors import DomainError
from lims.services import create_record, update_record
from regulatory import udi
from regulatory.models import CertificationKind, Dossier
from tests.regulatory.factories import PDF_BYTES, eligible_setup, make_dossier_item, make_template

pytestmark = pytest.mark.django_db


def test_kind_names_translated(admin_user):
    kind = create_record(CertificationKind, {"code": "titck_approval", "name": "TİTCK import approval"},
                         user=admin_user, reason="test")
    with translation.override("zh-hans"):
        assert str(kind.label) != "TİTCK import approval" and "TİTCK" in str(kind.label)
    assert str(kind.label) == "TİTCK import approval"


def test_matrix_cells_link(client_for, admin_user, regulatory_user):
    batch, market, kind = eligible_setup(admin_user)
    cert = batch.product.certifications.get()
    html = client_for(regulatory_user).get("/regulatory/matrix/").content.decode()
    assert f'href="{cert.get_absolute_url()}"' in html
    cert_kind = kind
    cert.refresh_from_db()
    from regulatory import services

    services.withdraw_certification(cert, user=regulatory_user, reason="withdrawn by the body")
    html = client_for(regulatory_user).get("/regulatory/matrix/").content.decode()
    assert "register one" in html and f"kind={cert_kind.pk}" in html


def test_new_dossier_page(client_for, admin_user, regulatory_user):
    batch, market, _ = eligible_setup(admin_user)
    template = make_template(admin_user, items=2)
    client = client_for(regulatory_user)
    assert 'href="/regulatory/dossiers/new/"' in client.get("/regulatory/dossiers/").content.decode()
    r = client.post("/regulatory/dossiers/new/", {"product": batch.product.pk, "market": market.pk,
                                                  "template": template.pk})
    dossier = Dossier.objects.get()
    assert r.status_code == 302 and r["Location"] == dossier.get_absolute_url()
    assert dossier.items.count() == 2


def test_document_name_kept_whole_stored_safely(admin_user, regulatory_user):
    from regulatory import services

    item = make_dossier_item(admin_user)
    name = "04 Independent validation study (Charité, 2021) — final report.pdf"
    doc = services.upload_document(item, SimpleUploadedFile(name, PDF_BYTES), user=regulatory_user, reason="v1")
    assert doc.original_name == name
    stored = doc.file.name.rsplit("/", 1)[-1]
    assert stored == f"{doc.sha256[:16]}.pdf"


def test_udi_json_validates_against_its_schema(admin_user):
    batch, _market, _kind = eligible_setup(admin_user)
    product = update_record(batch.product, {"basic_udi_di": "09521234ANTIGENKIT01"}, user=admin_user,
                            reason="Basic UDI-DI")
    data = udi.device_export([product])
    assert udi.problems(data, udi.DEVICE_SCHEMA) == []
    device = data["devices"][0]
    assert device["udiDi"] == product.gtin and device["basicUdiDi"] == "09521234ANTIGENKIT01"
    assert device["riskClass"] == "CLASS_D" and device["notifiedBody"]["number"]
    assert device["lots"][0]["lotNumber"] == batch.lot_number
    assert device["certificates"][0]["number"] == product.certifications.get().number


def test_udi_export_refused_when_the_master_lacks_data(admin_user):
    batch, _market, _kind = eligible_setup(admin_user)
    with pytest.raises(DomainError) as exc:
        udi.device_export([batch.product])
    assert exc.value.code == "udi_invalid"
    assert any(batch.product.code in str(r["detail"]) and "basicUdiDi" in str(r["detail"])
               for r in exc.value.reasons)


def test_schema_catches_a_broken_document():
    assert udi.problems({"schemaVersion": "1.0"}, udi.DEVICE_SCHEMA)
    assert udi.problems({"UNO": "123", "LNO": "L1", "URT": "2026-01-01", "SKT": "2027-01-01", "ADT": 0},
                        udi.UTS_SCHEMA)


def test_uts_csv(admin_user):
    batch, _market, _kind = eligible_setup(admin_user)
    rows = list(csv.DictReader(io.StringIO(udi.uts_csv([batch.product]))))
    assert rows == [{"UNO": batch.product.gtin, "LNO": batch.lot_number, "SNO": "",
                     "URT": batch.manufactured_on.isoformat(), "SKT": batch.expiry_date.isoformat(),
                     "ADT": str(batch.quantity_released)}]


def test_udi_api_and_page(api_for, client_for, admin_user, regulatory_user, outsider):
    batch, _market, _kind = eligible_setup(admin_user)
    api = api_for(regulatory_user)
    r = api.get("/api/v1/regulatory/udi-export/", {"product": batch.product.pk})
    assert r.status_code == 409 and r.json()["code"] == "udi_invalid"
    update_record(batch.product, {"basic_udi_di": "09521234KIT"}, user=admin_user, reason="Basic UDI-DI")
    r = api.get("/api/v1/regulatory/udi-export/", {"product": batch.product.pk})
    assert r.status_code == 200 and r.json()["devices"][0]["basicUdiDi"] == "09521234KIT"
    assert api.get("/api/v1/regulatory/udi-export/", {"output": "xml"}).status_code == 400
    r = api.get("/api/v1/regulatory/udi-export/", {"product": batch.product.pk, "output": "csv"})
    assert r.status_code == 200 and batch.lot_number in r.content.decode()
    page = client_for(regulatory_user).get("/regulatory/udi/", {"format": "json", "product": batch.product.pk})
    assert page.status_code == 200 and json.loads(page.content)["devices"][0]["udiDi"] == batch.product.gtin
    assert api_for(outsider).get("/api/v1/regulatory/udi-export/").status_code == 403


def test_bundle_runs_as_a_background_task_from_the_api(api_for, admin_user, regulatory_user):
    from lims.tasks.models import TaskRun
    from tests.regulatory.factories import make_dossier

    dossier = make_dossier(admin_user)
    api = api_for(regulatory_user)
    first = api.post(f"/api/v1/regulatory/dossiers/{dossier.pk}/bundle-task/", {"idempotency_key": "k-1"},
                     format="json")
    assert first.status_code == 202, first.content
    again = api.post(f"/api/v1/regulatory/dossiers/{dossier.pk}/bundle-task/", {"idempotency_key": "k-1"},
                     format="json")
    assert again.json()["task"] == first.json()["task"]
    run = TaskRun.objects.get(pk=first.json()["task"])
    assert run.kind == "regulatory.dossier_bundle" and run.params == {"dossier": dossier.pk}
    assert first.json()["status_url"].endswith(f"/{run.pk}/status/")
