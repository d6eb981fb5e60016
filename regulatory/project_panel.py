"""Regulatory's share of an incubator project (issue 20), registered in RegulatoryConfig.ready: the
certifications of the project's products per market with their expiry, and its shipments by market, on the
project page; the project API's ``units_shipped`` and ``markets_certified`` (market codes with a certification
valid today), and shipments and markets per quarter. Fixed query counts."""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.urls import reverse
from django.utils import timezone

from regulatory.models import Certification, Shipment


def _url(name, **query) -> str:
    return reverse(name) + "?" + urlencode(query)


def valid_today(today=None) -> Q:
    """An active certification whose validity window covers ``today`` (Certification.covers)."""
    today = today or timezone.localdate()
    return Q(status=Certification.Status.ACTIVE, valid_from__lte=today) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def project_regulatory_panel(request, project):
    """Two queries: the certifications, and the shipments grouped by market. Shown to whoever may see the project
    page; the numbers link to the lists for those who may open them."""
    today = timezone.localdate()
    certifications = list(Certification.objects.filter(product__project=project)
                          .select_related("product", "market", "kind")
                          .order_by("market__code", "product__code", "kind__code", "-valid_from"))
    for cert in certifications:
        cert.valid_now = cert.status == Certification.Status.ACTIVE and cert.covers(today)
        cert.days_to_expiry = cert.days_left(today)
        cert.list_url = _url("regulatory:certification-list", project=project.pk, market=cert.market.code)
    shipments = list(Shipment.objects.filter(batch__product__project=project)
                     .values("market__code", "market__name")
                     .annotate(shipments=Count("id"), units=Sum("quantity"), last=Max("shipped_on"))
                     .order_by("market__code"))
    for row in shipments:
        row["url"] = _url("regulatory:shipment-list", project=project.pk, market=row["market__code"])
    return {
        "certifications": certifications, "shipments": shipments,
        "markets_certified": sorted({c.market.code for c in certifications if c.valid_now}),
        "units_shipped": sum(r["units"] or 0 for r in shipments),
        "certifications_url": _url("regulatory:certification-list", project=project.pk),
        "shipments_url": _url("regulatory:shipment-list", project=project.pk),
        "can_see_shipments": request.user.has_perm("regulatory.view_shipment"),
        "links": request.user.has_perm("regulatory.view_certification"),
    }


# --- Figures of the project API (lims.registry.register_project_figure) ---------------------------------------

def units_shipped_figure(project_ids) -> dict:
    rows = dict(Shipment.objects.filter(batch__product__project__in=project_ids).values("batch__product__project")
                .annotate(units=Sum("quantity")).order_by().values_list("batch__product__project", "units"))
    return {pk: rows.get(pk) or 0 for pk in project_ids}


def markets_certified_figure(project_ids) -> dict:
    out = defaultdict(set)
    rows = (Certification.objects.filter(valid_today(), product__project__in=project_ids)
            .values_list("product__project", "market__code").distinct())
    for pk, code in rows:
        out[pk].add(code)
    return {pk: sorted(out.get(pk, ())) for pk in project_ids}


def _shipments_by_quarter(project_id):
    return (Shipment.objects.filter(batch__product__project=project_id)
            .annotate(y=ExtractYear("shipped_on"), q=ExtractQuarter("shipped_on")).values("y", "q"))


def units_shipped_per_quarter(project_id) -> dict:
    rows = _shipments_by_quarter(project_id).annotate(value=Sum("quantity")).order_by("y", "q")
    return {f"{r['y']}-Q{r['q']}": r["value"] or 0 for r in rows}


def markets_per_quarter(project_id) -> dict:
    """The number of markets the project's kits were shipped to in each quarter."""
    rows = _shipments_by_quarter(project_id).annotate(value=Count("market", distinct=True)).order_by("y", "q")
    return {f"{r['y']}-Q{r['q']}": r["value"] for r in rows}


def register():
    from lims.registry import register_panel, register_project_figure

    register_panel("project", "regulatory/panels/project_regulatory.html", project_regulatory_panel, order=40)
    register_project_figure("units_shipped", units_shipped_figure, per_quarter=units_shipped_per_quarter)
    register_project_figure("markets_certified", markets_certified_figure)
    register_project_figure("markets", None, per_quarter=markets_per_quarter)
