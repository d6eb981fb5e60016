"""QC's share of an incubator project (issue 20), registered in QcConfig.ready: first-pass yield of the release
testing of the project's batches, its open deviations and the performance studies of its products with their
intervals. Four queries, whatever the number of batches, inspections or studies."""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from qc.models import Deviation, Inspection, InspectionResult, PerformanceStudy, Stage

OPEN_SHOWN = 5


def _url(name, **query) -> str:
    return reverse(name) + "?" + urlencode(query)


def first_pass_yield(project_ids) -> dict:
    """``{project_id: {"tested": n, "first_pass": m, "pct": …}}``: of the batches with a release inspection, those
    whose first release inspection (by time recorded) had no failing result, whatever was retested or
    invalidated later. One query."""
    rows = (Inspection.objects.filter(batch__product__project__in=project_ids, stage=Stage.RELEASE)
            .annotate(fails=Count("results", filter=Q(results__outcome=InspectionResult.Outcome.FAIL)))
            .values_list("batch__product__project", "batch_id", "fails").order_by("batch_id", "recorded_at", "id"))
    first: dict[int, tuple[int, bool]] = {}
    for project_id, batch_id, fails in rows:
        first.setdefault(batch_id, (project_id, fails == 0))
    out = {pk: {"tested": 0, "first_pass": 0, "pct": None} for pk in project_ids}
    for project_id, passed in first.values():
        out[project_id]["tested"] += 1
        out[project_id]["first_pass"] += int(passed)
    for entry in out.values():
        if entry["tested"]:
            entry["pct"] = round(100 * entry["first_pass"] / entry["tested"], 1)
    return out


def project_qc_panel(request, project):
    """Shown to whoever may see the project page; the numbers link to the lists for those who may open them."""
    fpy = first_pass_yield([project.pk])[project.pk]
    open_deviations = (Deviation.objects.filter(batch__product__project=project)
                       .exclude(status=Deviation.Status.CLOSED).select_related("batch").order_by("-opened_at", "-pk"))
    open_count = open_deviations.count()
    shown = list(open_deviations[:OPEN_SHOWN])
    studies = list(PerformanceStudy.objects.filter(product__project=project).select_related("product")
                   .order_by("product__code", "-pk"))
    for study in studies:  # percentages for display; the API keeps fractions 0–1
        study.sensitivity_pct = None if study.sensitivity is None else round(100 * study.sensitivity, 1)
        study.specificity_pct = None if study.specificity is None else round(100 * study.specificity, 1)
    return {
        "fpy": fpy, "open_deviations": shown, "open_count": open_count, "studies": studies,
        "inspections_url": _url("qc:inspection-list", project=project.pk, stage=Stage.RELEASE),
        "deviations_url": _url("qc:deviation-list", project=project.pk, open="true"),
        "studies_url": _url("qc:performancestudy-list", project=project.pk),
        "links": request.user.has_perm("qc.view_inspection"),
    }
