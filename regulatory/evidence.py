"""Performance evidence of a dossier: each cited study's sensitivity and specificity with their 95 % confidence
intervals (computed once, in qc: qc.intervals via PerformanceStudy), compared with the thresholds of the market's
rule set in force. The rule version says what it compares — the point estimate or the lower 95 % bound — and
which document the thresholds come from (DOMAIN.md §7). The comparison is exact: the point estimate as a
fraction, the bound unrounded (120/126: Wilson lower 0.8999983 does not meet ≥ 0.90); rounding is for display."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone

from regulatory.models import MarketRule


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
    compares: str = MarketRule.Compares.LOWER_BOUND

    @property
    def meets(self) -> bool:
        return self.meets_sensitivity is not False and self.meets_specificity is not False


def meets(estimate, minimum: Decimal | None, compares: str) -> bool | None:
    """Does ``estimate`` ((point as Fraction, (low, high) unrounded) or None) reach ``minimum``? None when the
    rule sets no threshold; False when there is no estimate."""
    if minimum is None:
        return None
    if estimate is None:
        return False
    point, (low, _high) = estimate
    value = point if compares == MarketRule.Compares.POINT else Fraction(low)
    return value >= Fraction(minimum)


def evidence(dossier, on_date: date | None = None) -> tuple[object | None, list[EvidenceRow]]:
    """(rule in force, one row per cited study)."""
    rule = dossier.market.rule_on(on_date or timezone.localdate())
    min_sens = rule.min_sensitivity if rule else None
    min_spec = rule.min_specificity if rule else None
    compares = rule.criteria_compare if rule else MarketRule.Compares.LOWER_BOUND
    rows = []
    for link in dossier.studies.select_related("study").order_by("pk"):
        s = link.study
        rows.append(EvidenceRow(
            study=s, sensitivity=s.sensitivity, sensitivity_ci=s.sensitivity_ci, specificity=s.specificity,
            specificity_ci=s.specificity_ci, min_sensitivity=min_sens, min_specificity=min_spec,
            meets_sensitivity=meets(s.estimate("sensitivity"), min_sens, compares),
            meets_specificity=meets(s.estimate("specificity"), min_spec, compares), compares=compares,
        ))
    return rule, rows
