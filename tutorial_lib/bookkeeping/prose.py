"""Measured numbers for a chapter's prose: computed in a cell, shown in text.

A chapter never types a measured value into its markdown. The cell that
computes it glues it under a name::

    glue("minimax_exact", exact_fraction)

and the markdown writes ``{glue:text}`minimax_exact:.1%```, which the book's
build (myst-nb) replaces by the value from this build's execution. Outside
the build (Colab, a plain Jupyter) the role is shown as written and the cell
prints the value instead.
"""

from __future__ import annotations

import math
import numbers
import re
import sys

import numpy as np

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _in_ipython() -> bool:
    """Whether an IPython shell runs this (a notebook's kernel, the book's
    build), where a glued value can be displayed; IPython is not imported."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def _finite_float(name: str, value) -> float:
    """``value`` as a finite float, or ValueError naming ``name`` (a bool,
    a string, NaN, inf or an integer too large for a float are refused)."""
    real = isinstance(value, numbers.Real) and not isinstance(
        value, (bool, np.bool_)
    )
    try:
        number = float(value) if real else math.nan
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        shown = repr(value)
        shown = (
            shown
            if len(shown) <= 40
            else f"{shown[:20]}...({len(shown)} characters)"
        )
        raise ValueError(
            f"value of {name!r} must be a finite real number (as a float), "
            f"got {shown}"
        )
    return number


def glue(name: str, value: float) -> float:
    """Glue ``value`` under ``name`` for ``{glue:text}`name:<format>``` roles.

    Args:
        name: lower-case letters, digits and ``_``, starting with a letter.
        value: a finite real number.

    Returns:
        ``value`` as a float (so a cell can glue and use it in one line).

    Raises:
        ValueError: a malformed name or a value that is not a finite number.

    Outside IPython (plain Python), or without myst-nb, the value is printed.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(
            f"name must be lower-case letters, digits and _ starting with a "
            f"letter, got {name!r}"
        )
    value = _finite_float(name, value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # not the book's build: say it in the output
        myst_glue = None
    if myst_glue is None or not _in_ipython():
        print(f"{name} = {value:.6g}")
    else:
        myst_glue(name, value, display=False)
    return value
