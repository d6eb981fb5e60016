"""Attribute sampling plans of ISO 2859-1:1999: single sampling, normal, tightened and reduced inspection.

The tables are data, kept with their source in ``qc/data/iso2859_1.json``:

* ISO 2859-1:1999 **Table 1 - Sample size code letters**: lot size and inspection level (special levels S-1 to
  S-4, general levels I, II, III) give a sample size code letter A..R.
* ISO 2859-1:1999 **Table 2-A - Single sampling plans for normal inspection (Master table)**: the code letter
  gives the sample size (A 2, B 3, C 5, ... R 2000), and the code letter with the AQL gives either an acceptance
  and a rejection number (Ac, Re) or an arrow. "down" means *use the first sampling plan below the arrow*,
  "up" means *use the first sampling plan above the arrow*; the sample size then comes from the row where the plan
  is found, not from the original code letter.

* ISO 2859-1:1999 **Table 2-B** (tightened inspection: the normal sample sizes plus code letter S, 3150, with
  smaller acceptance numbers) and **Table 2-C** (reduced inspection: smaller samples, A 2 ... K 50 ... R 800, and
  since the 1999 edition Re = Ac + 1 everywhere, no "accept but reinstate normal" gap) in the same form. Which
  table applies to a product and specification is decided by the switching rules of clause 9 (``qc.switching``).

ANSI/ASQ Z1.4 Tables I and II-A (and MIL-STD-105E) carry the same values. How the data were checked is recorded in
the JSON file's ``source`` object and pinned cell by cell in ``tests/qc/test_sampling.py``.

Where the sample size of the resolved plan equals or exceeds the lot size, the standard says to carry out 100 %
inspection. :func:`resolve_plan` then reports ``inspect_all=True`` and ``sample_size = lot_size``, and keeps the
plan's Ac and Re as the acceptance criterion for the lot (every unit is inspected; the lot is accepted with at most
Ac nonconforming units and not accepted with Re or more).

Only the standard library is used; the JSON file is read once, on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

__all__ = [
    "AQL_VALUES",
    "CODE_LETTERS",
    "DATA_FILE",
    "INSPECTION_LEVELS",
    "SOURCE",
    "SEVERITIES",
    "SOURCES",
    "SamplingPlan",
    "code_letter",
    "load_tables",
    "master_table_cell",
    "normalise_aql",
    "plan_for_letter",
    "PlanInputError",
    "check_aql_counts",
    "normalise_severity",
    "resolve_plan",
    "sample_size_for_letter",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "iso2859_1.json"

SOURCE = (
    "ISO 2859-1:1999 Table 1 (sample size code letters) and Table 2-A "
    "(single sampling plans for normal inspection, master table)"
)

NORMAL, TIGHTENED, REDUCED = "normal", "tightened", "reduced"
#: Inspection severities of ISO 2859-1:1999 clause 9 and the master table each one uses.
SEVERITIES: tuple[str, ...] = (NORMAL, TIGHTENED, REDUCED)
_TABLE_KEY = {NORMAL: "single_normal", TIGHTENED: "single_tightened", REDUCED: "single_reduced"}
_SIZES_KEY = {NORMAL: "sample_sizes", TIGHTENED: "sample_sizes_tightened", REDUCED: "sample_sizes_reduced"}
SOURCES = {
    NORMAL: SOURCE,
    TIGHTENED: "ISO 2859-1:1999 Table 1 (sample size code letters) and Table 2-B "
               "(single sampling plans for tightened inspection, master table)",
    REDUCED: "ISO 2859-1:1999 Table 1 (sample size code letters) and Table 2-C "
             "(single sampling plans for reduced inspection, master table)",
}
#: AQLs above 10 are nonconformities per 100 items only (ISO 2859-1:1999 clause 5.2 and Table 2-A).
MAX_AQL_NONCONFORMING_ITEMS = Decimal("10")

DOWN = "down"
UP = "up"

#: Inspection levels of ISO 2859-1:1999 Table 1: special levels S-1..S-4, general levels I, II, III.
INSPECTION_LEVELS: tuple[str, ...] = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

#: Sample size code letters of ISO 2859-1:1999 Table 2-A, smallest sample first (there is no I and no O).
CODE_LETTERS: tuple[str, ...] = tuple("ABCDEFGHJKLMNPQR")

#: The AQL columns of ISO 2859-1:1999 Table 2-A, written as in the standard. 0.010 to 10 are percent
#: nonconforming or nonconformities per 100 items; 15 to 1000 are nonconformities per 100 items only.
AQL_VALUES: tuple[str, ...] = (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5",
    "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000",
)  # fmt: skip

_AQL_BY_VALUE: dict[Decimal, str] = {Decimal(label): label for label in AQL_VALUES}


@dataclass(frozen=True)
class SamplingPlan:
    """A single sampling plan for normal inspection, resolved from ISO 2859-1:1999 Tables 1 and 2-A.

    ``code_letter`` is the letter of Table 1 for the lot size and inspection level; ``plan_letter`` the letter
    whose row of Table 2-A holds the plan after following the arrows (equal to ``code_letter`` when the cell holds
    a plan). ``table_sample_size`` is that row's sample size. ``sample_size`` is the number of units to inspect:
    the table's sample size, or the lot size when ``inspect_all`` is true (table sample size >= lot size, where
    the standard calls for 100 % inspection). ``accept`` (Ac) and ``reject`` (Re) are the plan's numbers in both
    cases: accept the lot with at most ``accept`` nonconforming units (or nonconformities) in the sample, do not
    accept it with ``reject`` or more.
    """

    code_letter: str
    plan_letter: str
    sample_size: int
    accept: int
    reject: int
    inspect_all: bool
    source: str
    lot_size: int
    aql: str
    level: str
    table_sample_size: int
    severity: str = NORMAL


@cache
def load_tables() -> dict:
    """Read and check ``qc/data/iso2859_1.json`` (once; the result is cached and must not be modified).

    Raises ``RuntimeError`` if the file does not have the shape of ISO 2859-1:1999 Tables 1 and 2-A as described in
    its ``source`` object, so a damaged data file fails loudly instead of giving a wrong plan.
    """
    with DATA_FILE.open(encoding="utf-8") as handle:
        data = json.load(handle)
    _check_tables(data)
    return data


def _check_tables(data: dict) -> None:
    def fail(message: str) -> None:
        raise RuntimeError(f"{DATA_FILE}: {message}")

    source = data.get("source")
    if not isinstance(source, dict) or "ISO 2859-1:1999" not in str(source.get("standard", "")):
        fail('missing "source" citing ISO 2859-1:1999')
    if tuple(data.get("inspection_levels", ())) != INSPECTION_LEVELS:
        fail(f"inspection_levels must be {list(INSPECTION_LEVELS)}")
    if tuple(data.get("aql_values", ())) != AQL_VALUES:
        fail("aql_values differ from qc.sampling.AQL_VALUES")
    if tuple(data.get("sample_sizes", {})) != CODE_LETTERS:
        fail(f"sample_sizes must have the code letters {''.join(CODE_LETTERS)}")

    rows = data.get("code_letters", [])
    expected_min = 2
    for index, row in enumerate(rows):
        last = index == len(rows) - 1
        if row["lot_size_min"] != expected_min:
            fail(f"Table 1 row {index + 1} must start at lot size {expected_min}")
        if (row["lot_size_max"] is None) != last:
            fail("only the last Table 1 row is open-ended")
        if not last and row["lot_size_max"] < row["lot_size_min"]:
            fail(f"Table 1 row {index + 1} is empty")
        if tuple(row["letters"]) != INSPECTION_LEVELS or not set(row["letters"].values()) <= set(CODE_LETTERS):
            fail(f"Table 1 row {index + 1} must give a code letter for every inspection level")
        expected_min = (row["lot_size_max"] or 0) + 1
    if not rows:
        fail("Table 1 is empty")

    for severity in SEVERITIES:
        key, letters = _TABLE_KEY[severity], _letters(severity)
        table = data.get(key, {})
        if tuple(table) != letters or tuple(data.get(_SIZES_KEY[severity], {})) != letters:
            fail(f"{key} and its sample sizes must have the rows {''.join(letters)}")
        for letter, cells in table.items():
            if tuple(cells) != AQL_VALUES:
                fail(f"{key} row {letter} must have every AQL column")
            for aql, cell in cells.items():
                is_plan = isinstance(cell, list) and len(cell) == 2 and all(type(v) is int for v in cell)
                blank = cell is None and letter == "S"  # Table 2-B row S holds one plan only (AQL 0.025)
                if not (blank or cell in (DOWN, UP) or (is_plan and cell[0] >= 0 and cell[1] == cell[0] + 1)):
                    fail(f"{key} {letter}/{aql}: {cell!r} is neither [Ac, Re] with Re = Ac + 1 nor an arrow")


def _letters(severity: str) -> tuple[str, ...]:
    """The rows of a severity's master table: Table 2-B adds code letter S (sample size 3150) below R."""
    return CODE_LETTERS + ("S",) if severity == TIGHTENED else CODE_LETTERS


def normalise_severity(severity: str | None) -> str:
    """``normal`` (also for an empty value), ``tightened`` or ``reduced``; ValueError otherwise."""
    value = (severity or NORMAL).strip().lower() if isinstance(severity, str) or severity is None else severity
    if value not in SEVERITIES:
        raise ValueError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    return value


def check_aql_counts(aql, counts: str) -> None:
    """AQLs above 10 apply to nonconformities per 100 items only, never to nonconforming items (percent
    nonconforming cannot exceed 100 and the standard's columns 15 to 1000 are not defined for it).
    Raises ValueError for an AQL above 10 when ``counts`` is ``nonconforming_items``."""
    label = normalise_aql(aql)
    if counts != "nonconformities" and Decimal(label) > MAX_AQL_NONCONFORMING_ITEMS:
        raise ValueError(f"AQL {label} applies to nonconformities per 100 items only; for nonconforming items "
                         f"the largest AQL is 10")


class PlanInputError(ValueError):
    """A ValueError naming the input at fault (``field``: ``aql``, ``level`` or ``lot_size``), so callers report
    it on that field instead of guessing from the message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def normalise_aql(aql: str | float | int | Decimal) -> str:
    """Return the AQL column label of ISO 2859-1:1999 Table 2-A for ``aql``.

    Accepts a string, float, int or Decimal and compares by value: ``"1"``, ``"1.0"``, ``1.0`` and ``1`` all give
    ``"1.0"``; ``0.65`` gives ``"0.65"``; ``"0.01"`` gives ``"0.010"``. Raises ``ValueError`` listing the allowed
    values for anything that is not one of the standard's AQL columns (the standard has no plans for other AQLs).
    """
    value: Decimal | None = None
    if isinstance(aql, Decimal):
        value = aql
    elif isinstance(aql, int) and not isinstance(aql, bool):
        value = Decimal(aql)
    elif isinstance(aql, float):
        value = Decimal(repr(aql))  # shortest repr: 0.65 -> Decimal("0.65"), not the binary expansion
    elif isinstance(aql, str):
        try:
            value = Decimal(aql.strip())
        except InvalidOperation:
            value = None
    if value is not None and value.is_finite() and value in _AQL_BY_VALUE:
        return _AQL_BY_VALUE[value]
    raise PlanInputError("aql", f"AQL {aql!r} is not a column of ISO 2859-1 Table 2-A; allowed values: "
                                f"{', '.join(AQL_VALUES)}")


def _normalise_level(level: str) -> str:
    if isinstance(level, str):
        candidate = level.strip().upper().replace(" ", "")
        if candidate in ("S1", "S2", "S3", "S4"):
            candidate = f"S-{candidate[1]}"
        if candidate in INSPECTION_LEVELS:
            return candidate
    raise PlanInputError(
        "level", f"inspection level {level!r} is not one of ISO 2859-1 Table 1; allowed: {', '.join(INSPECTION_LEVELS)}"
    )


def _check_lot_size(lot_size: int) -> int:
    if isinstance(lot_size, bool) or not isinstance(lot_size, int):
        raise PlanInputError("lot_size", f"lot size must be a whole number of units, not {lot_size!r}")
    if lot_size < 2:
        raise PlanInputError("lot_size",
                             f"lot size must be at least 2 (ISO 2859-1 Table 1 starts at lot size 2), not {lot_size}")
    return lot_size


def _check_letter(letter: str) -> str:
    if letter not in CODE_LETTERS:
        raise ValueError(f"sample size code letter {letter!r} is not one of {', '.join(CODE_LETTERS)}")
    return letter


def code_letter(lot_size: int, level: str = "II") -> str:
    """Return the sample size code letter of ISO 2859-1:1999 Table 1 for ``lot_size`` at inspection ``level``.

    ``level`` is one of ``"S-1"``, ``"S-2"``, ``"S-3"``, ``"S-4"``, ``"I"``, ``"II"`` (the default, general
    inspection level II) or ``"III"``. Raises ``ValueError`` for a lot size below 2 or not a whole number, and for
    an unknown level.

    >>> code_letter(8), code_letter(9), code_letter(500_001)
    ('A', 'B', 'Q')
    """
    lot_size = _check_lot_size(lot_size)
    level = _normalise_level(level)
    for row in load_tables()["code_letters"]:
        if lot_size >= row["lot_size_min"] and (row["lot_size_max"] is None or lot_size <= row["lot_size_max"]):
            return row["letters"][level]
    raise AssertionError("unreachable: Table 1 covers every lot size from 2 up")  # pragma: no cover


def sample_size_for_letter(letter: str, severity: str = NORMAL) -> int:
    """Return the sample size of code letter ``letter`` in the master table of ``severity``: Table 2-A and 2-B
    (A 2, B 3, ... R 2000; 2-B also S 3150) or Table 2-C (A 2, B 2, C 2, D 3, ... K 50, ... R 800)."""
    severity = normalise_severity(severity)
    if letter not in _letters(severity):
        _check_letter(letter)
    return load_tables()[_SIZES_KEY[severity]][letter]


def master_table_cell(letter: str, aql: str | float | int | Decimal,
                      severity: str = NORMAL) -> tuple[int, int] | str | None:
    """Return the raw cell of ISO 2859-1:1999 Table 2-A (2-B tightened, 2-C reduced) at code ``letter`` and
    ``aql``, arrows not followed: ``(Ac, Re)`` or the string ``"down"`` / ``"up"`` for the table's arrows (None for
    the blank cells of Table 2-B's row S)."""
    severity = normalise_severity(severity)
    if letter not in _letters(severity):
        _check_letter(letter)
    cell = load_tables()[_TABLE_KEY[severity]][letter][normalise_aql(aql)]
    return cell if cell is None or isinstance(cell, str) else (cell[0], cell[1])


def plan_for_letter(letter: str, aql: str | float | int | Decimal,
                    severity: str = NORMAL) -> tuple[str, int, int, int]:
    """Follow the arrows of the master table of ``severity`` (Table 2-A, 2-B or 2-C) from code ``letter`` at
    ``aql``.

    Returns ``(plan_letter, sample_size, Ac, Re)``: "down" moves to the next larger code letter, "up" to the next
    smaller one, until a cell holds a plan; the sample size is that of the row where the plan was found.
    """
    severity = normalise_severity(severity)
    label = normalise_aql(aql)
    letters = _letters(severity)
    table = load_tables()[_TABLE_KEY[severity]]
    index = CODE_LETTERS.index(_check_letter(letter))
    for _ in letters:
        cell = table[letters[index]][label]
        if isinstance(cell, list):
            plan_letter = letters[index]
            return plan_letter, sample_size_for_letter(plan_letter, severity), cell[0], cell[1]
        if cell is None:
            break
        index += 1 if cell == DOWN else -1
        if not 0 <= index < len(letters):
            break
    raise RuntimeError(f"ISO 2859-1 {_TABLE_KEY[severity]} data: the arrows from {letter}/{label} lead to no plan")


def resolve_plan(lot_size: int, aql: str | float | int | Decimal, level: str = "II",
                 severity: str = NORMAL) -> SamplingPlan:
    """Return the single sampling plan of ISO 2859-1:1999 for a lot at ``severity`` (normal by default; tightened
    uses Table 2-B, reduced Table 2-C; the code letter always comes from Table 1).

    Table 1 gives the code letter for ``lot_size`` and ``level`` (default general inspection level II); Table 2-A
    gives the plan at ``aql``, following its arrows (see :func:`plan_for_letter`). When the plan's sample size
    equals or exceeds the lot size the standard calls for 100 % inspection: the result then has
    ``inspect_all=True`` and ``sample_size=lot_size``, with the plan's Ac and Re kept as the lot's acceptance
    criterion. Raises ``ValueError`` for a lot size below 2, an unknown level or an AQL that is not a column of
    Table 2-A.

    >>> plan = resolve_plan(100, "1.0")
    >>> plan.code_letter, plan.plan_letter, plan.sample_size, plan.accept, plan.reject, plan.inspect_all
    ('F', 'E', 13, 0, 1, False)
    """
    lot_size = _check_lot_size(lot_size)
    level = _normalise_level(level)
    label = normalise_aql(aql)
    severity = normalise_severity(severity)
    letter = code_letter(lot_size, level)
    plan_letter, table_n, accept, reject = plan_for_letter(letter, label, severity)
    inspect_all = table_n >= lot_size
    return SamplingPlan(
        code_letter=letter,
        plan_letter=plan_letter,
        sample_size=lot_size if inspect_all else table_n,
        accept=accept,
        reject=reject,
        inspect_all=inspect_all,
        source=SOURCES[severity],
        lot_size=lot_size,
        aql=label,
        level=level,
        table_sample_size=table_n,
        severity=severity,
    )
