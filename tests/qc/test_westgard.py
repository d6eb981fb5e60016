"""Westgard rules (DOMAIN.md §6): each rule fires on its trigger and not on an in-control series."""

import pytest

from qc.westgard import REJECT, WARNING, evaluate

MEAN, SD = 100.0, 10.0


def rules(values):
    return [(v.rule, v.index, v.level) for v in evaluate(values, MEAN, SD)]


def test_in_control_series_has_no_violation():
    assert rules([100, 105, 95, 110, 92, 101, 99, 108, 94, 100, 103]) == []


@pytest.mark.parametrize(("values", "expected"), [
    ([100, 125], [("1-2s", 1, WARNING)]),
    ([100, 131], [("1-3s", 1, REJECT)]),
    ([100, 122, 123], [("1-2s", 1, WARNING), ("1-2s", 2, WARNING), ("2-2s", 2, REJECT)]),
    ([122, 77], [("1-2s", 0, WARNING), ("1-2s", 1, WARNING), ("R-4s", 1, REJECT)]),
    ([111, 112, 113, 111], [("4-1s", 3, REJECT)]),
    ([101, 102, 101, 103, 101, 102, 101, 104, 101, 102], [("10x", 9, REJECT)]),
])
def test_each_rule(values, expected):
    assert rules(values) == expected


def test_sd_must_be_positive():
    with pytest.raises(ValueError):
        evaluate([1], 0, 0)
