"""Attribute sampling plans of ISO 2859-1:1999: single sampling, normal inspection.

The tables are data, kept with their source in ``qc/data/iso2859_1.json``:

* ISO 2859-1:1999 **Table 1 - Sample size code letters**: lot size and inspection level (special levels S-1 to
  S-4, general levels I, II, III) give a sample size code letter A..R.
* ISO 2859-1:1999 **Table 2-A - Single sampling plans for normal inspection (Master table)**: the code letter
  gives the sample size (A 2, B 3, C 5, ... R 2000), and the code letter with the AQL gives either an acceptance
  and a rejection number (Ac, Re) or an arrow. "down" means *use the first sampling plan below the arrow*,
  "up" means *use the first sampling plan above the arrow*; the sample size then comes from the row where the plan
  is found, not from the original code letter.

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
    "SamplingPlan",
    "code_letter",
    "load_tables",
    "master_table_cell",
    "normalise_aql",
    "plan_for_letter",
    "PlanInputError",
    "resolve_plan",
    "sample_size_for_letter",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "iso2859_1.json"

SOURCE = (
    "ISO 2859-1:1999 Table 1 (sample size code letters) and Table 2-A "
    "(single sampling plans for normal inspection, master table)"
)

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

    table = data.get("single_normal", {})
    if tuple(table) != CODE_LETTERS:
        fail(f"single_normal must have the rows {''.join(CODE_LETTERS)}")
    for letter, cells in table.items():
        if tuple(cells) != AQL_VALUES:
            fail(f"single_normal row {letter} must have every AQL column")
        for aql, cell in cells.items():
            is_plan = isinstance(cell, list) and len(cell) == 2 and all(type(v) is int for v in cell)
            if not (cell in (DOWN, UP) or (is_plan and cell[0] >= 0 and cell[1] == cell[0] + 1)):
                fail(f"single_normal {letter}/{aql}: {cell!r} is neither [Ac, Re] with Re = Ac + 1 nor an arrow")


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


def sample_size_for_letter(letter: str) -> int:
    """Return the sample size of code letter ``letter`` in ISO 2859-1:1999 Table 2-A (A 2, B 3, ... R 2000)."""
    return load_tables()["sample_sizes"][_check_letter(letter)]


def master_table_cell(letter: str, aql: str | float | int | Decimal) -> tuple[int, int] | str:
    """Return the raw cell of ISO 2859-1:1999 Table 2-A at code ``letter`` and ``aql``, arrows not followed.

    The result is ``(Ac, Re)`` or the string ``"down"`` / ``"up"`` for the table's arrows.
    """
    cell = load_tables()["single_normal"][_check_letter(letter)][normalise_aql(aql)]
    return cell if isinstance(cell, str) else (cell[0], cell[1])


def plan_for_letter(letter: str, aql: str | float | int | Decimal) -> tuple[str, int, int, int]:
    """Follow the arrows of ISO 2859-1:1999 Table 2-A from code ``letter`` at ``aql``.

    Returns ``(plan_letter, sample_size, Ac, Re)``: "down" moves to the next larger code letter, "up" to the next
    smaller one, until a cell holds a plan; the sample size is that of the row where the plan was found.
    """
    label = normalise_aql(aql)
    table = load_tables()["single_normal"]
    index = CODE_LETTERS.index(_check_letter(letter))
    for _ in CODE_LETTERS:
        cell = table[CODE_LETTERS[index]][label]
        if not isinstance(cell, str):
            plan_letter = CODE_LETTERS[index]
            return plan_letter, sample_size_for_letter(plan_letter), cell[0], cell[1]
        index += 1 if cell == DOWN else -1
        if not 0 <= index < len(CODE_LETTERS):
            break
    raise RuntimeError(f"ISO 2859-1 Table 2-A data: the arrows from {letter}/{label} lead to no plan")


def resolve_plan(lot_size: int, aql: str | float | int | Decimal, level: str = "II") -> SamplingPlan:
    """Return the single sampling plan for normal inspection of ISO 2859-1:1999 for a lot.

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
    letter = code_letter(lot_size, level)
    plan_letter, table_n, accept, reject = plan_for_letter(letter, label)
    inspect_all = table_n >= lot_size
    return SamplingPlan(
        code_letter=letter,
        plan_letter=plan_letter,
        sample_size=lot_size if inspect_all else table_n,
        accept=accept,
        reject=reject,
        inspect_all=inspect_all,
        source=SOURCE,
        lot_size=lot_size,
        aql=label,
        level=level,
        table_sample_size=table_n,
    )
