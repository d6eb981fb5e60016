"""Production's share of an incubator project (issue 20), registered in ProductionConfig.ready: the project's
products and their pilot and commercial batches by month on the project page, and the plant's figures of the
project API (``products``, ``batches_made``, ``units_released``; units made per quarter). Each function runs a
fixed number of queries, whatever the number of products or batches."""

import calendar
from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear, TruncMonth
from django.urls import reverse

from production.models import Batch, Product

MONTHS_SHOWN = 24
#: A batch counts as made once it is completed (whatever QA then decided).
MADE = ~Q(status__in=(Batch.Status.PLANNED, Batch.Status.IN_PRODUCTION))


def _batches_url(**query) -> str:
    return reverse("production:batch-list") + "?" + urlencode({k: v for k, v in query.items() if v not in ("", None)})


def project_products_panel(request, project):
    """Two queries: the products, and the batches grouped by month and kind. Shown to whoever may see the project
    page (the figures are the project API's); the numbers link to the lists for those who may open them."""
    products = list(Product.objects.filter(project=project).order_by("code"))
    grouped = (Batch.objects.filter(product__project=project).annotate(month=TruncMonth("manufactured_on"))
               .values("month", "kind").annotate(n=Count("id"), made=Sum("quantity_made", filter=MADE),
                                                  released=Sum("quantity_released"))
               .order_by("-month", "kind"))
    months: dict = {}
    for row in grouped:
        month = row["month"]
        entry = months.setdefault(month, {"month": month, "pilot": 0, "commercial": 0, "made": 0, "released": 0})
        entry[row["kind"]] = row["n"]
        entry["made"] += row["made"] or 0
        entry["released"] += row["released"] or 0
    rows = []
    for month, entry in list(months.items())[:MONTHS_SHOWN]:
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        window = {"project": project.pk, "manufactured_after": month.isoformat(),
                  "manufactured_before": last.isoformat()}
        rows.append({**entry, "url": _batches_url(**window),
                     "pilot_url": _batches_url(**window, kind=Batch.Kind.PILOT),
                     "commercial_url": _batches_url(**window, kind=Batch.Kind.COMMERCIAL)})
    totals = {"pilot": sum(m["pilot"] for m in months.values()),
              "commercial": sum(m["commercial"] for m in months.values()),
              "made": sum(m["made"] for m in months.values()), "released": sum(m["released"] for m in months.values())}
    return {"products": products, "months": rows, "totals": totals, "more_months": len(months) > MONTHS_SHOWN,
            "batches_url": _batches_url(project=project.pk),
            "pilot_url": _batches_url(project=project.pk, kind=Batch.Kind.PILOT),
            "commercial_url": _batches_url(project=project.pk, kind=Batch.Kind.COMMERCIAL),
            "products_url": reverse("production:product-list") + f"?project={project.pk}",
            "links": request.user.has_perm("production.view_batch")}


# --- Figures of the project API (lims.registry.register_project_figure) ---------------------------------------

def products_figure(project_ids) -> dict:
    out = defaultdict(list)
    for pk, code in Product.objects.filter(project__in=project_ids).order_by("code").values_list("project", "code"):
        out[pk].append(code)
    return {pk: out.get(pk, []) for pk in project_ids}


def _batch_totals(project_ids, **aggregate) -> dict:
    rows = (Batch.objects.filter(product__project__in=project_ids).values("product__project")
            .annotate(**aggregate).order_by())
    return {row["product__project"]: row for row in rows}


def batches_made_figure(project_ids) -> dict:
    rows = _batch_totals(project_ids, value=Count("id", filter=MADE))
    return {pk: rows[pk]["value"] if pk in rows else 0 for pk in project_ids}


def units_made_figure(project_ids) -> dict:
    rows = _batch_totals(project_ids, value=Sum("quantity_made"))
    return {pk: (rows[pk]["value"] or 0) if pk in rows else 0 for pk in project_ids}


def units_released_figure(project_ids) -> dict:
    rows = _batch_totals(project_ids, value=Sum("quantity_released"))
    return {pk: (rows[pk]["value"] or 0) if pk in rows else 0 for pk in project_ids}


def _by_quarter(project_id, field) -> dict:
    rows = (Batch.objects.filter(product__project=project_id).filter(MADE)
            .annotate(y=ExtractYear("manufactured_on"), q=ExtractQuarter("manufactured_on"))
            .values("y", "q").annotate(value=Sum(field)).order_by("y", "q"))
    return {f"{r['y']}-Q{r['q']}": r["value"] or 0 for r in rows}


def units_made_per_quarter(project_id) -> dict:
    """Kits made, by the quarter the lot was made."""
    return _by_quarter(project_id, "quantity_made")


def units_released_per_quarter(project_id) -> dict:
    """Kits released, by the quarter the lot was made."""
    return _by_quarter(project_id, "quantity_released")


def register():
    from lims.registry import register_panel, register_project_figure

    register_panel("project", "production/panels/project_products.html", project_products_panel, order=20)
    register_project_figure("products", products_figure)
    register_project_figure("batches_made", batches_made_figure)
    register_project_figure("units_made", units_made_figure, per_quarter=units_made_per_quarter)
    register_project_figure("units_released", units_released_figure, per_quarter=units_released_per_quarter)
