"""tutorial_lib.bookkeeping.prose.glue: a measured number handed to the page's prose."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tutorial_lib.bookkeeping.prose import glue


def test_glue_returns_the_value_as_a_float():
    assert glue("some_value", np.float32(0.25)) == 0.25
    assert isinstance(glue("count", 3), float)


@pytest.mark.parametrize(
    "name, value, match",
    [
        ("Bad-Name", 1.0, "name must be"),
        ("", 1.0, "name must be"),
        ("ok", float("nan"), "'ok' must be a finite real number"),
        ("ok", True, "must be a finite real number"),
        ("ok", "0.1", "must be a finite real number"),
    ],
)
def test_bad_input_is_refused_by_name(name, value, match):
    with pytest.raises(ValueError, match=match):
        glue(name, value)


def test_in_a_notebook_kernel_the_value_is_glued_for_myst_nb():
    """myst-nb finds glued values by the mime type of a display output."""
    pytest.importorskip("myst_nb")
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "import json\n"
        "shell = InteractiveShell.instance()\n"
        "shown = []\n"
        "shell.display_pub.publish = lambda data, metadata=None, **k: "
        "shown.append((data, metadata))\n"
        "from tutorial_lib.bookkeeping.prose import glue\n"
        "glue('ratio', 1.5)\n"
        "print(json.dumps([(list(d), m) for d, m in shown]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(shown) == 1
    mimes, metadata = shown[0]
    assert mimes == ["application/papermill.record/text/plain"]
    assert metadata["scrapbook"]["name"] == "ratio"


@pytest.mark.parametrize(
    "value, shown",
    [
        (10**400, "1" + "0" * 19 + "...(401 characters)"),
        (float("inf"), "inf"),
        ("0.5", "'0.5'"),
    ],
)
def test_a_value_that_is_no_finite_float_is_named(value, shown):
    with pytest.raises(ValueError) as caught:
        glue("big", value)
    assert str(caught.value) == (
        "value of 'big' must be a finite real number (as a float), "
        f"got {shown}"
    )


def test_a_fraction_is_glued_as_its_float():
    from fractions import Fraction

    assert glue("third", Fraction(1, 3)) == 1 / 3


def test_a_name_ending_in_a_newline_is_refused():
    with pytest.raises(ValueError) as caught:
        glue("ratio\n", 1.0)
    assert str(caught.value) == (
        "name must be lower-case letters, digits and _ starting with a "
        "letter, got 'ratio\\n'"
    )


def test_in_plain_python_the_value_is_printed():
    code = "from tutorial_lib.bookkeeping.prose import glue\nglue('ratio', 1.5)\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == "ratio = 1.5\n"
