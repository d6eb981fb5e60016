"""Issue 20: from the incubator to the market — the translation stage, what became of a project's products (panels
and API figures from the production, QC, regulatory and lab records), pilot batches and KPIs from the record."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from incubator import services
from incubator.figures import figures_for, quarterly_kpis
from incubator.models import Project, TranslationMove
from lab import services as lab
from lab.models import Client, Sample
from lims.errors import DomainError, ReasonRequired
from lims.services import create_record
from production import services as production
from production.models import Batch, CleanRoom, Line, Plant
from qc import services as qc
from qc.models import Deviation
from regulatory import services as regulatory
from regulatory.models import Certification, Shipment
from tests.conftest import sig
from tests.helpers import assert_history, count_queries, table_counts
from tests.incubator.factories import make_milestone, make_project
from tests.lab.factories import make_assay, make_client
from tests.qc.factories import make_product, make_spec, make_study
from tests.regulatory.factories import make_certification, make_kind, make_market, make_rule


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _done_milestone(user, project, title="Evaluation report"):
    milestone = make_milestone(user, project=project, title=title, due_on=date(2025, 2, 1))
    return services.complete_milestone(milestone, done_on=date(2025, 3, 1), evidence="report", user=user,
                                       reason="done")


def _line(user, kind="manual"):
    room = CleanRoom.objects.first() or create_record(
        CleanRoom, {"code": "CR-T", "name": "Room", "iso_class": 8, "area_m2": Decimal("700")}, user=user,
        reason="setup")
    n = Line.objects.count() + 1
    return create_record(Line, {"code": f"T{n}", "name": f"Line {n}", "kind": kind, "clean_room": room,
                                "rated_units_per_hour": 500}, user=user, reason="setup")


# --- 1. Translation stage ------------------------------------------------------------------------------------

def test_translation_move_needs_reason_and_evidence_and_changes_nothing_when_refused(admin_user):
    project = make_project(admin_user, entered_on=date(2025, 1, 6))
    milestone = _done_milestone(admin_user, project)
    before = table_counts(TranslationMove, TranslationMove.history.model)

    with pytest.raises(ReasonRequired):
        services.move_translation_stage(project, "evaluation", milestone=milestone, user=admin_user, reason="")
    with pytest.raises(ValidationError) as exc:
        services.move_translation_stage(project, "evaluation", user=admin_user, reason="report accepted")
    assert "milestone" in exc.value.message_dict
    open_milestone = make_milestone(admin_user, project=project, title="Not yet")
    with pytest.raises(ValidationError) as exc:
        services.move_translation_stage(project, "evaluation", milestone=open_milestone, user=admin_user,
                                        reason="report accepted")
    assert "milestone" in exc.value.message_dict
    with pytest.raises(DomainError) as refused:
        services.move_translation_stage(project, "simulated_company", milestone=milestone, user=admin_user,
                                        reason="skipping")
    assert refused.value.code == "invalid_translation_move"
    assert table_counts(TranslationMove, TranslationMove.history.model) == before
    project.refresh_from_db()
    assert project.translation_stage == "screening"

    services.move_translation_stage(project, "evaluation", moved_on=date(2025, 3, 2), milestone=milestone,
                                    user=admin_user, reason="report accepted")
    project.refresh_from_db()
    assert project.translation_stage == "evaluation"
    move = project.translation_moves.order_by("-id").first()
    assert (move.from_stage, move.to_stage, move.milestone_id) == ("screening", "evaluation", milestone.pk)
    assert_history(move, user=admin_user, reason="report accepted")


def test_translation_move_with_a_document_keeps_its_hash_and_the_funnel_counts_days(admin_user):
    project = make_project(admin_user, entered_on=date(2025, 1, 6))
    services.move_translation_stage(project, "evaluation", moved_on=date(2025, 1, 16),
                                    document=SimpleUploadedFile("evaluation.pdf", b"%PDF-1.4 report"),
                                    user=admin_user, reason="evaluation committee")
    move = project.translation_moves.get(to_stage="evaluation")
    assert move.document_name == "evaluation.pdf"
    assert move.document_sha256 == hashlib.sha256(b"%PDF-1.4 report").hexdigest()
    project.refresh_from_db()
    today = date(2025, 2, 15)
    stays = services.translation_timeline(project, today=today)
    assert [(s["stage"], s["days"]) for s in stays] == [("screening", 10), ("evaluation", 30)]
    funnel = {row["stage"]: row for row in services.translation_funnel([project], today=today)}
    assert funnel["screening"]["reached"] == 1 and funnel["screening"]["now"] == 0
    assert funnel["screening"]["mean_days"] == 10
    assert funnel["evaluation"]["now"] == 1 and funnel["evaluation"]["current_mean_days"] == 30
    assert funnel["on_market"]["reached"] == 0


def test_translation_move_page_and_api_need_a_reason(client_for, api_for, incubator_user):
    project = make_project(incubator_user)
    milestone = _done_milestone(incubator_user, project)
    url = reverse("incubator:project-translation", args=[project.pk])
    page = client_for(incubator_user).get(url)
    assert page.status_code == 200 and b"Evidence" in page.content
    response = client_for(incubator_user).post(url, {"to_stage": "evaluation", "moved_on": "2025-03-02",
                                                     "milestone": milestone.pk, "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors

    api = api_for(incubator_user)
    detail = f"/api/v1/incubator/projects/{project.pk}/"
    refused = api.patch(detail, {"translation_stage": "evaluation", "translation_milestone": milestone.pk},
                        format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "reason_required"
    no_evidence = api.patch(detail, {"translation_stage": "evaluation", "reason": "accepted"}, format="json")
    assert no_evidence.status_code == 400 and "translation_milestone" in no_evidence.json()["fields"]
    project.refresh_from_db()
    assert project.translation_stage == "screening"
    ok = api.patch(detail, {"translation_stage": "evaluation", "translation_milestone": milestone.pk,
                            "reason": "accepted"}, format="json")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["translation_stage"] == "evaluation"


# --- 2. What became of the project's products -----------------------------------------------------------------

def _product(user, project, code):
    from tests.production.factories import gtin, number

    return production.create_product(
        {"code": code, "name": f"Kit {code}", "gtin": gtin(number()), "tests_per_kit": 20, "shelf_life_months": 24,
         "storage_min_c": Decimal("2"), "storage_max_c": Decimal("30"), "project": project},
        user=user, reason="came from the project")


def _made(user, product, line, *, made, kind="commercial", on=None):
    batch = production.create_batch(product=product, line=line, planned_quantity=made, kind=kind,
                                    manufactured_on=on, user=user, reason="planned")
    production.start_batch(batch, user=user, reason="start")
    return production.complete_batch(batch, quantity_made=made, user=user, reason="done")


@pytest.fixture
def project_record(admin_user, qa_user):
    """A project whose two products were made (pilot and commercial), tested (one pilot lot failed QC and opened
    its deviation), released, certified, shipped, and whose samples the lab tested — all through the services."""
    user = admin_user
    project = make_project(user, code="INC-T9", entered_on=date(2024, 1, 8))
    make_project(user, code="INC-OTHER")  # a project with nothing: its figures stay empty
    kit, other = _product(user, project, "T9-KIT"), _product(user, project, "T9-PACK")
    spec = make_spec(user, product=kit, required_for_release=False)
    manual, automated = _line(user, "manual"), _line(user, "automated")
    pilots = []
    for n, value in enumerate((Decimal("3"), Decimal("9"), Decimal("3"))):
        batch = _made(user, kit, manual, made=900 + n, kind="pilot")
        qc.record_inspection(batch=batch, stage="release", sample_size=20,
                             results=[{"specification": spec, "value": value}], user=user, reason="tested")
        pilots.append(batch)
    commercial = _made(user, other, automated, made=5000)
    for batch in (pilots[0], pilots[2], commercial):
        qc.dispose_batch(batch, decision="release", **sig(qa_user), user=qa_user, reason="released")
    market, second = make_market(user), make_market(user)
    kind = make_kind(user)
    make_rule(user, market=market, kinds=[kind])
    make_rule(user, market=second, kinds=[kind])
    make_certification(user, product=kit, market=market, kind=kind, valid_until=date(2030, 12, 31),
                       covers_pilot_lots=True)  # the pilot lots ship there (regulatory rule pilot_not_covered)
    make_certification(user, product=other, market=second, kind=kind)
    make_certification(user, product=other, market=make_market(user), kind=kind, status="pending")
    today = timezone.localdate()
    for batch, where, quantity in ((pilots[0], market, 300), (pilots[2], market, 200), (commercial, second, 1000)):
        regulatory.record_shipment(batch=batch, market=where, quantity=quantity, shipped_on=today,
                                   consignee="Importer Ltd", user=user, reason="shipped")
    make_study(user, product=kit)
    client = make_client(user, kind=Client.Kind.INCUBATOR_PROJECT, project=project)
    assay = make_assay(user)
    now = timezone.now()
    for i in range(3):
        [sample] = lab.receive_samples([{"client": client, "assay": assay,
                                         "received_at": now - timedelta(hours=5)}], user=user, reason="received")
        if i < 2:
            lab.report_result(sample, result="negative", user=user, reason="reported")
    return {"project": project, "kit": kit, "other": other, "pilots": pilots, "commercial": commercial,
            "market": market, "second": second}


def test_project_figures_equal_what_the_records_say(project_record, api_for, admin_user, client_for):
    project = project_record["project"]
    batches = Batch.objects.filter(product__project=project)
    expected = {
        "products": ["T9-KIT", "T9-PACK"],
        "batches_made": batches.exclude(status__in=("planned", "in_production")).count(),
        "units_released": batches.aggregate(n=Sum("quantity_released"))["n"],
        "units_shipped": Shipment.objects.filter(batch__product__project=project).aggregate(n=Sum("quantity"))["n"],
        "markets_certified": sorted({c.market.code for c in Certification.objects.filter(product__project=project)
                                     if c.status == "active" and c.covers(timezone.localdate())}),
        "lab_samples": Sample.objects.filter(client__project=project, status="reported").count(),
    }
    assert expected == {
        "products": ["T9-KIT", "T9-PACK"], "batches_made": 4, "units_released": 900 + 902 + 5000,
        "units_shipped": 1500, "markets_certified": sorted([project_record["market"].code,
                                                             project_record["second"].code]),
        "lab_samples": 2}
    body = api_for(admin_user).get(f"/api/v1/incubator/projects/{project.pk}/").json()
    assert {k: body[k] for k in expected} == expected
    assert body["translation_stage"] == "screening"
    listed = api_for(admin_user).get("/api/v1/incubator/projects/?page_size=50").json()["results"]
    by_code = {row["code"]: row for row in listed}
    assert {k: by_code["INC-T9"][k] for k in expected} == expected
    assert by_code["INC-OTHER"]["products"] == [] and by_code["INC-OTHER"]["units_shipped"] == 0

    page = client_for(admin_user).get(project.get_absolute_url())
    assert page.status_code == 200
    panels = {p["template_name"]: p["context"] for p in page.context["panels"]}
    production_panel = panels["production/panels/project_products.html"]
    assert production_panel["totals"] == {"pilot": 3, "commercial": 1, "made": 900 + 901 + 902 + 5000,
                                          "released": expected["units_released"]}
    qc_panel = panels["qc/panels/project_qc.html"]
    assert qc_panel["fpy"] == {"tested": 3, "first_pass": 2, "pct": 66.7}
    assert qc_panel["open_count"] == Deviation.objects.filter(batch=project_record["pilots"][1]).exclude(
        status="closed").count() == 1
    assert [s.title or s.kind for s in qc_panel["studies"]] == ["clinical"]
    regulatory_panel = panels["regulatory/panels/project_regulatory.html"]
    assert regulatory_panel["markets_certified"] == expected["markets_certified"]
    assert regulatory_panel["units_shipped"] == expected["units_shipped"]
    assert {r["market__code"]: r["units"] for r in regulatory_panel["shipments"]} == {
        project_record["market"].code: 500, project_record["second"].code: 1000}
    html = page.content.decode()
    assert "Products and batches" in html and "Certifications and shipments" in html and "66.7 %" in html
    # each number links to the list behind it, and the lists filter by project
    lists = client_for(admin_user)
    pilot_list = lists.get(production_panel["pilot_url"])
    assert pilot_list.status_code == 200
    assert {r["object"].lot_number for r in pilot_list.context["rows"]} == {
        b.lot_number for b in project_record["pilots"]}
    deviations = lists.get(qc_panel["deviations_url"])
    assert [r["object"].batch_id for r in deviations.context["rows"]] == [project_record["pilots"][1].pk]
    shipments = lists.get(regulatory_panel["shipments_url"])
    assert len(shipments.context["rows"]) == 3


def test_record_kpis_per_quarter_are_computed(project_record):
    quarter = (lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}")(timezone.localdate())
    [row] = quarterly_kpis(project_record["project"])
    assert row == {"period": quarter, "units_made": 900 + 901 + 902 + 5000, "units_released": 900 + 902 + 5000,
                   "units_shipped": 1500, "markets": 2}


def test_each_panel_runs_a_constant_number_of_queries(project_record, admin_user, rf):
    from lims.registry import registered_panels

    project = project_record["project"]
    request = rf.get("/")
    request.user = admin_user
    ours = [p for p in registered_panels("project") if p.template_name.split("/")[0] in
            ("production", "qc", "regulatory")]
    assert len(ours) == 3
    before = {p.template_name: count_queries(lambda p=p: p.context_func(request, project)) for p in ours}
    figures_before = count_queries(lambda: figures_for([project.pk]))
    # more of everything: a second month of batches, more inspections, deviations, studies, certifications
    kit = project_record["kit"]
    line = Line.objects.filter(kind="manual").first()
    spec = kit.specifications.first()
    for n in range(3):
        batch = _made(admin_user, kit, line, made=100 + n, kind="pilot",
                      on=timezone.localdate() - timedelta(days=40))
        qc.record_inspection(batch=batch, stage="release", sample_size=5,
                             results=[{"specification": spec, "value": Decimal("9")}], user=admin_user,
                             reason="tested")
        make_study(admin_user, product=kit)
        make_certification(admin_user, product=kit, market=make_market(admin_user), kind=make_kind(admin_user))
    after = {p.template_name: count_queries(lambda p=p: p.context_func(request, project)) for p in ours}
    assert after == before
    assert count_queries(lambda: figures_for([project.pk])) == figures_before


# --- 3. Pilot batches -------------------------------------------------------------------------------------------

def test_pilot_batch_only_on_a_manual_line_and_small(admin_user, api_for):
    product = make_product(admin_user)
    automated, manual = _line(admin_user, "automated"), _line(admin_user, "manual")
    before = table_counts(Batch)
    with pytest.raises(ValidationError) as exc:
        production.create_batch(product=product, line=automated, planned_quantity=100, kind="pilot",
                                user=admin_user, reason="pilot")
    assert "line" in exc.value.message_dict
    limit = Plant.pilot_batch_limit()
    with pytest.raises(ValidationError) as exc:
        production.create_batch(product=product, line=manual, planned_quantity=limit + 1, kind="pilot",
                                user=admin_user, reason="pilot")
    assert "planned_quantity" in exc.value.message_dict
    response = api_for(admin_user).post("/api/v1/production/batches/", {
        "product": product.pk, "line": automated.pk, "planned_quantity": 100, "kind": "pilot"}, format="json")
    assert response.status_code == 400 and "line" in response.json()["fields"]
    assert table_counts(Batch) == before

    created = api_for(admin_user).post("/api/v1/production/batches/", {
        "product": product.pk, "line": manual.pk, "planned_quantity": limit, "kind": "pilot"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "pilot"
    batch = Batch.objects.get(lot_number=created.json()["lot_number"])
    with pytest.raises(ValidationError):
        production.update_batch(batch, {"planned_quantity": limit + 1}, user=admin_user, reason="more")
    listed = api_for(admin_user).get("/api/v1/production/batches/?kind=pilot").json()
    assert [b["lot_number"] for b in listed["results"]] == [batch.lot_number]


def test_pilot_batch_form_and_page_mark_it(admin_user, client_for):
    product = make_product(admin_user)
    manual = _line(admin_user, "manual")
    client = client_for(admin_user)
    response = client.post(reverse("production:batch-create"), {
        "kind": "pilot", "product": product.pk, "line": manual.pk, "planned_quantity": 200,
        "manufactured_on": timezone.localdate().isoformat(), "reason": ""})
    assert response.status_code == 302
    batch = Batch.objects.get(product=product)
    assert batch.kind == "pilot"
    assert "PILOT" in client.get(batch.get_absolute_url()).content.decode()


def test_pilot_label_carries_the_marker(admin_user):
    from production.labelling.services import label_data

    product = make_product(admin_user)
    batch = production.create_batch(product=product, line=_line(admin_user, "manual"), planned_quantity=50,
                                    kind="pilot", user=admin_user, reason="pilot")
    assert label_data(batch).pilot is True
    commercial = production.create_batch(product=product, line=_line(admin_user, "automated"),
                                         planned_quantity=50, user=admin_user, reason="lot")
    assert label_data(commercial).pilot is False


def test_a_pilot_batch_cannot_ship_where_the_product_lacks_a_certification(admin_user, qa_user):
    product = make_product(admin_user)
    batch = _made(admin_user, product, _line(admin_user, "manual"), made=500, kind="pilot")
    qc.dispose_batch(batch, decision="release", **sig(qa_user), user=qa_user, reason="released")
    market = make_market(admin_user)
    make_rule(admin_user, market=market, kinds=[make_kind(admin_user)])
    before = table_counts(Shipment)
    with pytest.raises(DomainError) as refused:
        regulatory.record_shipment(batch=batch, market=market, quantity=10, shipped_on=timezone.localdate(),
                                   consignee="Importer", user=admin_user, reason="ship")
    assert refused.value.code == "not_eligible"
    assert table_counts(Shipment) == before
    batch.refresh_from_db()
    assert batch.quantity_shipped == 0


# --- 4. Typed KPIs keep their source ------------------------------------------------------------------------------

def test_typed_kpis_keep_their_source(admin_user):
    project = make_project(admin_user)
    kpi = services.record_kpi(project, period="2026-Q1", staff=9, revenue=Decimal("1000"), source="Quarterly report",
                              user=admin_user, reason="report")
    assert kpi.source == "Quarterly report"
    assert Project.objects.get(pk=project.pk).kpis.get().source == "Quarterly report"
