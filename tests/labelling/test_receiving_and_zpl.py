"""Issue 21 (labels): receiving labels of material lots (GS1 240/10/17, QUARANTINE until approval), ZPL II from
the same templates — a local TCP listener plays the printer and what it receives is rendered back and decoded —
the printer registry, and label jobs as background tasks that never issue twice (issue 15)."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import biip
import pytest
from django.utils import timezone

from lims.errors import DomainError
from lims.tasks.models import TaskRun
from production import services as production_services
from production.labelling import services
from production.labelling.models import CaseSerialCounter, Printer, PrintJob, PrintJobOutput
from tests.helpers import Snapshot, assert_history, table_counts
from tests.labels import zpl_reader
from tests.labels.scanning import scan_pages
from tests.production.factories import make_material, make_material_lot

GS = "\x1d"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class Listener:
    """A test printer: accepts connections on 127.0.0.1 (port 0: any free port) and keeps what it receives."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                chunks = []
                while data := connection.recv(65536):
                    chunks.append(data)
                self.received.append(b"".join(chunks))

    def wait(self, count=1, timeout=10.0):
        deadline = timezone.now() + timedelta(seconds=timeout)
        while len(self.received) < count and timezone.now() < deadline:
            threading.Event().wait(0.02)
        return self.received

    def close(self):
        self.server.close()


@pytest.fixture
def listener():
    printer = Listener()
    yield printer
    printer.close()


@pytest.fixture
def lot(production_user):
    material = make_material(production_user, "setup", code="NC-MEM-25", name="Nitrocellulose membrane")
    return make_material_lot(production_user, "receipt", material=material, supplier_lot="S-2211-04")


def make_printer(user, port, **changes):
    data = {"name": f"Line printer {port}", "address": "127.0.0.1", "port": port, "dots_per_mm": 8,
            "stock": "roll-100x70", **changes}
    return services.create_printer(data, user=user, reason="installed")


def decoded_labels(zpl: bytes) -> list[list[tuple[str, str]]]:
    """Every label of a ZPL stream as printed (the stored bitmap plus the native codes), decoded by zxing-cpp;
    a label with a print quantity counts that many times."""
    document = zpl_reader.parse(zpl)
    labels = []
    for label in document.labels:
        labels += [zpl_reader.decode(zpl_reader.render(document, label))] * label.quantity
    return labels


def gs1_of_zpl(zpl: bytes) -> list[dict]:
    """The GS1 data of every DataMatrix command as a scanner transmits it, parsed by biip."""
    out = []
    for label in zpl_reader.parse(zpl).labels:
        for *_, scanned in label.datamatrix:
            message = biip.parse(scanned).gs1_message
            out += [{e.ai.ai: (e.date or e.value) for e in message.element_strings}] * label.quantity
    return out


# --- receiving labels ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_material_lot_api_has_label_url_and_receiving_labels_decode(api_for, production_user, qc_user, lot):
    api = api_for(production_user)
    detail = api.get(f"/api/v1/production/material-lots/{lot.pk}/").json()
    assert detail["label_url"] == f"/api/v1/production/material-lots/{lot.pk}/print-jobs/"
    response = api.post(detail["label_url"], {"copies": 2, "reason": "receipt"}, format="json")
    assert response.status_code == 201, response.json()
    job = PrintJob.objects.get()
    assert (job.material_lot, job.batch, job.template, job.label_status, job.copies) == (
        lot, None, "receiving", "QUARANTINE", 2)
    assert response.json()["internal_lot"] == lot.internal_lot
    assert_history(job, user=production_user, reason="receipt")
    pdf = body(api.get(response.json()["pdf_url"]))
    pages = scan_pages(pdf)
    assert len(pages) == 2
    for page in pages:
        (dm,) = [s for s in page if s.format == "DataMatrix"]
        gs1 = dm.gs1()
        assert (gs1["240"], gs1["10"], gs1["17"]) == ("NC-MEM-25", lot.internal_lot, lot.expiry_date)
    from tests.labels.scanning import pdf_reader

    text = pdf_reader(pdf).pages[0].extract_text()
    assert "QUARANTINE" in text and lot.internal_lot in text and "S-2211-04" in text
    # the reprint re-renders the same label and is counted
    body(api.get(response.json()["pdf_url"]))
    assert list(job.outputs.values_list("kind", flat=True)) == ["print", "reprint"]

    # after approval the next job is the released label; the first job still reprints QUARANTINE
    production_services.approve_material_lot(lot, user=qc_user, reason="incoming QC passed")
    second = api.post(detail["label_url"], {"reason": "released"}, format="json").json()
    assert PrintJob.objects.get(pk=second["id"]).label_status == "RELEASED"
    released = pdf_reader(body(api.get(second["pdf_url"]))).pages[0].extract_text()
    assert "RELEASED" in released and "QUARANTINE" not in released
    assert "QUARANTINE" in pdf_reader(body(api.get(response.json()["pdf_url"]))).pages[0].extract_text()


@pytest.mark.django_db
def test_receiving_label_refusals_change_nothing(api_for, production_user, qc_user, outsider, lot):
    api = api_for(production_user)
    url = f"/api/v1/production/material-lots/{lot.pk}/print-jobs/"
    assert api.post(url, {"copies": 1}, format="json").json()["code"] == "reason_required"
    bad = api.post(url, {"copies": 0, "reason": "x"}, format="json")
    assert bad.status_code == 400 and "copies" in bad.json()["fields"]
    bad = api.post(url, {"stock": "roll-50x25", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "stock" in bad.json()["fields"]
    assert api_for(outsider).post(url, {"reason": "x"}, format="json").status_code == 403
    production_services.reject_material_lot(lot, user=qc_user, reason="failed incoming QC")
    refused = api.post(url, {"reason": "x"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_printable"
    assert PrintJob.objects.count() == 0


@pytest.mark.django_db
def test_the_constraint_allows_a_batch_or_a_material_lot_not_both(production_user, lot, started):
    from django.db import IntegrityError, transaction

    from lims.audit import audited

    with audited(user=production_user, reason="test"):
        with pytest.raises(IntegrityError), transaction.atomic():
            PrintJob.objects.create(batch=started, material_lot=lot, template="unit", stock="roll-60x40", copies=1,
                                    printed_by=production_user)
        with pytest.raises(IntegrityError), transaction.atomic():
            PrintJob.objects.create(template="unit", stock="roll-60x40", copies=1, printed_by=production_user)


@pytest.mark.django_db
def test_material_lot_page_prints_the_receiving_label(client_for, production_user, lot):
    client = client_for(production_user)
    page = client.get(f"/production/material-lots/{lot.pk}/").content.decode()
    assert "Print the receiving label" in page and "no receiving label yet" in page
    response = client.post(f"/production/labelling/material-lots/{lot.pk}/print/",
                           {"copies": 1, "reason": "receipt", "idempotency_key": "k1"}, follow=True)
    job = PrintJob.objects.get()
    html = response.content.decode()
    assert job.pdf_url in html and job.zpl_url in html and "QUARANTINE" in html
    # the same submission again (a double click, a retried request) issues nothing
    client.post(f"/production/labelling/material-lots/{lot.pk}/print/",
                {"copies": 1, "reason": "receipt", "idempotency_key": "k1"})
    assert PrintJob.objects.count() == 1
    refused = client.post(f"/production/labelling/material-lots/{lot.pk}/print/", {"copies": 1}, follow=True)
    assert refused.status_code == 200 and PrintJob.objects.count() == 1


# --- ZPL --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_case_zpl_received_by_a_listener_decodes_to_the_same_gs1_data_as_the_pdf(api_for, qa_user, started,
                                                                                  listener):
    api = api_for(qa_user)
    job = api.post(started.label_url, {"template": "case", "copies": 3, "reason": "cases"}, format="json").json()
    printer = make_printer(qa_user, listener.port)
    counts = table_counts(CaseSerialCounter)
    sent = api.post(f"/api/v1/production/print-jobs/{job['id']}/send/", {"printer": printer.pk, "reason": "line"},
                    format="json")
    assert sent.status_code == 201, sent.json()
    assert (sent.json()["format"], sent.json()["kind"], sent.json()["printer"]) == ("zpl", "print", printer.name)
    (zpl,) = listener.wait()
    pdf_gs1 = [s.gs1() for page in scan_pages(body(api.get(job["pdf_url"]))) for s in page
               if s.format == "DataMatrix"]
    assert gs1_of_zpl(zpl) == pdf_gs1
    assert [g["21"] for g in pdf_gs1] == ["000001", "000002", "000003"]
    # what the printer prints (bitmap + native codes) scans as the same UDI and Digital Link
    printed = decoded_labels(zpl)
    assert len(printed) == 3
    for label, expected in zip(printed, pdf_gs1, strict=True):
        formats = dict(label)
        assert formats["DataMatrix"] == (f"]d2(01){expected['01']}(17){expected['17']:%y%m%d}(10){expected['10']}"
                                         f"(21){expected['21']}")
        assert formats["QRCode"].startswith("http") and f"/10/{started.lot_number}" in formats["QRCode"]
    # a reprint to the printer sends exactly the same bytes and issues nothing
    api.post(f"/api/v1/production/print-jobs/{job['id']}/send/", {"printer": printer.pk}, format="json")
    assert listener.wait(2)[1] == zpl
    assert table_counts(CaseSerialCounter) == counts
    assert list(PrintJobOutput.objects.filter(job_id=job["id"]).values_list("kind", "format")) == [
        ("print", "zpl"), ("reprint", "pdf"), ("reprint", "zpl")]


@pytest.mark.django_db
def test_zpl_file_download_and_resolutions(api_for, production_user, started, lot):
    api = api_for(production_user)
    job = api.post(started.label_url, {"template": "unit", "copies": 5, "reason": "kits"}, format="json").json()
    response = api.get(job["zpl_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/zpl"
    assert "attachment" in response["Content-Disposition"]
    zpl = body(response)
    document = zpl_reader.parse(zpl)
    assert document.count == 5 and len(document.labels) == 1  # one format, ^PQ5
    assert body(api.get(job["zpl_url"])) == zpl  # a reprint is the same bytes
    high = zpl_reader.parse(body(api.get(job["zpl_url"] + "?dots_per_mm=12")))
    assert (high.labels[0].width, high.labels[0].height) == (720, 480)  # 60 × 40 mm at 12 dots/mm
    assert gs1_of_zpl(body(api.get(job["zpl_url"] + "?dots_per_mm=24")))[0]["10"] == started.lot_number
    bad = api.get(job["zpl_url"] + "?dots_per_mm=10")
    assert bad.status_code == 400 and "dots_per_mm" in bad.json()["fields"]
    receiving = api.post(f"/api/v1/production/material-lots/{lot.pk}/print-jobs/", {"reason": "r"},
                         format="json").json()
    (gs1,) = gs1_of_zpl(body(api.get(receiving["zpl_url"])))
    assert (gs1["240"], gs1["10"], gs1["17"]) == (lot.material.code, lot.internal_lot, lot.expiry_date)
    (label,) = decoded_labels(body(api.get(receiving["zpl_url"])))
    assert dict(label)["DataMatrix"] == f"]d2(17){lot.expiry_date:%y%m%d}(240){lot.material.code}(10){lot.internal_lot}"


@pytest.mark.django_db
def test_an_unreachable_printer_is_a_clear_refusal_and_nothing_is_recorded(api_for, production_user, started):
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    printer = make_printer(production_user, port, stock="roll-60x40")
    api = api_for(production_user)
    job = api.post(started.label_url, {"template": "unit", "copies": 1, "reason": "kits"}, format="json").json()
    snapshot = Snapshot(PrintJob.objects.get(pk=job["id"]))
    refused = api.post(f"/api/v1/production/print-jobs/{job['id']}/send/", {"printer": printer.pk}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "printer_unreachable"
    assert f"127.0.0.1:{port}" in refused.json()["detail"]
    assert PrintJobOutput.objects.count() == 0
    snapshot.assert_unchanged()
    # another label size loaded, or an inactive printer: refused before anything is sent
    other = make_printer(production_user, port, name="Case printer", stock="roll-100x70")
    refused = api.post(f"/api/v1/production/print-jobs/{job['id']}/send/", {"printer": other.pk}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "printer_stock_mismatch"
    services.update_printer(printer, {"active": False}, user=production_user, reason="broken head")
    refused = api.post(f"/api/v1/production/print-jobs/{job['id']}/send/", {"printer": printer.pk}, format="json")
    assert refused.json()["code"] == "printer_inactive" and PrintJobOutput.objects.count() == 0


# --- printers ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_printer_registry_is_role_checked_and_audited(api_for, client_for, admin_user, production_user):
    api = api_for(admin_user)
    created = api.post("/api/v1/production/printers/", {"name": "P1", "address": "10.0.0.5", "dots_per_mm": 12,
                                                         "stock": "roll-100x70", "reason": "installed"},
                       format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["port"] == 9100
    printer = Printer.objects.get()
    assert_history(printer, user=admin_user, reason="installed")
    bad = api.post("/api/v1/production/printers/", {"name": "P2", "address": "x", "dots_per_mm": 10,
                                                     "stock": "a4-2x4"}, format="json")
    assert bad.status_code == 400 and {"dots_per_mm"} <= set(bad.json()["fields"])
    bad = api.post("/api/v1/production/printers/", {"name": "P2", "address": "x", "stock": "a4-2x4"},
                   format="json")
    assert bad.status_code == 400 and "stock" in bad.json()["fields"]
    no_reason = api.patch(f"/api/v1/production/printers/{printer.pk}/", {"port": 9101}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    edited = api.patch(f"/api/v1/production/printers/{printer.pk}/", {"port": 9101, "reason": "moved"},
                       format="json")
    assert edited.status_code == 200 and edited.json()["port"] == 9101
    assert_history(Printer.objects.get(), user=admin_user, reason="moved")
    production = api_for(production_user)
    assert production.get("/api/v1/production/printers/").status_code == 200
    assert production.post("/api/v1/production/printers/", {"name": "P3", "address": "x", "stock": "roll-60x40"},
                           format="json").status_code == 403
    assert Printer.objects.count() == 1
    # pages: the list for production (read), the form for the admin
    assert client_for(production_user).get("/production/labelling/printers/").status_code == 200
    assert client_for(production_user).get("/production/labelling/printers/new/").status_code == 403
    page = client_for(admin_user).post("/production/labelling/printers/new/", {
        "name": "P4", "address": "10.0.0.9", "port": 9100, "dots_per_mm": 8, "stock": "roll-60x40", "active": "on"})
    assert page.status_code == 302 and Printer.objects.filter(name="P4").exists()


# --- background label jobs -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_page_job_runs_in_the_background_with_progress_and_download(client_for, production_user, started,
                                                                       django_capture_on_commit_callbacks,
                                                                       settings, monkeypatch):
    from lims.tasks.worker import TaskContext

    monkeypatch.setattr(TaskContext, "PROGRESS_EVERY", 0.0)  # a progress row per chunk (1,000 labels)
    settings.LIMS_LABEL_JOB_MAX = 100_000
    client = client_for(production_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/production/labelling/batches/{started.lot_number}/print/",
                               {"template": "case", "copies": 2500, "output": "zpl", "reason": "pallet",
                                "idempotency_key": "page-1"})
    run = TaskRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{run.pk}/"
    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCEEDED and run.percent == 100
    assert run.progress_total == 2500
    progress = sorted(set(run.history.values_list("progress_done", flat=True)))
    assert {1000, 2000, 2500} <= set(progress)  # the page's progress bar moved chunk by chunk
    job = PrintJob.objects.get()
    assert (job.serial_from, job.serial_to) == ("000001", "002500")
    zpl = run.result_file.read()
    assert zpl_reader.parse(zpl).count == 2500
    assert [g["21"] for g in gs1_of_zpl(zpl)][::1249] == ["000001", "001250", "002499"]
    page = client.get(f"/tasks/{run.pk}/")
    assert page.status_code == 200 and f"/tasks/{run.pk}/download/" in page.content.decode()
    download = client.get(f"/tasks/{run.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == zpl
    # the same submission again: no second job, no second task, no new serials
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/production/labelling/batches/{started.lot_number}/print/",
                    {"template": "case", "copies": 2500, "output": "zpl", "reason": "pallet",
                     "idempotency_key": "page-1"})
    assert PrintJob.objects.count() == 1 and TaskRun.objects.count() == 1
    assert CaseSerialCounter.objects.get(batch=started).last_value == 2500


@pytest.mark.django_db
def test_a_retried_label_task_never_issues_or_counts_twice(production_user, started, listener,
                                                           django_capture_on_commit_callbacks, monkeypatch):
    from django.db import OperationalError

    from lims.labels import zpl as engine
    from lims.tasks.services import start_task

    printer = make_printer(production_user, listener.port)
    job = services.print_labels(started, "case", None, 4, user=production_user, reason="cases")
    real_send = engine.send
    failures = {"left": 1}

    def flaky_send(chunks, address, port, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            list(chunks)
            raise OperationalError("server closed the connection unexpectedly")  # a transient failure
        return real_send(chunks, address, port, **kwargs)

    monkeypatch.setattr(engine, "send", flaky_send)
    with django_capture_on_commit_callbacks(execute=True):
        run = start_task("labelling.render_job", {"job": job.pk, "format": "printer", "printer": printer.pk},
                         user=production_user, key="retry-1")
    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCEEDED and run.attempts == 2
    assert "Sent to printer" in run.message
    (zpl,) = listener.wait()
    assert [g["21"] for g in gs1_of_zpl(zpl)] == ["000001", "000002", "000003", "000004"]
    assert PrintJob.objects.count() == 1 and CaseSerialCounter.objects.get(batch=started).last_value == 4
    assert list(job.outputs.values_list("kind", "format")) == [("print", "zpl")]


@pytest.mark.django_db
def test_job_output_form_on_the_page_reprints_in_the_background(client_for, production_user, started,
                                                                 django_capture_on_commit_callbacks):
    client = client_for(production_user)
    job = services.print_labels(started, "unit", None, 3, user=production_user, reason="kits")
    page = client.get(f"/production/labelling/batches/{started.lot_number}/").content.decode()
    assert f"/production/labelling/print-jobs/{job.pk}/output/" in page and job.zpl_url in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/production/labelling/print-jobs/{job.pk}/output/",
                               {"output": "pdf", "idempotency_key": "o1"})
    run = TaskRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCEEDED and run.result_name.endswith(".pdf")
    assert len(scan_pages(run.result_file.read())) == 3
    assert list(job.outputs.values_list("kind", flat=True)) == ["print"]
    bad = client.post(f"/production/labelling/print-jobs/{job.pk}/output/", {"output": "printer:999"})
    assert bad.status_code == 302 and TaskRun.objects.count() == 1


@pytest.mark.django_db
def test_a_domain_refusal_in_send_is_a_domain_error(production_user, started):
    printer = make_printer(production_user, 9, stock="roll-60x40", address="127.0.0.1")
    job = services.print_labels(started, "unit", None, 1, user=production_user, reason="kits")
    with pytest.raises(DomainError) as refused:
        services.send_to_printer(job, printer, user=production_user)
    assert refused.value.code == "printer_unreachable"
