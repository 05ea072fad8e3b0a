import numpy as np
import pytest

from tutorial_lib import checks
from tutorial_lib.bookkeeping.files import (
    write_atomically,
    write_text_atomically,
)


@pytest.mark.parametrize("value", [1, 7, np.int64(3)])
def test_positive_int_accepts_integers_and_returns_int(value):
    assert checks.positive_int("n", value) == int(value)
    assert type(checks.positive_int("n", value)) is int


@pytest.mark.parametrize(
    "value", [0, -2, 1.0, True, np.bool_(True), "3", None]
)
def test_positive_int_names_the_argument_and_the_value(value):
    message = f"n must be a positive integer, got {value!r}"
    with pytest.raises(ValueError, match=message):
        checks.positive_int("n", value)


def test_integer_bounds_are_in_the_message():
    assert checks.integer("window", 5, minimum=1, maximum=5) == 5
    message = r"window must be an integer in \[1, 5\], got 6"
    with pytest.raises(ValueError, match=message):
        checks.integer("window", 6, minimum=1, maximum=5)
    with pytest.raises(
        ValueError, match="k must be an integer >= 0, got -1"
    ):
        checks.integer("k", -1, minimum=0)
    assert checks.non_negative_int("seed", 0) == 0


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), True, "1", None]
)
def test_finite_number_refuses_what_is_not_a_finite_real(value):
    with pytest.raises(ValueError, match="x must be a finite number"):
        checks.finite_number("x", value)


def test_finite_number_positive_minimum_and_unit():
    assert checks.finite_number("x", np.float32(2.5), positive=True) == 2.5
    message = "t must be a positive finite number of s, got 0"
    with pytest.raises(ValueError, match=message):
        checks.finite_number("t", 0, positive=True, unit=" of s")
    with pytest.raises(
        ValueError, match="x must be a finite number >= 0.0, got -1"
    ):
        checks.finite_number("x", -1, minimum=0.0)


def test_an_atomic_write_leaves_the_old_file_when_it_fails(tmp_path):
    path = tmp_path / "sub" / "a.txt"
    write_text_atomically(path, "old")
    assert path.read_text() == "old"

    def half_then_fail(tmp):
        tmp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, half_then_fail)
    assert path.read_text() == "old"
    # no temporary left
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]
