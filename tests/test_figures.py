"""A figure shown in a fresh kernel is an image, not only its text (``<Figure size ...>``).

With today's IPython and matplotlib-inline, matplotlib 3.7 and 3.8 leave the
first ``plt.show()`` of a session as text only: every chapter's first figure
silently disappears. This runs in every environment of ``make test`` and
``make test-compat`` (the oldest versions pyproject allows, Colab's), so such a
combination fails here rather than on the site.
"""

from __future__ import annotations

import os

import nbformat
from nbclient import NotebookClient


def test_first_plt_show_of_a_fresh_kernel_is_an_image(tmp_path):
    assert "MPLBACKEND" not in os.environ, (
        "MPLBACKEND reaches the kernel and hides inline figures"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()"
        ),
        nbformat.v4.new_code_cell(
            "fig, ax = plt.subplots()\nax.plot([0, 1])\nplt.show()"
        ),
    ]
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    for i, cell in enumerate(nb.cells):
        kinds = [sorted(o.get("data", {})) for o in cell.outputs]
        assert any("image/png" in k for k in kinds), (
            f"figure {i + 1} of a fresh kernel shows no image, only {kinds}"
        )
