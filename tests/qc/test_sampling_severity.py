# ruff: noqa: E501  (the literal tables keep one table row per line)
"""ISO 2859-1:1999 Table 2-B (tightened) and Table 2-C (reduced), single sampling: every cell of the master
tables as printed (arrows not followed) and every resolved plan, row by row, pinned as literals here and compared
with ``qc/data/iso2859_1.json`` through ``qc.sampling``. ``v`` = down arrow, ``^`` = up arrow, ``-`` = blank (row S of
Table 2-B has one plan only). Resolved rows: for each AQL column, the code letter whose row holds the plan, its
sample size and Ac (Re = Ac + 1)."""

import pytest

from qc import sampling
from qc.sampling import (
    AQL_VALUES,
    CODE_LETTERS,
    master_table_cell,
    plan_for_letter,
    resolve_plan,
    sample_size_for_letter,
)

TIGHTENED_LEFT = """
      0.010 0.015 0.025 0.040 0.065 0.10  0.15  0.25  0.40  0.65
A     v     v     v     v     v     v     v     v     v     v
B     v     v     v     v     v     v     v     v     v     v
C     v     v     v     v     v     v     v     v     v     v
D     v     v     v     v     v     v     v     v     v     v
E     v     v     v     v     v     v     v     v     v     v
F     v     v     v     v     v     v     v     v     v     v
G     v     v     v     v     v     v     v     v     v     0/1
H     v     v     v     v     v     v     v     v     0/1   v
J     v     v     v     v     v     v     v     0/1   v     v
K     v     v     v     v     v     v     0/1   v     v     1/2
L     v     v     v     v     v     0/1   v     v     1/2   2/3
M     v     v     v     v     0/1   v     v     1/2   2/3   3/4
N     v     v     v     0/1   v     v     1/2   2/3   3/4   5/6
P     v     v     0/1   v     v     1/2   2/3   3/4   5/6   8/9
Q     v     0/1   v     v     1/2   2/3   3/4   5/6   8/9   12/13
R     0/1   ^     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19
S     -     -     1/2   -     -     -     -     -     -     -
"""

TIGHTENED_RIGHT = """
      1.0   1.5   2.5   4.0   6.5   10    15    25    40    65    100   150   250   400   650   1000
A     v     v     v     v     v     0/1   v     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19 27/28
B     v     v     v     v     0/1   v     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19 27/28 41/42
C     v     v     v     0/1   v     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19 27/28 41/42 ^
D     v     v     0/1   v     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19 27/28 41/42 ^     ^
E     v     0/1   v     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19 27/28 41/42 ^     ^     ^
F     0/1   v     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19 ^     ^     ^     ^     ^     ^
G     v     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19 ^     ^     ^     ^     ^     ^     ^
H     v     1/2   2/3   3/4   5/6   8/9   12/13 18/19 ^     ^     ^     ^     ^     ^     ^     ^
J     1/2   2/3   3/4   5/6   8/9   12/13 18/19 ^     ^     ^     ^     ^     ^     ^     ^     ^
K     2/3   3/4   5/6   8/9   12/13 18/19 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
L     3/4   5/6   8/9   12/13 18/19 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
M     5/6   8/9   12/13 18/19 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
N     8/9   12/13 18/19 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
P     12/13 18/19 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
Q     18/19 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
R     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
S     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -
"""

REDUCED_LEFT = """
      0.010 0.015 0.025 0.040 0.065 0.10  0.15  0.25  0.40  0.65
A     v     v     v     v     v     v     v     v     v     v
B     v     v     v     v     v     v     v     v     v     v
C     v     v     v     v     v     v     v     v     v     v
D     v     v     v     v     v     v     v     v     v     v
E     v     v     v     v     v     v     v     v     v     v
F     v     v     v     v     v     v     v     v     v     0/1
G     v     v     v     v     v     v     v     v     0/1   ^
H     v     v     v     v     v     v     v     0/1   ^     v
J     v     v     v     v     v     v     0/1   ^     v     v
K     v     v     v     v     v     0/1   ^     v     v     1/2
L     v     v     v     v     0/1   ^     v     v     1/2   2/3
M     v     v     v     0/1   ^     v     v     1/2   2/3   3/4
N     v     v     0/1   ^     v     v     1/2   2/3   3/4   5/6
P     v     0/1   ^     v     v     1/2   2/3   3/4   5/6   6/7
Q     0/1   ^     ^     v     1/2   2/3   3/4   5/6   6/7   8/9
R     ^     ^     ^     1/2   2/3   3/4   5/6   6/7   8/9   10/11
"""

REDUCED_RIGHT = """
      1.0   1.5   2.5   4.0   6.5   10    15    25    40    65    100   150   250   400   650   1000
A     v     v     v     v     0/1   v     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31
B     v     v     v     0/1   ^     v     v     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31
C     v     v     0/1   ^     v     v     1/2   2/3   3/4   5/6   6/7   8/9   10/11 14/15 21/22 ^
D     v     0/1   ^     v     v     1/2   2/3   3/4   5/6   6/7   8/9   10/11 14/15 21/22 ^     ^
E     0/1   ^     v     v     1/2   2/3   3/4   5/6   6/7   8/9   10/11 14/15 21/22 ^     ^     ^
F     ^     v     v     1/2   2/3   3/4   5/6   6/7   8/9   10/11 ^     ^     ^     ^     ^     ^
G     v     v     1/2   2/3   3/4   5/6   6/7   8/9   10/11 ^     ^     ^     ^     ^     ^     ^
H     v     1/2   2/3   3/4   5/6   6/7   8/9   10/11 ^     ^     ^     ^     ^     ^     ^     ^
J     1/2   2/3   3/4   5/6   6/7   8/9   10/11 ^     ^     ^     ^     ^     ^     ^     ^     ^
K     2/3   3/4   5/6   6/7   8/9   10/11 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
L     3/4   5/6   6/7   8/9   10/11 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
M     5/6   6/7   8/9   10/11 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
N     6/7   8/9   10/11 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
P     8/9   10/11 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
Q     10/11 ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
R     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^
"""

# Resolved plans (letter + sample size / Ac) per AQL column 0.010 ... 1000.
TIGHTENED_RESOLVED = """
A R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 H50/0 G32/0 F20/0 E13/0 D8/0 C5/0 B3/0 A2/0 C5/1 B3/1 A2/1 A2/2 A2/3 A2/5 A2/8 A2/12 A2/18 A2/27
B R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 H50/0 G32/0 F20/0 E13/0 D8/0 C5/0 B3/0 D8/1 C5/1 B3/1 B3/2 B3/3 B3/5 B3/8 B3/12 B3/18 B3/27 B3/41
C R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 H50/0 G32/0 F20/0 E13/0 D8/0 C5/0 E13/1 D8/1 C5/1 C5/2 C5/3 C5/5 C5/8 C5/12 C5/18 C5/27 C5/41 B3/41
D R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 H50/0 G32/0 F20/0 E13/0 D8/0 F20/1 E13/1 D8/1 D8/2 D8/3 D8/5 D8/8 D8/12 D8/18 D8/27 D8/41 C5/41 B3/41
E R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 H50/0 G32/0 F20/0 E13/0 G32/1 F20/1 E13/1 E13/2 E13/3 E13/5 E13/8 E13/12 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
F R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 H50/0 G32/0 F20/0 H50/1 G32/1 F20/1 F20/2 F20/3 F20/5 F20/8 F20/12 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
G R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 H50/0 G32/0 J80/1 H50/1 G32/1 G32/2 G32/3 G32/5 G32/8 G32/12 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
H R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 H50/0 K125/1 J80/1 H50/1 H50/2 H50/3 H50/5 H50/8 H50/12 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
J R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 J80/0 L200/1 K125/1 J80/1 J80/2 J80/3 J80/5 J80/8 J80/12 J80/18 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
K R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 K125/0 M315/1 L200/1 K125/1 K125/2 K125/3 K125/5 K125/8 K125/12 K125/18 J80/18 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
L R2000/0 Q1250/0 P800/0 N500/0 M315/0 L200/0 N500/1 M315/1 L200/1 L200/2 L200/3 L200/5 L200/8 L200/12 L200/18 K125/18 J80/18 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
M R2000/0 Q1250/0 P800/0 N500/0 M315/0 P800/1 N500/1 M315/1 M315/2 M315/3 M315/5 M315/8 M315/12 M315/18 L200/18 K125/18 J80/18 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
N R2000/0 Q1250/0 P800/0 N500/0 Q1250/1 P800/1 N500/1 N500/2 N500/3 N500/5 N500/8 N500/12 N500/18 M315/18 L200/18 K125/18 J80/18 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
P R2000/0 Q1250/0 P800/0 R2000/1 Q1250/1 P800/1 P800/2 P800/3 P800/5 P800/8 P800/12 P800/18 N500/18 M315/18 L200/18 K125/18 J80/18 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
Q R2000/0 Q1250/0 S3150/1 R2000/1 Q1250/1 Q1250/2 Q1250/3 Q1250/5 Q1250/8 Q1250/12 Q1250/18 P800/18 N500/18 M315/18 L200/18 K125/18 J80/18 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
R R2000/0 Q1250/0 S3150/1 R2000/1 R2000/2 R2000/3 R2000/5 R2000/8 R2000/12 R2000/18 Q1250/18 P800/18 N500/18 M315/18 L200/18 K125/18 J80/18 H50/18 G32/18 F20/18 E13/18 E13/27 E13/41 D8/41 C5/41 B3/41
"""

REDUCED_RESOLVED = """
A Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 G13/0 F8/0 E5/0 D3/0 C2/0 B2/0 A2/0 D3/1 C2/1 A2/1 A2/2 A2/3 A2/5 A2/7 A2/10 A2/14 A2/21 A2/30
B Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 G13/0 F8/0 E5/0 D3/0 C2/0 B2/0 A2/0 D3/1 C2/1 B2/1 B2/2 B2/3 B2/5 B2/7 B2/10 B2/14 B2/21 B2/30
C Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 G13/0 F8/0 E5/0 D3/0 C2/0 B2/0 E5/1 D3/1 C2/1 C2/2 C2/3 C2/5 C2/6 C2/8 C2/10 C2/14 C2/21 B2/30
D Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 G13/0 F8/0 E5/0 D3/0 C2/0 F8/1 E5/1 D3/1 D3/2 D3/3 D3/5 D3/6 D3/8 D3/10 D3/14 D3/21 C2/21 B2/30
E Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 G13/0 F8/0 E5/0 D3/0 G13/1 F8/1 E5/1 E5/2 E5/3 E5/5 E5/6 E5/8 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
F Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 G13/0 F8/0 E5/0 H20/1 G13/1 F8/1 F8/2 F8/3 F8/5 F8/6 F8/8 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
G Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 G13/0 F8/0 J32/1 H20/1 G13/1 G13/2 G13/3 G13/5 G13/6 G13/8 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
H Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 G13/0 K50/1 J32/1 H20/1 H20/2 H20/3 H20/5 H20/6 H20/8 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
J Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 H20/0 L80/1 K50/1 J32/1 J32/2 J32/3 J32/5 J32/6 J32/8 J32/10 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
K Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 J32/0 M125/1 L80/1 K50/1 K50/2 K50/3 K50/5 K50/6 K50/8 K50/10 J32/10 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
L Q500/0 P315/0 N200/0 M125/0 L80/0 K50/0 N200/1 M125/1 L80/1 L80/2 L80/3 L80/5 L80/6 L80/8 L80/10 K50/10 J32/10 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
M Q500/0 P315/0 N200/0 M125/0 L80/0 P315/1 N200/1 M125/1 M125/2 M125/3 M125/5 M125/6 M125/8 M125/10 L80/10 K50/10 J32/10 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
N Q500/0 P315/0 N200/0 M125/0 Q500/1 P315/1 N200/1 N200/2 N200/3 N200/5 N200/6 N200/8 N200/10 M125/10 L80/10 K50/10 J32/10 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
P Q500/0 P315/0 N200/0 R800/1 Q500/1 P315/1 P315/2 P315/3 P315/5 P315/6 P315/8 P315/10 N200/10 M125/10 L80/10 K50/10 J32/10 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
Q Q500/0 P315/0 N200/0 R800/1 Q500/1 Q500/2 Q500/3 Q500/5 Q500/6 Q500/8 Q500/10 P315/10 N200/10 M125/10 L80/10 K50/10 J32/10 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
R Q500/0 P315/0 N200/0 R800/1 R800/2 R800/3 R800/5 R800/6 R800/8 R800/10 Q500/10 P315/10 N200/10 M125/10 L80/10 K50/10 J32/10 H20/10 G13/10 F8/10 E5/10 E5/14 E5/21 D3/21 C2/21 B2/30
"""

TIGHTENED_SIZES = {"A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50, "J": 80, "K": 125, "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000, "S": 3150}
REDUCED_SIZES = {"A": 2, "B": 2, "C": 2, "D": 3, "E": 5, "F": 8, "G": 13, "H": 20, "J": 32, "K": 50, "L": 80, "M": 125, "N": 200, "P": 315, "Q": 500, "R": 800}


def _parse(*halves):
    cells = {}
    for half in halves:
        header, *rows = half.strip("\n").splitlines()
        columns = header.split()
        for row in rows:
            letter, *tokens = row.split()
            assert len(tokens) == len(columns), letter
            for aql, token in zip(columns, tokens, strict=True):
                arrows = {"v": "down", "^": "up", "-": None}
                cells[letter, aql] = arrows[token] if token in arrows else tuple(int(x) for x in token.split("/"))
    return cells


def _parse_resolved(text):
    rows = {}
    for line in text.strip("\n").splitlines():
        letter, *tokens = line.split()
        assert len(tokens) == len(AQL_VALUES), letter
        plans = []
        for token in tokens:
            head, ac = token.split("/")
            plans.append((head[0], int(head[1:]), int(ac), int(ac) + 1))
        rows[letter] = dict(zip(AQL_VALUES, plans, strict=True))
    return rows


TIGHTENED = _parse(TIGHTENED_LEFT, TIGHTENED_RIGHT)
REDUCED = _parse(REDUCED_LEFT, REDUCED_RIGHT)
TIGHTENED_PLANS = _parse_resolved(TIGHTENED_RESOLVED)
REDUCED_PLANS = _parse_resolved(REDUCED_RESOLVED)


def test_literals_cover_every_cell():
    assert len(TIGHTENED) == 17 * 26 and len(REDUCED) == 16 * 26
    assert set(TIGHTENED_PLANS) == set(REDUCED_PLANS) == set(CODE_LETTERS)


@pytest.mark.parametrize("letter", [*CODE_LETTERS, "S"])
def test_table_2b_row(letter):
    assert {aql: master_table_cell(letter, aql, "tightened") for aql in AQL_VALUES} == {
        aql: TIGHTENED[letter, aql] for aql in AQL_VALUES}


@pytest.mark.parametrize("letter", CODE_LETTERS)
def test_table_2c_row(letter):
    assert {aql: master_table_cell(letter, aql, "reduced") for aql in AQL_VALUES} == {
        aql: REDUCED[letter, aql] for aql in AQL_VALUES}


@pytest.mark.parametrize("letter", CODE_LETTERS)
def test_table_2b_row_resolved(letter):
    assert {aql: plan_for_letter(letter, aql, "tightened") for aql in AQL_VALUES} == TIGHTENED_PLANS[letter]


@pytest.mark.parametrize("letter", CODE_LETTERS)
def test_table_2c_row_resolved(letter):
    assert {aql: plan_for_letter(letter, aql, "reduced") for aql in AQL_VALUES} == REDUCED_PLANS[letter]


def test_sample_sizes():
    assert {k: sample_size_for_letter(k, "tightened") for k in TIGHTENED_SIZES} == TIGHTENED_SIZES
    assert {k: sample_size_for_letter(k, "reduced") for k in REDUCED_SIZES} == REDUCED_SIZES
    assert sample_size_for_letter("K", "reduced") == 50 and sample_size_for_letter("S", "tightened") == 3150


def test_diagonals_are_constant():
    """Along a diagonal (code letter one up, AQL column one down) a master table repeats its cell, apart from
    the boundary where an arrow would leave the table."""
    for table, letters in ((TIGHTENED, CODE_LETTERS), (REDUCED, CODE_LETTERS)):
        for i, letter in enumerate(letters[1:], start=1):
            for j, aql in enumerate(AQL_VALUES[:-1]):
                here, upper_right = table[letter, aql], table[letters[i - 1], AQL_VALUES[j + 1]]
                if isinstance(here, tuple) and isinstance(upper_right, tuple) and letter not in "BC":
                    assert here == upper_right, (letter, aql)


def test_worked_examples():
    # DOMAIN.md §5: tightened K, AQL 1.0 is 125 with Ac 2 / Re 3; reduced K uses 50.
    plan = resolve_plan(3200, "1.0", severity="tightened")
    assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject, plan.severity) == ("K", 125, 2, 3, "tightened")
    assert "Table 2-B" in plan.source
    plan = resolve_plan(3200, "1.0", severity="reduced")
    assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject) == ("K", 50, 2, 3)
    assert "Table 2-C" in plan.source
    # Table 2-B code letter S: R at AQL 0.025 resolves to 3150, Ac 1.
    assert plan_for_letter("R", "0.025", "tightened") == ("S", 3150, 1, 2)
    # Table 2-C gap removed in 1999: K at 4.0 is 6/7 (MIL-STD-105E printed 5/8).
    assert master_table_cell("K", "4.0", "reduced") == (6, 7)
    # Reduced inspection at a small lot: the plan's sample reaches the lot: 100 % inspection.
    plan = resolve_plan(3, "0.65", severity="reduced")
    assert plan.inspect_all and plan.sample_size == 3


@pytest.mark.parametrize("bad", ["strict", "Tight", 3])
def test_unknown_severity_refused(bad):
    with pytest.raises(ValueError):
        resolve_plan(100, "1.0", severity=bad)


def test_aql_above_10_only_for_nonconformities():
    sampling.check_aql_counts("10", "nonconforming_items")
    sampling.check_aql_counts("100", "nonconformities")
    with pytest.raises(ValueError, match="nonconformities"):
        sampling.check_aql_counts("15", "nonconforming_items")


def test_data_cites_tables_2b_and_2c():
    source = sampling.load_tables()["source"]
    assert "Table 2-B" in source["tables"]["single_tightened"]
    assert "Table 2-C" in source["tables"]["single_reduced"]
