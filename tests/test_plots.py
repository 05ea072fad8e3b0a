import matplotlib

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
