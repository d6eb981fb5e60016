"""ISO 2859-1:1999 single sampling, normal inspection (qc/sampling.py and qc/data/iso2859_1.json).

The expected values below are literals typed from the standard (Table 1, Table 2-A) and from DOMAIN.md section 5,
independently of the JSON data file, and every Table 1 row and every Table 2-A cell is pinned by its own test.
Plain pytest: no database, no Django.
"""

from decimal import Decimal

import pytest

from qc import sampling
from qc.sampling import (
    AQL_VALUES,
    CODE_LETTERS,
    INSPECTION_LEVELS,
    SamplingPlan,
    code_letter,
    load_tables,
    master_table_cell,
    normalise_aql,
    plan_for_letter,
    resolve_plan,
    sample_size_for_letter,
)

# --- ISO 2859-1:1999 Table 1 - Sample size code letters -------------------------------------------------------
# One string per inspection level: the code letter of each lot-size range, in the order of LOT_RANGES.

LOT_RANGES = [
    (2, 8),
    (9, 15),
    (16, 25),
    (26, 50),
    (51, 90),
    (91, 150),
    (151, 280),
    (281, 500),
    (501, 1_200),
    (1_201, 3_200),
    (3_201, 10_000),
    (10_001, 35_000),
    (35_001, 150_000),
    (150_001, 500_000),
    (500_001, None),  # "500 001 and over"
]
TABLE_1 = {
    "S-1": "AAAABBBBCCCCDDD",
    "S-2": "AAABBBCCCDDDEEE",
    "S-3": "AABBCCDDEEFFGGH",
    "S-4": "AABCCDEEFGGHJJK",
    "I": "AABCCDEFGHJKLMN",
    "II": "ABCDEFGHJKLMNPQ",
    "III": "BCDEFGHJKLMNPQR",
}
HUGE_LOT = 10**9  # stands for the open end of the last range

TABLE_1_CASES = [
    pytest.param(level, lot, TABLE_1[level][row], id=f"{level}-{lot}")
    for level in TABLE_1
    for row, (first, last) in enumerate(LOT_RANGES)
    for lot in (first, last if last is not None else HUGE_LOT)
]


@pytest.mark.parametrize(("level", "lot_size", "expected"), TABLE_1_CASES)
def test_table_1_code_letter(level, lot_size, expected):
    assert code_letter(lot_size, level) == expected


def test_table_1_level_ii_is_the_default_and_matches_domain():
    # DOMAIN.md section 5: 2-8 A, 9-15 B, ..., 150,001-500,000 P, 500,001+ Q.
    assert [code_letter(first) for first, _ in LOT_RANGES] == list("ABCDEFGHJKLMNPQ")
    assert code_letter(8) == "A"  # the common mistake maps 2-8 to B
    assert code_letter(500_000) == "P"
    assert code_letter(500_001) == "Q"


# --- ISO 2859-1:1999 Table 2-A - Single sampling plans for normal inspection (Master table) ---------------------
# Typed cell by cell from the master table. "v" = arrow down (use the first plan below), "^" = arrow up (use the
# first plan above), "Ac/Re" = a plan. The table is printed in two halves to keep the lines short.

SAMPLE_SIZES = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50,
    "J": 80, "K": 125, "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000,
}  # fmt: skip

MASTER_LEFT = """
      0.010 0.015 0.025 0.040 0.065 0.10  0.15  0.25  0.40  0.65
A     v     v     v     v     v     v     v     v     v     v
B     v     v     v     v     v     v     v     v     v     v
C     v     v     v     v     v     v     v     v     v     v
D     v     v     v     v     v     v     v     v     v     v
E     v     v     v     v     v     v     v     v     v     v
F     v     v     v     v     v     v     v     v     v     0/1
G     v     v     v     v     v     v     v     v     0/1   ^
H     v     v     v     v     v     v     v     0/1   ^     v
J     v     v     v     v     v     v     0/1   ^     v     1/2
K     v     v     v     v     v     0/1   ^     v     1/2   2/3
L     v     v     v     v     0/1   ^     v     1/2   2/3   3/4
M     v     v     v     0/1   ^     v     1/2   2/3   3/4   5/6
N     v     v     0/1   ^     v     1/2   2/3   3/4   5/6   7/8
P     v     0/1   ^     v     1/2   2/3   3/4   5/6   7/8   10/11
Q     0/1   ^     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15
R     ^     ^     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22
"""

MASTER_RIGHT = """
      1.0   1.5   2.5   4.0   6.5   10    15    25    40    65    100   150   250   400   650   1000
A     v     v     v     v     0/1   v     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31
B     v     v     v     0/1   ^     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31 44/45
C     v     v     0/1   ^     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31 44/45 ^
D     v     0/1   ^     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31 44/45 ^     ^
E     0/1   ^     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31 44/45 ^     ^     ^
F     ^     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 ^     ^     ^     ^     ^     ^
G     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 ^     ^     ^     ^     ^     ^     ^
H     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 ^     ^     ^     ^     ^     ^     ^     ^
J     2/3   3/4   5/6   7/8   10/11 14/15 21/22 ^     ^     ^     ^     ^     ^     ^     ^     ^
K     3/4   5/6   7/8   10/11 14/15 21/22 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
L     5/6   7/8   10/11 14/15 21/22 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
M     7/8   10/11 14/15 21/22 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
N     10/11 14/15 21/22 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
P     14/15 21/22 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
Q     21/22 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
R     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
"""


def _parse_master(*halves):
    cells = {}
    for half in halves:
        header, *rows = half.strip("\n").splitlines()
        columns = header.split()
        for row in rows:
            letter, *tokens = row.split()
            assert len(tokens) == len(columns), letter
            for aql, token in zip(columns, tokens, strict=True):
                if token == "v":
                    cells[letter, aql] = "down"
                elif token == "^":
                    cells[letter, aql] = "up"
                else:
                    ac, re = token.split("/")
                    cells[letter, aql] = (int(ac), int(re))
    return cells


MASTER = _parse_master(MASTER_LEFT, MASTER_RIGHT)


def test_master_literal_covers_every_letter_and_aql():
    assert len(MASTER) == 16 * 26
    assert {letter for letter, _ in MASTER} == set(CODE_LETTERS)
    assert {aql for _, aql in MASTER} == set(AQL_VALUES)


@pytest.mark.parametrize(
    ("letter", "aql"),
    [pytest.param(letter, aql, id=f"{letter}-{aql}") for letter in CODE_LETTERS for aql in AQL_VALUES],
)
def test_table_2a_cell(letter, aql):
    assert master_table_cell(letter, aql) == MASTER[letter, aql]


@pytest.mark.parametrize(("letter", "size"), SAMPLE_SIZES.items())
def test_sample_size_for_code_letter(letter, size):
    assert sample_size_for_letter(letter) == size


# --- Structure of Table 2-A, checked on the data file itself -----------------------------------------------------

BOUNDARY_CELLS = {("A", "10"): "down", ("R", "0.015"): "up"}
# The cells met along a row from the 0/1 diagonal on (beyond the last one, arrows up).
DIAGONAL = [
    (0, 1), "up", "down", (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), (30, 31), (44, 45),
]  # fmt: skip


def test_diagonals_are_constant_apart_from_the_two_boundary_cells():
    """Along a diagonal (code letter + 1, AQL column - 1) the cell does not change: 0/1, up, down, 1/2, ... 44/45."""
    for i, letter in enumerate(CODE_LETTERS):
        for j, aql in enumerate(AQL_VALUES):
            cell = master_table_cell(letter, aql)
            if (letter, aql) in BOUNDARY_CELLS:
                assert cell == BOUNDARY_CELLS[letter, aql]
                continue
            k = i + j - 14  # 0 on the 0/1 diagonal
            if k < 0:
                expected = "down"
            elif k < len(DIAGONAL):
                expected = DIAGONAL[k]
                if expected in ((30, 31), (44, 45)) and letter > "E":
                    expected = "up"  # Ac 30 and 44 only for code letters A to E
            else:
                expected = "up"
            assert cell == expected, (letter, aql)


def test_acceptance_numbers_come_from_the_standard_sequence():
    plans = [c for c in (master_table_cell(L, a) for L in CODE_LETTERS for a in AQL_VALUES) if not isinstance(c, str)]
    assert {ac for ac, _ in plans} == {0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 44}
    assert all(re == ac + 1 for ac, re in plans)


def test_every_arrow_leads_to_a_plan_in_its_direction():
    for letter in CODE_LETTERS:
        for aql in AQL_VALUES:
            plan_letter, n, ac, re = plan_for_letter(letter, aql)
            cell = master_table_cell(letter, aql)
            assert master_table_cell(plan_letter, aql) == (ac, re)
            assert n == SAMPLE_SIZES[plan_letter]
            if cell == "down":
                assert plan_letter > letter
            elif cell == "up":
                assert plan_letter < letter
            else:
                assert plan_letter == letter


def test_data_file_cites_its_source():
    source = load_tables()["source"]
    assert "ISO 2859-1:1999" in source["standard"]
    assert "Table 1" in source["tables"]["code_letters"]
    assert "Table 2-A" in source["tables"]["single_normal"]
    assert "down" in source["arrows"] and "up" in source["arrows"]
    assert "Table 1" in sampling.SOURCE and "Table 2-A" in sampling.SOURCE
    assert tuple(load_tables()["aql_values"]) == AQL_VALUES
    assert tuple(load_tables()["inspection_levels"]) == INSPECTION_LEVELS


# --- DOMAIN.md section 5: resolved plans, general level II, letters A-Q at AQL 0.65 / 1.0 / 2.5 ----------------
# (letter: {AQL: (n, Ac, Re)}), the worked table with its "A-D" and "E-F" rows written out per letter.

DOMAIN_TABLE = {
    "A": {"0.65": (20, 0, 1), "1.0": (13, 0, 1), "2.5": (5, 0, 1)},
    "B": {"0.65": (20, 0, 1), "1.0": (13, 0, 1), "2.5": (5, 0, 1)},
    "C": {"0.65": (20, 0, 1), "1.0": (13, 0, 1), "2.5": (5, 0, 1)},
    "D": {"0.65": (20, 0, 1), "1.0": (13, 0, 1), "2.5": (5, 0, 1)},
    "E": {"0.65": (20, 0, 1), "1.0": (13, 0, 1), "2.5": (20, 1, 2)},
    "F": {"0.65": (20, 0, 1), "1.0": (13, 0, 1), "2.5": (20, 1, 2)},
    "G": {"0.65": (20, 0, 1), "1.0": (50, 1, 2), "2.5": (32, 2, 3)},
    "H": {"0.65": (80, 1, 2), "1.0": (50, 1, 2), "2.5": (50, 3, 4)},
    "J": {"0.65": (80, 1, 2), "1.0": (80, 2, 3), "2.5": (80, 5, 6)},
    "K": {"0.65": (125, 2, 3), "1.0": (125, 3, 4), "2.5": (125, 7, 8)},
    "L": {"0.65": (200, 3, 4), "1.0": (200, 5, 6), "2.5": (200, 10, 11)},
    "M": {"0.65": (315, 5, 6), "1.0": (315, 7, 8), "2.5": (315, 14, 15)},
    "N": {"0.65": (500, 7, 8), "1.0": (500, 10, 11), "2.5": (500, 21, 22)},
    "P": {"0.65": (800, 10, 11), "1.0": (800, 14, 15), "2.5": (500, 21, 22)},
    "Q": {"0.65": (1250, 14, 15), "1.0": (1250, 21, 22), "2.5": (500, 21, 22)},
}
LEVEL_II_LOTS = dict(zip(TABLE_1["II"], [last or HUGE_LOT for _, last in LOT_RANGES], strict=True))


@pytest.mark.parametrize(
    ("letter", "aql", "expected"),
    [
        pytest.param(letter, aql, expected, id=f"{letter}-{aql}")
        for letter, row in DOMAIN_TABLE.items()
        for aql, expected in row.items()
    ],
)
def test_domain_worked_table(letter, aql, expected):
    _, n, ac, re = plan_for_letter(letter, aql)
    assert (n, ac, re) == expected
    # The same through resolve_plan, with the largest lot of the letter's level II range.
    plan = resolve_plan(LEVEL_II_LOTS[letter], aql)
    assert plan.code_letter == letter
    assert (plan.table_sample_size, plan.accept, plan.reject) == expected
    if not plan.inspect_all:
        assert plan.sample_size == expected[0]


def test_worked_examples_from_the_brief():
    assert plan_for_letter("A", "2.5") == ("C", 5, 0, 1)
    assert plan_for_letter("G", "1.0") == ("H", 50, 1, 2)
    assert plan_for_letter("P", "2.5") == ("N", 500, 21, 22)


def test_resolve_plan_fields():
    plan = resolve_plan(1000, "2.5")
    assert plan == SamplingPlan(
        code_letter="J",
        plan_letter="J",
        sample_size=80,
        accept=5,
        reject=6,
        inspect_all=False,
        source=sampling.SOURCE,
        lot_size=1000,
        aql="2.5",
        level="II",
        table_sample_size=80,
    )


def test_resolve_plan_follows_arrows_and_reports_both_letters():
    plan = resolve_plan(200, 1.0)  # G at 1.0: arrow down to H
    assert (plan.code_letter, plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == ("G", "H", 50, 1, 2)
    plan = resolve_plan(200_000, "2.5")  # P at 2.5: arrow up to N
    assert (plan.code_letter, plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == ("P", "N", 500, 21, 22)


def test_resolve_plan_other_levels():
    plan = resolve_plan(1000, "0.65", level="S-4")  # S-4, 501-1200 -> F; F at 0.65 -> 0/1, n 20
    assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject, plan.level) == ("F", 20, 0, 1, "S-4")
    plan = resolve_plan(600_000, "0.010", level="III")  # III, 500,001+ -> R; R at 0.010 -> up to Q
    assert (plan.code_letter, plan.plan_letter, plan.sample_size, plan.accept) == ("R", "Q", 1250, 0)
    plan = resolve_plan(600_000, "0.015", level="III")  # R at 0.015 -> up, up to P
    assert (plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == ("P", 800, 0, 1)


# --- 100 % inspection when the sample size reaches the lot size --------------------------------------------------


@pytest.mark.parametrize(
    ("lot_size", "aql", "table_n", "ac", "re"),
    [
        (10, "0.65", 20, 0, 1),  # B at 0.65 -> F, n 20 >= 10
        (2, "6.5", 2, 0, 1),  # A at 6.5, n 2 == lot size 2: equal also means inspect all
        (8, "2.5", 5, 0, 1),  # A at 2.5 -> C, n 5 < 8: not all
        (5, "2.5", 5, 0, 1),  # A at 2.5 -> C, n 5 == 5
        (40, "0.10", 125, 0, 1),  # D at 0.10 -> K, n 125 >= 40
        (3, "10", 5, 1, 2),  # A at 10 -> C, n 5 >= 3
    ],
)
def test_inspect_all(lot_size, aql, table_n, ac, re):
    plan = resolve_plan(lot_size, aql)
    assert plan.table_sample_size == table_n
    assert plan.inspect_all is (table_n >= lot_size)
    assert plan.sample_size == (lot_size if plan.inspect_all else table_n)
    assert (plan.accept, plan.reject) == (ac, re)


def test_inspect_all_example_lot_10():
    plan = resolve_plan(10, "0.65")
    assert plan.inspect_all is True
    assert plan.sample_size == 10
    assert (plan.code_letter, plan.plan_letter, plan.accept, plan.reject) == ("B", "F", 0, 1)


def test_no_inspect_all_for_large_lot():
    plan = resolve_plan(10_000, "1.0")
    assert plan.inspect_all is False
    assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject) == ("L", 200, 5, 6)


# --- AQL and level normalisation, invalid input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "label"),
    [
        ("1", "1.0"),
        ("1.0", "1.0"),
        (1.0, "1.0"),
        (1, "1.0"),
        (Decimal("1.00"), "1.0"),
        ("0.65", "0.65"),
        (0.65, "0.65"),
        (" 2.5 ", "2.5"),
        ("0.01", "0.010"),
        (0.1, "0.10"),
        ("10", "10"),
        (10.0, "10"),
        (1000, "1000"),
    ],
)
def test_normalise_aql(given, label):
    assert normalise_aql(given) == label
    assert resolve_plan(1000, given).aql == label


@pytest.mark.parametrize("bad", ["0.5", 0.3, "2", "abc", "", None, True, float("nan"), "inf", -1, "1,0", [1.0]])
def test_unknown_aql_is_rejected_with_the_allowed_values(bad):
    with pytest.raises(ValueError, match="allowed values: 0.010, 0.015") as excinfo:
        resolve_plan(1000, bad)
    assert "0.65" in str(excinfo.value) and "1000" in str(excinfo.value)


@pytest.mark.parametrize(
    ("given", "level"), [("II", "II"), ("ii", "II"), (" III ", "III"), ("S-3", "S-3"), ("s2", "S-2")]
)
def test_level_spellings(given, level):
    assert resolve_plan(1000, "1.0", level=given).level == level


@pytest.mark.parametrize("bad", ["IV", "S-5", "", "normal", None, 2])
def test_unknown_level_is_rejected(bad):
    with pytest.raises(ValueError, match="S-1, S-2, S-3, S-4, I, II, III"):
        code_letter(100, bad)
    with pytest.raises(ValueError, match="inspection level"):
        resolve_plan(100, "1.0", level=bad)


@pytest.mark.parametrize("bad", [1, 0, -5])
def test_lot_size_below_two_is_rejected(bad):
    with pytest.raises(ValueError, match="at least 2"):
        code_letter(bad)
    with pytest.raises(ValueError, match="at least 2"):
        resolve_plan(bad, "1.0")


@pytest.mark.parametrize("bad", [2.5, "100", None, True, Decimal(100)])
def test_lot_size_must_be_an_integer(bad):
    with pytest.raises(ValueError, match="whole number"):
        resolve_plan(bad, "1.0")


@pytest.mark.parametrize("bad", ["I", "O", "S", "a", ""])
def test_unknown_code_letter_is_rejected(bad):
    with pytest.raises(ValueError, match="code letter"):
        plan_for_letter(bad, "1.0")
    with pytest.raises(ValueError, match="code letter"):
        master_table_cell(bad, "1.0")


def test_tables_are_loaded_once():
    assert load_tables() is load_tables()
