import math

import numpy as np
import pytest
from scipy import stats

from tutorial_lib.bookkeeping import verdicts
from tutorial_lib.bookkeeping.verdicts import (
    Verdict,
    all_of,
    below,
    fact,
    less,
)


@pytest.mark.parametrize("seed", range(6))
def test_differs_is_welchs_t_above_two(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, 1.0, size=3 + seed)
    b = rng.normal(seed * 0.4, 0.5 + seed * 0.2, size=4)
    t = stats.ttest_ind(a, b, equal_var=False).statistic
    assert verdicts.differs(a, b) == (abs(t) > 2)
    assert verdicts.differs(a, b, k=abs(t) * 0.99)
    assert not verdicts.differs(a, b, k=abs(t) * 1.01)


def test_differs_on_clear_and_overlapping_results():
    assert verdicts.differs([0.10, 0.11, 0.12], [0.20, 0.21, 0.19])
    assert not verdicts.differs([0.10, 0.15, 0.12], [0.13, 0.11, 0.16])
    assert verdicts.differs([0.10, 0.11, 0.12], [0.2])  # one value: exact
    assert not verdicts.differs([0.10, 0.11, 0.12], [0.115])
    # no scatter: any gap counts
    assert verdicts.differs([0.3, 0.3], [0.4, 0.4])


@pytest.mark.parametrize(
    "a, b, kwargs, message",
    [
        (
            [],
            [1.0, 2.0],
            {},
            "a must be a non-empty 1-D sequence of finite numbers",
        ),
        (
            [1.0, np.nan],
            [1.0, 2.0],
            {},
            "a must be a non-empty 1-D sequence",
        ),
        ([1.0, 2.0], ["x"], {}, "b must be a sequence of numbers, got"),
        ([1.0], [2.0], {}, r"a and b are single values \(1.0, 2.0\)"),
        ([1.0, 2.0], [2.0, 3.0], dict(k=0), "k must be a positive number"),
    ],
)
def test_differs_names_a_bad_argument(a, b, kwargs, message):
    with pytest.raises(ValueError, match=message):
        verdicts.differs(a, b, **kwargs)


def test_below_needs_a_lower_mean_and_a_gap_beyond_the_scatter():
    assert verdicts.below([1.0, 1.1, 0.9], [2.0, 2.1, 1.9])
    assert not verdicts.below([2.0, 2.1, 1.9], [1.0, 1.1, 0.9])  # higher
    assert not verdicts.below([1.0, 1.5, 0.5], [1.2, 1.7, 0.7])  # scatter
    with pytest.raises(ValueError, match="a must be a non-empty"):
        verdicts.below([], [1.0, 2.0])


def test_less_is_elementwise_and_its_margin_is_the_smallest_relative_gap():
    v = less([0.5, 0.9], 1.0)  # at every seed
    assert v.holds and bool(v)
    assert v.margin == pytest.approx(0.1)  # (1.0 - 0.9) / 1.0
    w = less(np.float32(2.0), 1.5)
    assert not w and w.margin == pytest.approx(-0.25)  # (1.5 - 2) / 2
    assert less(1.0, 1.0, or_equal=True).holds
    assert not less(1.0, 1.0).holds
    assert less(0.0, 0.0, or_equal=True).margin == 0.0
    assert less(-2.0, -1.0).margin == pytest.approx(0.5)


def test_below_margin_is_the_gap_beyond_the_scatter_over_the_larger_mean():
    a, b = np.array([1.0, 1.1, 0.9]), np.array([2.0, 2.1, 1.9])
    scatter = 2 * math.hypot(
        a.std(ddof=1) / math.sqrt(3), b.std(ddof=1) / math.sqrt(3)
    )
    v = below(a, b)
    assert v.holds
    assert v.margin == pytest.approx((2.0 - 1.0 - scatter) / 2.0)
    assert (~below(b, a)).holds  # b does not end above a: it is above
    assert below(b, a).margin < 0 < (~below(b, a)).margin


@pytest.mark.parametrize("seed", range(20))
def test_below_holds_exactly_when_its_margin_is_positive(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(1.0, 0.3, size=3)
    b = rng.normal(1.0 + 0.1 * seed, 0.3, size=4)
    v = below(a, b)
    assert v.holds == (a.mean() < b.mean() and verdicts.differs(a, b))
    assert v.holds == (v.margin > 0)


def test_verdicts_combine_with_and_or_not_and_all_of():
    yes, no = less(1.0, 2.0), less(3.0, 2.0)  # margins 0.5 and -1/3
    assert (yes & no) == Verdict(False, no.margin)
    assert (yes | no) == Verdict(True, yes.margin)
    assert ~no == Verdict(True, -no.margin)
    assert all_of([yes, less(1.0, 4.0)]) == Verdict(True, 0.5)
    assert all_of([]) == Verdict(True, math.inf)
    assert (fact(True) & yes).margin == yes.margin  # a fact never limits it
    assert fact(np.bool_(False)) == Verdict(False, -math.inf)


def test_a_verdict_refuses_to_combine_with_a_plain_bool():
    with pytest.raises(TypeError, match=r"wrap an exact yes/no in fact"):
        less(1.0, 2.0) & True
    with pytest.raises(ValueError, match="holds must be a bool"):
        fact(1)


@pytest.mark.parametrize(
    "x, y, message",
    [
        ([], 1.0, "x must hold finite numbers"),
        (1.0, np.nan, "y must hold finite numbers"),
        ("a", 1.0, "x must be a number or an array of numbers"),
        ([1.0, 2.0], [1.0, 2.0, 3.0], r"x \(shape \(2,\)\) and y"),
    ],
)
def test_less_names_a_bad_argument(x, y, message):
    with pytest.raises(ValueError, match=message):
        less(x, y)
