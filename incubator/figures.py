"""What became of a project's technology, read from the records of the apps that hold it (issue 20).

The incubator may not import production, qc, regulatory or lab (DESIGN.md, Layout): those apps register their
figures in ``lims.registry`` (``register_project_figure``) from their ``AppConfig.ready()``, and this module
only asks. A figure no installed app provides is ``None``.
"""

from django.utils.translation import gettext_lazy as _

from lims.registry import project_figures

#: The figures of ``GET /api/v1/incubator/projects/{id}/`` (API.md), in the order they are listed.
API_FIGURES = ("products", "batches_made", "units_released", "units_shipped", "markets_certified", "lab_samples")

#: The KPIs computed from the record per quarter, beside the typed ones (staff, revenue, patents, grants).
RECORD_KPIS = {
    "units_made": _("Units made"),
    "units_released": _("Units released"),
    "units_shipped": _("Units shipped"),
    "markets": _("Markets shipped to"),
}


def figures_for(project_ids) -> dict[int, dict]:
    """``{project_id: {figure: value}}`` for every registered figure; one call per figure, whatever the number
    of projects."""
    project_ids = list(project_ids)
    out = {pk: dict.fromkeys(API_FIGURES) for pk in project_ids}
    if not project_ids:
        return out
    for key, (totals, _per_quarter) in project_figures().items():
        if totals is None:
            continue
        values = totals(project_ids)
        for pk in project_ids:
            out[pk][key] = values.get(pk)
    return out


def quarterly_kpis(project) -> list[dict]:
    """``[{period, units_made, units_released, units_shipped, markets}]`` by quarter, newest last: computed from
    the record, never typed."""
    periods: dict[str, dict] = {}
    for key, (_totals, per_quarter) in project_figures().items():
        if per_quarter is None or key not in RECORD_KPIS:
            continue
        for period, value in per_quarter(project.pk).items():
            periods.setdefault(period, dict.fromkeys(RECORD_KPIS))[key] = value
    return [{"period": period, **values} for period, values in sorted(periods.items())]


def quarter_of(day) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
