import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from tutorial_lib import plots  # noqa: E402
from tutorial_lib.training import History  # noqa: E402


def test_loss_curves_draws_training_and_test_on_a_log_scale():
    history = History(
        epoch_loss=[1.0, 0.5, 0.25],
        eval_epochs=[1, 3],
        eval_loss=[0.9, 0.3],
    )
    ax = plots.loss_curves(history)
    train, test = ax.get_lines()
    assert list(train.get_xdata()) == [1, 2, 3]
    assert list(train.get_ydata()) == [1.0, 0.5, 0.25]
    assert list(test.get_xdata()) == [1, 3] and list(test.get_ydata()) == [
        0.9,
        0.3,
    ]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["training (full batch)", "test"]
    plt.close("all")


def test_the_prediction_colour_is_the_named_red():
    assert plots.COLORS["pred"] == plots.COLORS["red"] == "#d1495b"
    assert {"blue", "green", "noisy", "clean"} <= set(plots.COLORS)


def test_table_formats_numbers_and_aligns_their_columns():
    shown = plots.table(
        [
            {"model": "RNN", "parameters": 1021, "test L1": 0.05012},
            {
                "model": "GRU | bi",
                "parameters": 6061,
                "test L1": np.float32(0.036),
            },
        ],
        digits=3,
    )
    assert shown.markdown.splitlines() == [
        "| model | parameters | test L1 |",
        "| --- | ---: | ---: |",
        "| RNN | 1,021 | 0.050 |",
        "| GRU \\| bi | 6,061 | 0.036 |",
    ]
    assert shown._repr_markdown_() == shown.markdown == str(shown)


def test_table_refuses_rows_it_cannot_show():
    with pytest.raises(
        ValueError, match=r"rows\[1\] has the columns \['a'\]"
    ):
        plots.table([{"a": 1, "b": 2}, {"a": 3}])
    with pytest.raises(ValueError, match="non-empty list of mappings"):
        plots.table([])
    with pytest.raises(ValueError, match="list of mappings"):
        plots.table({"a": 1})
    with pytest.raises(ValueError, match="digits must be a non-negative"):
        plots.table([{"a": 1.0}], digits=-1)
