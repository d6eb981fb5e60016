"""Westgard multirule on control results across runs and levels of one analyte (DOMAIN.md §6 table).

Each control value is a z-score against its material's target mean and SD. The observations of one analyte are
given in run order (``evaluate_runs``); within a run each level (control material) contributes at most one value.

| rule | fires on | across |
| --- | --- | --- |
| 1-2s | one value beyond ±2 SD (warning) | — |
| 1-3s | one value beyond ±3 SD | — |
| 2-2s | two values beyond the same ±2 SD | two levels of a run, or one level in two consecutive runs |
| R-4s | one value above +2 SD and another below −2 SD | **within one run only** (never across runs) |
| 4-1s | four consecutive values beyond the same ±1 SD | one level over four runs, or the levels of consecutive runs |
| 10x | ten consecutive values on one side of the mean | one level over ten runs, or the levels of consecutive runs |

1-2s is a warning; every other rule rejects the run. A rule is reported on the value that completes it (for the
within-run rules, on every value of the run taking part). 1-3s supersedes 1-2s on the same value. Which rules
apply is configurable per analyte (``rules``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

WARNING = "warning"
REJECT = "reject"

RULES: tuple[str, ...] = ("1-2s", "1-3s", "2-2s", "R-4s", "4-1s", "10x")
REJECTING = frozenset(RULES) - {"1-2s"}


@dataclass(frozen=True)
class Observation:
    """One control value: ``key`` identifies it for the caller, ``run`` and ``level`` place it, ``z`` judges it."""

    key: object
    run: object
    level: object
    z: float


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
    return bool(zs) and (all(z > limit for z in zs) or all(z < -limit for z in zs))


def evaluate_runs(observations, rules=RULES) -> dict[object, list[str]]:
    """The rules each observation violates: ``{key: ["2-2s", ...]}`` (every key present, possibly empty).

    ``observations`` are in time order; the runs are taken in the order they first appear, and a run's values
    should be adjacent. Unknown rule names in ``rules`` raise ValueError."""
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown Westgard rules: {sorted(unknown)}")
    enabled = set(rules)
    found: dict[object, list[str]] = {o.key: [] for o in observations}

    def add(obs, rule):
        if rule in enabled and rule not in found[obs.key]:
            found[obs.key].append(rule)

    runs: dict[object, list[Observation]] = {}
    for obs in observations:
        runs.setdefault(obs.run, []).append(obs)
    by_level: dict[object, list[Observation]] = defaultdict(list)
    sequence: list[Observation] = []
    for run_values in runs.values():
        for obs in run_values:
            if abs(obs.z) > 3:
                add(obs, "1-3s")
            elif abs(obs.z) > 2:
                add(obs, "1-2s")
        # Within the run, across its levels: 2-2s and R-4s.
        high = [o for o in run_values if o.z > 2]
        low = [o for o in run_values if o.z < -2]
        for group in (high, low):
            if len(group) >= 2:
                for obs in group:
                    add(obs, "2-2s")
        if high and low:
            for obs in (*high, *low):
                add(obs, "R-4s")
        for obs in run_values:
            level_values = by_level[obs.level]
            level_values.append(obs)
            sequence.append(obs)
            # Within one level across consecutive runs: 2-2s, 4-1s, 10x.
            if len(level_values) >= 2 and _same_side_beyond([o.z for o in level_values[-2:]], 2):
                add(obs, "2-2s")
            if len(level_values) >= 4 and _same_side_beyond([o.z for o in level_values[-4:]], 1):
                add(obs, "4-1s")
            if len(level_values) >= 10 and _same_side_beyond([o.z for o in level_values[-10:]], 0):
                add(obs, "10x")
            # Across levels and runs (the analyte's values in order): 4-1s, 10x.
            if len(sequence) >= 4 and _same_side_beyond([o.z for o in sequence[-4:]], 1):
                add(obs, "4-1s")
            if len(sequence) >= 10 and _same_side_beyond([o.z for o in sequence[-10:]], 0):
                add(obs, "10x")
    order = {rule: i for i, rule in enumerate(RULES)}
    return {key: sorted(value, key=order.__getitem__) for key, value in found.items()}


def run_status(rules_of_run) -> str:
    """``rejected`` when any value of a run breaks a rejecting rule, ``warning`` on 1-2s alone, else ``accepted``."""
    flat = {rule for rules in rules_of_run for rule in rules}
    if flat & REJECTING:
        return "rejected"
    return "warning" if flat else "accepted"


def evaluate(values, mean: float, sd: float, rules=RULES) -> list[Violation]:
    """One level's series, one value per run (the classic Levey–Jennings reading): every violation in order.
    R-4s never fires here: it is a within-run rule and each value is its own run."""
    zs = z_scores(values, mean, sd)
    result = evaluate_runs([Observation(i, i, "level", z) for i, z in enumerate(zs)], rules)
    return [Violation(rule, i, REJECT if rule in REJECTING else WARNING) for i in range(len(zs))
            for rule in result[i]]
