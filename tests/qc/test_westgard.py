"""Westgard multirule (DOMAIN.md §6) on reference series across runs and levels: each rule fires on its trigger
and stays silent on the nearest series that is not a trigger; R-4s is a within-run rule and never fires across
runs."""

import pytest

from qc.westgard import REJECT, RULES, WARNING, Observation, evaluate, evaluate_runs, run_status

MEAN, SD = 100.0, 10.0


def series(*runs, rules=RULES):
    """``runs``: one tuple of z per run, one z per level (None = level not measured). Returns the rules of each
    value as {(run, level): [...]} for the values that broke any."""
    observations = [Observation((r, lv), r, lv, z) for r, values in enumerate(runs, start=1)
                    for lv, z in enumerate(values, start=1) if z is not None]
    return {key: rules for key, rules in evaluate_runs(observations, rules).items() if rules}


def test_in_control_two_levels_has_no_violation():
    assert series((0.3, -0.5), (1.1, 0.2), (-0.8, 1.4), (0.1, -1.2), (-0.4, 0.6), (1.9, -1.9)) == {}


@pytest.mark.parametrize(("z", "expected"), [(2.5, ["1-2s"]), (-2.01, ["1-2s"]), (3.2, ["1-3s"]),
                                             (-3.01, ["1-3s"])])
def test_single_value_rules(z, expected):
    assert series((0.1, z)) == {(1, 2): expected}


@pytest.mark.parametrize("z", [1.99, -2.0, 0.0])
def test_single_value_rules_silent(z):
    assert series((0.1, z)) == {}


def test_2_2s_within_a_run_across_levels():
    assert series((0.2, 0.1), (2.3, 2.2)) == {(2, 1): ["1-2s", "2-2s"], (2, 2): ["1-2s", "2-2s"]}
    assert series((-2.4, -2.1)) == {(1, 1): ["1-2s", "2-2s"], (1, 2): ["1-2s", "2-2s"]}


def test_2_2s_within_a_level_across_consecutive_runs():
    assert series((2.1, 0.3), (2.4, -0.2)) == {(1, 1): ["1-2s"], (2, 1): ["1-2s", "2-2s"]}


@pytest.mark.parametrize("runs", [
    ((2.3, 1.8),),  # one level beyond 2 SD only
    ((2.1, 0.3), (0.2, 2.4)),  # different levels in different runs
    ((2.1, 0.3), (-2.4, 0.2)),  # opposite sides
    ((2.1, 0.3), (0.1, 0.0), (2.4, 0.2)),  # not consecutive runs
])
def test_2_2s_silent(runs):
    assert not any("2-2s" in rules for rules in series(*runs).values())


def test_r_4s_within_a_run():
    assert series((2.3, -2.1)) == {(1, 1): ["1-2s", "R-4s"], (1, 2): ["1-2s", "R-4s"]}


@pytest.mark.parametrize("runs", [
    ((2.3, 0.1), (-2.1, 0.2)),  # the case: +2.3 SD then −2.1 SD in consecutive runs of one level
    ((2.3, 0.1), (0.2, -2.1)),  # across runs and levels
    ((2.3, -1.9),),  # range 4.2 SD but −1.9 is not beyond −2 SD
])
def test_r_4s_never_across_runs(runs):
    assert not any("R-4s" in rules for rules in series(*runs).values())


def test_4_1s_within_a_level_across_four_runs():
    found = series((1.2, 0.1), (1.5, -0.3), (1.1, 0.4), (1.3, -0.2))
    assert found == {(4, 1): ["4-1s"]}


def test_4_1s_across_levels_of_consecutive_runs():
    assert series((1.2, 1.4), (1.1, 1.3)) == {(2, 2): ["4-1s"]}
    assert series((-1.2, -1.4), (-1.1, -1.3)) == {(2, 2): ["4-1s"]}


@pytest.mark.parametrize("runs", [
    ((1.2, 0.1), (1.5, -0.3), (1.1, 0.4), (0.9, -0.2)),  # the fourth is within 1 SD
    ((1.2, 1.4), (1.1, -1.3)),  # a side change
    ((1.2, 0.1), (1.5, -0.3), (1.1, 0.4)),  # three only
])
def test_4_1s_silent(runs):
    assert not any("4-1s" in rules for rules in series(*runs).values())


def test_10x_within_a_level():
    runs = [(0.3 + i / 100, (-1) ** i * 0.5) for i in range(10)]
    assert series(*runs) == {(10, 1): ["10x"]}


def test_10x_across_levels_of_five_runs():
    runs = [(0.4, 0.2)] * 5
    assert series(*runs) == {(5, 2): ["10x"]}


def test_10x_silent_after_nine():
    runs = [(0.3, (-1) ** i * 0.5) for i in range(9)] + [(-0.1, 0.5)]
    assert not any("10x" in rules for rules in series(*runs).values())


def test_rules_are_configurable_per_analyte():
    assert series((2.3, 2.2), rules=("1-3s",)) == {}
    assert series((2.3, 2.2), rules=("2-2s",)) == {(1, 1): ["2-2s"], (1, 2): ["2-2s"]}
    with pytest.raises(ValueError):
        series((0.1,), rules=("2-3s",))


def test_run_status():
    assert run_status([[], []]) == "accepted"
    assert run_status([["1-2s"], []]) == "warning"
    assert run_status([["1-2s", "2-2s"], ["1-2s"]]) == "rejected"


def rules(values):
    return [(v.rule, v.index, v.level) for v in evaluate(values, MEAN, SD)]


@pytest.mark.parametrize(("values", "expected"), [
    ([100, 125], [("1-2s", 1, WARNING)]),
    ([100, 131], [("1-3s", 1, REJECT)]),
    ([100, 122, 123], [("1-2s", 1, WARNING), ("1-2s", 2, WARNING), ("2-2s", 2, REJECT)]),
    ([122, 77], [("1-2s", 0, WARNING), ("1-2s", 1, WARNING)]),  # consecutive runs: no R-4s
    ([111, 112, 113, 111], [("4-1s", 3, REJECT)]),
    ([101, 102, 101, 103, 101, 102, 101, 104, 101, 102], [("10x", 9, REJECT)]),
])
def test_one_level_series(values, expected):
    assert rules(values) == expected


def test_sd_must_be_positive():
    with pytest.raises(ValueError):
        evaluate([1], 0, 0)
