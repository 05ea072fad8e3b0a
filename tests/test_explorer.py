import json
import re

import matplotlib
import numpy as np
import pytest

from tutorial_lib import explorer, part2
from tutorial_lib.data import Pairs
from tutorial_lib.training import History

LENGTH = 16


def fake_sweep(depths=(2, 4), alphas=(0.1, 0.3)):
    rng = np.random.default_rng(0)
    configs, results, validation = [], [], {}
    for alpha in alphas:
        clean = rng.normal(size=(3, LENGTH)).astype(np.float32)
        validation[alpha] = Pairs(
            clean + alpha * rng.normal(size=clean.shape).astype(np.float32),
            clean,
        )
        for depth in depths:
            configs.append(part2.autoencoder_config(depth, alpha, seed=0))
            history = History(
                epoch_loss=[1.0, 0.5, 0.25],
                eval_epochs=[1, 2, 3],
                eval_loss=[1.1, 0.6, 0.3],
            )
            results.append(
                {
                    "history": history,
                    "val_mse": 0.3,
                    "noisy_mse": alpha**2,
                    "val_pred": clean[:2] * 0.9,
                }
            )
    return configs, results, validation


def test_cases_pair_each_run_with_its_sample():
    found = explorer.cases(*fake_sweep())
    assert sorted(found) == [(2, 0.1), (2, 0.3), (4, 0.1), (4, 0.3)]
    case = found[4, 0.3]
    assert case.denoised.shape == case.clean.shape == (LENGTH,)
    assert case.sample_mse == pytest.approx(
        float(np.mean((0.1 * case.clean) ** 2)), rel=1e-5
    )
    assert case.train_epochs == [1, 2, 3] and case.eval_loss == [
        1.1,
        0.6,
        0.3,
    ]


def test_cases_reject_mismatched_inputs():
    configs, results, validation = fake_sweep()
    with pytest.raises(ValueError, match="one result per configuration"):
        explorer.cases(configs, results[:-1], validation)
    with pytest.raises(ValueError, match="no validation pairs"):
        explorer.cases(configs, results, {0.1: validation[0.1]})


def test_static_html_holds_every_view_and_its_switch():
    found = explorer.cases(*fake_sweep())
    static = explorer.static_html(found)
    images = json.loads(
        re.search(r"images = (\{.*?\});", static.html).group(1)
    )
    assert sorted(images) == ["2/0.1", "2/0.3", "4/0.1", "4/0.3"]
    assert all(
        src.startswith("data:image/png;base64,") for src in images.values()
    )
    assert 'class="tl-alpha"' in static.html and 'max="1"' in static.html
    assert (
        static._repr_html_() == static.html
        and "4 precomputed views" in repr(static)
    )
    # every rendered figure was closed
    assert matplotlib.pyplot.get_fignums() == []


def test_static_html_needs_a_full_grid():
    found = explorer.cases(*fake_sweep())
    del found[4, 0.3]
    with pytest.raises(ValueError, match="missing"):
        explorer.static_html(found)
    with pytest.raises(ValueError, match="no cases"):
        explorer.static_html({})


def test_widget_has_a_slider_per_axis():
    widgets = pytest.importorskip("ipywidgets")
    box = explorer.widget(explorer.cases(*fake_sweep()))
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["noise level", "depth"]
    assert list(sliders[0].options) == [0.1, 0.3] and list(
        sliders[1].options
    ) == [2, 4]
    image = box.children[1]
    assert (
        isinstance(image, widgets.Image) and image.value[:4] == b"\x89PNG"
    )
    before = image.value
    sliders[1].value = 4
    assert image.value != before and image.value[:4] == b"\x89PNG"
    assert matplotlib.pyplot.get_fignums() == []


def test_widget_names_an_empty_or_incomplete_grid():
    pytest.importorskip("ipywidgets")
    with pytest.raises(ValueError) as caught:
        explorer.widget({})
    assert str(caught.value) == (
        "no cases to explore, got an empty mapping; pass the dict returned "
        "by explorer.cases(...)"
    )
    found = explorer.cases(*fake_sweep())
    del found[4, 0.3]
    with pytest.raises(ValueError) as caught:
        explorer.widget(found)
    assert str(caught.value) == (
        "the explorer needs every depth at every noise level; "
        "missing [(4, 0.3)]"
    )


def test_cases_name_a_prediction_of_the_wrong_length():
    configs, results, validation = fake_sweep()
    results[1]["val_pred"] = results[1]["val_pred"][:, :-1]
    with pytest.raises(ValueError) as caught:
        explorer.cases(configs, results, validation)
    assert str(caught.value) == (
        f"val_pred[0] of the result for depth 4, noise level 0.1 has "
        f"{LENGTH - 1} values, shape ({LENGTH - 1},); expected {LENGTH}, "
        "one per sample of the validation sequence"
    )
