"""The batch story (lims.story, issue 13 "Done when"): one batch walked from creation to shipment through the
services; the timeline (engine, API, page) holds every step, inspection, deviation, signature, disposition, print
job, reconciliation and shipment with person, reason and local time, in order, at a constant query count."""

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lims.story import batch_story
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

PARTS = ("production.batch", "production.batchstep", "production.consumption", "production.batchreject",
         "labelling.printjob", "labelling.labelreconciliation", "qc.inspection", "qc.inspectionresult",
         "qc.deviation", "qc.capa", "qc.disposition", "regulatory.shipment")


def find(story, model, type_, **match):
    rows = [e for e in story if e["model"] == model and e["type"] == type_
            and all(e[k] == v for k, v in match.items())]
    assert rows, (model, type_, match)
    return rows[0]


def test_the_story_holds_every_part_with_person_reason_and_readable_values(walked, releaser):
    story = batch_story(walked.batch)
    assert {e["model"] for e in story} >= set(PARTS)
    keys = [(e["history_date"], e["order"]) for e in story]
    assert keys == sorted(keys)

    created = story[0]
    assert (created["model"], created["type"], created["user"]) == ("production.batch", "created", "production")
    assert created["reason_system"] and created["reason"] == "Batch planned" or created["reason"]
    assert created["record_name"] == f"batch {walked.batch.lot_number}"
    step = find(story, "production.batchstep", "created")
    assert step["reason"] == "step done" and not step["reason_system"]
    assert {c["field"]: c["new"] for c in step["changes"]}["step"].startswith("1. ")
    start = find(story, "production.batch", "changed", reason_system=True)
    started = {c["field"]: c for c in start["changes"]}["started_at"]["new"]
    assert started.endswith(" CST") and "+00:00" not in started and "." not in started  # local, no microseconds
    assert find(story, "labelling.printjob", "created")["reason"] == "case labels"
    assert find(story, "labelling.labelreconciliation", "created")["reason"] == "all used"
    review = find(story, "qc.inspection", "signed", user="admin")
    assert review["changes"][0]["new"] == "Reviewed" and review["reason"] == "checked"
    assert find(story, "qc.inspection", "signed", user="qa")["changes"][0]["new"] == "Approved"
    assert find(story, "qc.deviation", "signed")["changes"][0]["new"] == "Closed"
    assert find(story, "qc.capa", "changed")["reason"] == "done"
    release = find(story, "qc.disposition", "signed")
    assert (release["user"], release["user_name"], release["reason"]) == ("qa2", "Li Na", "all tests passed")
    assert release["changes"][0]["new"] == "Released" and not release["changed_after"]
    decision = find(story, "qc.disposition", "created")
    assert {c["field"]: c["new"] for c in decision["changes"]}["decision"] == "Release"  # choice label
    shipment = find(story, "regulatory.shipment", "created")
    assert shipment["reason"] == "order 77" and shipment["user"] == "regulatory"
    assert story.index(release) < story.index(shipment)  # released before shipped

    order = [story.index(find(story, m, "created")) for m in
             ("production.batch", "production.batchstep", "labelling.printjob", "qc.inspection", "qc.deviation",
              "qc.disposition", "regulatory.shipment")]
    assert order == sorted(order)


def test_filters_by_app_person_and_kind(walked):
    assert {e["app"] for e in batch_story(walked.batch, app="qc")} == {"qc"}
    assert {e["user"] for e in batch_story(walked.batch, user="qa2")} == {"qa2"}
    signed = batch_story(walked.batch, kind="signed")
    assert len(signed) == 4 and {e["type"] for e in signed} == {"signed"}


def test_the_story_costs_the_same_queries_however_long(walk):
    short = walk()
    long = walk(extra_steps=8)
    assert len(batch_story(long.batch)) > len(batch_story(short.batch)) + 7
    first = count_queries(lambda: batch_story(short.batch))
    second = count_queries(lambda: batch_story(long.batch))
    assert first == second <= 40  # one query per registered part and per foreign-key target


def test_the_api_gives_the_story_in_time_order_as_api_md_says(walked, api_for, auditor_user):
    api = api_for(auditor_user)
    body = api.get(f"/api/v1/production/batches/{walked.batch.lot_number}/history/?page_size=500").json()
    results = body["results"]
    assert body["count"] == len(results) == len(batch_story(walked.batch))
    assert set(results[0]) >= {"history_date", "user", "type", "record", "reason", "changes"}
    assert results[0]["record"] == f"production.batch {walked.batch.pk}"
    assert results[0]["history_date"].endswith("+08:00")  # local time with its offset
    dates = [r["history_date"] for r in results]
    assert dates == sorted(dates)
    records = {r["record"] for r in results}
    for obj, label in ((walked.inspection, "qc.inspection"), (walked.deviation, "qc.deviation"),
                       (walked.job, "labelling.printjob"), (walked.reconciliation, "labelling.labelreconciliation"),
                       (walked.shipment, "regulatory.shipment"), (walked.capa, "qc.capa")):
        assert f"{label} {obj.pk}" in records
    signed = [r for r in results if r["type"] == "signed"]
    assert [r["changes"][0]["new"] for r in signed] == ["Reviewed", "Approved", "Closed", "Released"]
    assert all(set(c) == {"field", "old", "new"} for r in results for c in r["changes"])
    shipping = api.get(f"/api/v1/production/batches/{walked.batch.lot_number}/history/?app=regulatory").json()
    assert [r["record"] for r in shipping["results"]] == [f"regulatory.shipment {walked.shipment.pk}"]
    bad = api.get(f"/api/v1/production/batches/{walked.batch.lot_number}/history/?type=burned")
    assert bad.status_code == 400 and "type" in bad.json()["fields"]


def test_the_api_costs_the_same_queries_however_long(walk, api_for, auditor_user):
    short, long = walk(), walk(extra_steps=8)
    api = api_for(auditor_user)
    api.get(f"/api/v1/production/batches/{short.batch.lot_number}/history/")
    counts = [count_queries(lambda b=b: api.get(f"/api/v1/production/batches/{b.batch.lot_number}/history/"))
              for b in (short, long)]
    assert counts[0] == counts[1]


def test_the_page_shows_the_story_with_filters_and_exports(walked, client_for, auditor_user, outsider):
    client = client_for(auditor_user)
    url = f"/production/batches/{walked.batch.lot_number}/story/"
    html = client.get(url).content.decode()
    for text in ("Story", "Li Na", "all tests passed", "order 77", "case labels", "Dispenser paused 5 min",
                 "CST", "Kind of change", "system"):
        assert text in html, text
    assert f'href="/production/batches/{walked.batch.lot_number}/story/"' in client.get(
        f"/production/batches/{walked.batch.lot_number}/").content.decode()  # the tab on the batch page
    filtered = client.get(url + "?kind=signed").content.decode()
    assert "Li Na" in filtered and "case labels" not in filtered

    rows = list(csv.reader(io.StringIO(b"".join(client.get(url + "?export=csv").streaming_content)
                                       .decode("utf-8-sig"))))
    assert rows[0][:4] == ["date", "user", "printed_name", "type"] and len(rows) == len(batch_story(walked.batch)) + 1
    assert any(r[3] == "signed" and r[7] == "all tests passed" for r in rows)
    sheet = load_workbook(io.BytesIO(b"".join(client.get(url + "?export=xlsx").streaming_content))).active
    assert sheet.max_row == len(rows)
    pdf = client.get(url + "?export=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "order 77" in text and "Li Na" in text and " of " in text

    assert client_for(outsider).get(url).status_code == 403


def test_the_page_costs_the_same_queries_however_long(walk, client_for, auditor_user):
    short, long = walk(), walk(extra_steps=8)
    client = client_for(auditor_user)
    client.get(f"/production/batches/{short.batch.lot_number}/story/")
    counts = [count_queries(lambda b=b: client.get(f"/production/batches/{b.batch.lot_number}/story/"))
              for b in (short, long)]
    assert counts[0] == counts[1]


def test_each_app_registered_its_batch_parts_and_record_sections_from_ready():
    from lims.registry import batch_parts, record_section_funcs

    assert [key for key, _f in batch_parts()][:5] == ["production.batch", "monitoring.excursions", "labelling.labels",
                                                      "qc.quality", "regulatory.shipments"]
    assert {f.__module__ for f in record_section_funcs()} >= {"production.monitoring.record",
                                                               "production.labelling.record", "qc.record",
                                                               "regulatory.record"}


def test_each_part_names_its_app_in_the_reader_language(walked):
    """The story's Record column names the app a row comes from: in Chinese, 生产 and 法规事务, not the English."""
    from django.utils import translation

    with translation.override("zh-hans"):
        apps = {e["app"]: e["app_name"] for e in batch_story(walked.batch)}
    assert apps["production"] == "生产" and apps["regulatory"] == "法规事务"
    assert all(name and not name.isascii() for name in apps.values()), apps
