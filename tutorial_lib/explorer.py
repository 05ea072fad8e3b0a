"""The Part II explorer: pick a noise level and a depth, see a sample denoised, its error and the training curve.

Two faces over the same data, both built from the sweep's trained runs
(:mod:`tutorial_lib.part2`, served from :mod:`tutorial_lib.bookkeeping.cache` when the
sweep chapter has trained them):

* :func:`widget`: ipywidgets sliders that redraw the figure; needs a live
  kernel (Jupyter, Colab; ipywidgets 7 or 8).
* :func:`static_html`: every figure rendered once, switched by two HTML
  sliders in plain JavaScript; works on the static website, without a kernel.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from tutorial_lib.plots import plot_denoising

if TYPE_CHECKING:
    from tutorial_lib.part2 import AutoencoderConfig


@dataclass(frozen=True)
class Case:
    """One trained model of the sweep and one validation sample through it.

    ``noisy``, ``clean``, ``denoised`` are ``(length,)``; the curves are per epoch.
    """

    depth: int
    alpha: float
    noisy: np.ndarray
    clean: np.ndarray
    denoised: np.ndarray
    val_mse: float
    noisy_mse: float
    train_epochs: list[int]
    train_loss: list[float]
    eval_epochs: list[int]
    eval_loss: list[float]

    @property
    def sample_mse(self) -> float:
        """MSE of the denoised sample against its clean signal."""
        return float(np.mean((self.denoised - self.clean) ** 2))


def cases(
    configs: Sequence[AutoencoderConfig],
    results: Sequence[Mapping],
    validation: Mapping[float, object],
) -> dict:
    """``{(depth, alpha): Case}`` from the sweep's configurations and results.

    Args:
        configs, results: as passed to and returned by
            :func:`tutorial_lib.part2.train_grid` for the sweep (each result
            holds ``history``, ``val_mse``, ``noisy_mse``, ``val_pred``).
        validation: ``{alpha: Pairs}``, the validation pairs of each noise level
            (``config.data()[1]``); sample 0 is shown.
    """
    if len(configs) != len(results) or not configs:
        raise ValueError(
            f"need one result per configuration, got {len(configs)} configurations and {len(results)} results"
        )
    found = {}
    for config, result in zip(configs, results):
        depth, alpha = int(config.depth), float(config.alpha)
        if alpha not in validation:
            raise ValueError(
                f"no validation pairs for noise level {alpha}; expected keys like {sorted(validation)}"
            )
        val, history = validation[alpha], result["history"]
        _check_prediction(result["val_pred"][0], val.clean[0], depth, alpha)
        found[depth, alpha] = Case(
            depth=depth,
            alpha=alpha,
            noisy=np.asarray(val.noisy[0], dtype=float),
            clean=np.asarray(val.clean[0], dtype=float),
            denoised=np.asarray(result["val_pred"][0], dtype=float).reshape(
                -1
            ),
            val_mse=float(result["val_mse"]),
            noisy_mse=float(result["noisy_mse"]),
            train_epochs=list(range(1, len(history.epoch_loss) + 1)),
            train_loss=[float(x) for x in history.epoch_loss],
            eval_epochs=[int(e) for e in history.eval_epochs],
            eval_loss=[float(x) for x in history.eval_loss],
        )
    return found


def _check_prediction(denoised, clean, depth: int, alpha: float) -> None:
    """ValueError unless the denoised sample has one value per clean sample."""
    size, length = np.size(denoised), np.size(clean)
    if size != length:
        raise ValueError(
            f"val_pred[0] of the result for depth {depth}, noise level "
            f"{alpha} has {size} values, shape {np.shape(denoised)}; "
            f"expected {length}, one per sample of the validation sequence"
        )


def figure(case: Case, *, dpi: int = 80) -> plt.Figure:
    """The explorer's view of one case: the sample (left) and the training curve (right)."""
    fig, (left, right) = plt.subplots(
        1,
        2,
        figsize=(11, 3.4),
        dpi=dpi,
        layout="constrained",
        gridspec_kw={"width_ratios": [1.6, 1]},
    )
    # the book's drawer and colours; its legend in one row, above the signal
    plot_denoising(case.noisy, case.clean, case.denoised, ax=left)
    left.legend(loc="upper right", fontsize="small", ncol=3)
    left.set_title(
        f"depth {case.depth}, noise level {case.alpha}: sample MSE {case.sample_mse:.4f} "
        f"(input {float(np.mean((case.noisy - case.clean) ** 2)):.4f})",
        fontsize="medium",
    )
    right.plot(case.train_epochs, case.train_loss, label="training")
    right.plot(
        case.eval_epochs, case.eval_loss, "o-", ms=3, label="validation"
    )
    right.axhline(
        case.noisy_mse, color="k", ls="--", lw=1, label="noisy input"
    )
    right.set_yscale("log")
    right.set_xlabel("epoch")
    right.set_ylabel("MSE")
    right.set_title(
        f"final validation MSE {case.val_mse:.4f}", fontsize="medium"
    )
    right.legend(fontsize="small")
    return fig


def _axes(found: Mapping) -> tuple[list[int], list[float]]:
    """The depths and noise levels of ``found``, sorted, once it is checked
    to hold a case for every depth at every noise level."""
    if not found:
        raise ValueError(
            "no cases to explore, got an empty mapping; pass the dict "
            "returned by explorer.cases(...)"
        )
    depths = sorted({d for d, _ in found})
    alphas = sorted({a for _, a in found})
    missing = [
        (d, a) for d in depths for a in alphas if (d, a) not in found
    ]
    if missing:
        raise ValueError(
            f"the explorer needs every depth at every noise level; missing {missing}"
        )
    return depths, alphas


def widget(found: Mapping):
    """Live ipywidgets explorer (needs a kernel): a noise-level and a depth slider over ``found``.

    The figure is an ``Image`` widget whose PNG is redrawn when a slider moves
    (no ``Output`` widget capturing displays: that works the same on
    ipywidgets 7 and 8, in Jupyter, on Colab and under nbclient).
    """
    import ipywidgets as widgets

    depths, alphas = _axes(found)
    alpha = widgets.SelectionSlider(
        options=alphas, value=alphas[0], description="noise level"
    )
    depth = widgets.SelectionSlider(
        options=depths, value=depths[0], description="depth"
    )
    image = widgets.Image(
        format="png", value=_png_bytes(found[depths[0], alphas[0]], dpi=80)
    )

    def redraw(_change=None) -> None:
        image.value = _png_bytes(found[depth.value, alpha.value], dpi=80)

    alpha.observe(redraw, names="value")
    depth.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([alpha, depth]), image])


def _png_bytes(case: Case, *, dpi: int) -> bytes:
    fig = figure(case, dpi=dpi)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _png(case: Case) -> str:
    return (
        "data:image/png;base64,"
        + base64.b64encode(_png_bytes(case, dpi=72)).decode()
    )


TEMPLATE = """<div class="tl-explorer" id="{id}">
<p><label>noise level <input type="range" class="tl-alpha" min="0" max="{na}" step="1" value="0"> <b class="tl-alpha-value"></b></label>
&nbsp;&nbsp;<label>depth <input type="range" class="tl-depth" min="0" max="{nd}" step="1" value="0"> <b class="tl-depth-value"></b></label></p>
<img class="tl-view" alt="the selected model's denoised sample and training curve" style="max-width:100%">
<script>
(function () {{
  const root = document.getElementById("{id}");
  const alphas = {alphas}, depths = {depths}, images = {images};
  const a = root.querySelector(".tl-alpha"), d = root.querySelector(".tl-depth");
  function show() {{
    const alpha = alphas[+a.value], depth = depths[+d.value];
    root.querySelector(".tl-alpha-value").textContent = alpha;
    root.querySelector(".tl-depth-value").textContent = depth;
    root.querySelector(".tl-view").src = images[depth + "/" + alpha];
  }}
  a.addEventListener("input", show);
  d.addEventListener("input", show);
  show();
}})();
</script>
</div>"""


class StaticExplorer:
    """Precomputed explorer: displays as HTML with two sliders and no kernel behind them."""

    def __init__(self, html: str, cases: int):
        self.html, self.cases = html, cases

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"StaticExplorer({self.cases} precomputed views, {len(self.html) / 1e3:.0f} kB)"


def static_html(found: Mapping) -> StaticExplorer:
    """Every case rendered to a PNG now, switched in the page by plain JavaScript."""
    depths, alphas = _axes(found)
    images = {f"{d}/{a}": _png(found[d, a]) for d in depths for a in alphas}
    key = hashlib.sha256(
        json.dumps(sorted(images)).encode()
        + images[f"{depths[0]}/{alphas[0]}"][-64:].encode()
    )
    html = TEMPLATE.format(
        id="tl-explorer-" + key.hexdigest()[:10],
        na=len(alphas) - 1,
        nd=len(depths) - 1,
        alphas=json.dumps(alphas),
        depths=json.dumps(depths),
        images=json.dumps(images),
    )
    return StaticExplorer(html, len(images))
