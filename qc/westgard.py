"""Westgard rules on a Levey–Jennings series of control values (DOMAIN.md §6 table): each value as a z-score
against the control's established mean and SD. ``evaluate`` returns the violations in order; 1-2s is a warning,
every other rule rejects the run."""

from __future__ import annotations

from dataclasses import dataclass

WARNING = "warning"
REJECT = "reject"


@dataclass(frozen=True)
class Violation:
    rule: str  # "1-2s", "1-3s", "2-2s", "R-4s", "4-1s", "10x"
    index: int  # the value (0-based) at which the rule fired
    level: str  # WARNING or REJECT


def z_scores(values, mean: float, sd: float) -> list[float]:
    if sd <= 0:
        raise ValueError("the SD must be positive")
    return [(float(v) - mean) / sd for v in values]


def _same_side_beyond(zs, limit):
    return all(z > limit for z in zs) or all(z < -limit for z in zs)


def evaluate(values, mean: float, sd: float) -> list[Violation]:
    """Every rule violation of the series (a value may break several rules; each is listed)."""
    zs = z_scores(values, mean, sd)
    found = []
    for i, z in enumerate(zs):
        if abs(z) > 3:
            found.append(Violation("1-3s", i, REJECT))
        elif abs(z) > 2:
            found.append(Violation("1-2s", i, WARNING))
        if i >= 1 and _same_side_beyond(zs[i - 1:i + 1], 2):
            found.append(Violation("2-2s", i, REJECT))
        if i >= 1 and ((zs[i] > 2 and zs[i - 1] < -2) or (zs[i] < -2 and zs[i - 1] > 2)):
            found.append(Violation("R-4s", i, REJECT))
        if i >= 3 and _same_side_beyond(zs[i - 3:i + 1], 1):
            found.append(Violation("4-1s", i, REJECT))
        if i >= 9 and _same_side_beyond(zs[i - 9:i + 1], 0):
            found.append(Violation("10x", i, REJECT))
    return found
