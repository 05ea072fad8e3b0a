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

import numbers
import re

import numpy as np

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def glue(name: str, value: float) -> float:
    """Glue ``value`` under ``name`` for ``{glue:text}`name:<format>``` roles.

    Args:
        name: lower-case letters, digits and ``_``, starting with a letter.
        value: a finite real number.

    Returns:
        ``value`` as a float (so a cell can glue and use it in one line).

    Raises:
        ValueError: a malformed name or a value that is not a finite number.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"name must be lower-case letters, digits and _ starting with a "
            f"letter, got {name!r}"
        )
    real = isinstance(value, numbers.Real) and not isinstance(
        value, (bool, np.bool_)
    )
    if not real or not np.isfinite(value):
        raise ValueError(
            f"value of {name!r} must be a finite real number, got {value!r}"
        )
    value = float(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # not the book's build: say it in the output
        print(f"{name} = {value:.6g}")
    else:
        myst_glue(name, value, display=False)
    return value
