"""Performance evidence of a dossier (issue 6, item 6): each cited study's sensitivity and specificity with their
95 % confidence intervals (computed once, in qc: qc.intervals via PerformanceStudy), compared with the thresholds
of the market's rule set in force — the lower bound of the interval must reach the minimum (e.g. the EU common
list: sensitivity ≥ 90 %, specificity ≥ 97 %; DOMAIN.md §7)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone


@dataclass
class EvidenceRow:
    study: object
    sensitivity: float | None
    sensitivity_ci: list | None
    specificity: float | None
    specificity_ci: list | None
    min_sensitivity: Decimal | None
    min_specificity: Decimal | None
    meets_sensitivity: bool | None  # None: the rule sets no threshold
    meets_specificity: bool | None

    @property
    def meets(self) -> bool:
        return self.meets_sensitivity is not False and self.meets_specificity is not False


def _meets(ci, minimum):
    if minimum is None:
        return None
    return ci is not None and Decimal(str(ci[0])) >= minimum


def evidence(dossier, on_date: date | None = None) -> tuple[object | None, list[EvidenceRow]]:
    """(rule in force, one row per cited study)."""
    rule = dossier.market.rule_on(on_date or timezone.localdate())
    min_sens = rule.min_sensitivity if rule else None
    min_spec = rule.min_specificity if rule else None
    rows = []
    for link in dossier.studies.select_related("study").order_by("pk"):
        s = link.study
        rows.append(EvidenceRow(
            study=s, sensitivity=s.sensitivity, sensitivity_ci=s.sensitivity_ci, specificity=s.specificity,
            specificity_ci=s.specificity_ci, min_sensitivity=min_sens, min_specificity=min_spec,
            meets_sensitivity=_meets(s.sensitivity_ci, min_sens), meets_specificity=_meets(s.specificity_ci, min_spec),
        ))
    return rule, rows
