"""Many same-shape models trained as one computation.

Part II trains dozens of small autoencoders: four noise levels, several
seeds, a few variants. Each one alone keeps a CPU core only a fifth busy
(small convolutions, one launch after another), and on a GPU one step of
one model is all launch overhead. :func:`fit_stacked` trains N models of
the same architecture *as one*: their parameters are stacked along a new
first dimension (``torch.func.stack_module_state``), one ``vmap``-ed
forward runs all N on their own mini-batches, and the sum of their losses
is back-propagated. The models share no parameter, so the gradient of that
sum with respect to model k's parameters is model k's own gradient; Adam
acts element by element, so one Adam over the stacked tensors is N
independent Adams. Model k of a stack therefore follows the same path as
:func:`tutorial_lib.training.fit` would take it alone, to float rounding
(``tests/test_stacked.py`` checks it step by step).

What each model keeps of its own: its data (``inputs[k]``), its mini-batch
order (a generator seeded with ``configs[k].seed``, as in ``fit``), its
optimiser state and its :class:`~tutorial_lib.training.History`. What the
models must share: architecture, number of training rows, and every
training setting but the seed (learning rate, batch size, epochs, loss).
"""

from __future__ import annotations

import copy
import dataclasses
import time

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from tutorial_lib.fit_steps import due
from tutorial_lib.fit_types import FitConfig, History
from tutorial_lib.losses import loss_function
from tutorial_lib.runtime import choose_device
from tutorial_lib.training import progress_bar

EVAL_ROWS = {"cpu": 32, "other": 512}
"""Evaluation and prediction run this many rows of every model at a time:
few on a CPU, whose caches a larger chunk of N models overflows (twelve
depth-4 autoencoders evaluate 2.2 times faster in chunks of 32 rows than
of 512), many on a GPU, where each chunk costs kernel launches."""


def _check_stack(models: list[nn.Module], configs: list[FitConfig]) -> None:
    """Refuse a stack whose members cannot train as one, saying which."""
    if not models or len(models) != len(configs):
        raise ValueError(
            f"models and configs must be non-empty lists of one length, got "
            f"{len(models)} models and {len(configs)} configs"
        )
    shapes = [
        {k: tuple(v.shape) for k, v in m.state_dict().items()}
        for m in models
    ]
    for k, (model, shape) in enumerate(zip(models, shapes)):
        if type(model) is not type(models[0]) or shape != shapes[0]:
            raise ValueError(
                f"models[{k}] ({type(model).__name__}) differs in architecture "
                f"from models[0] ({type(models[0]).__name__}); a stack holds "
                "models of one shape"
            )
    if any(
        isinstance(m, nn.modules.batchnorm._BatchNorm)
        for m in models[0].modules()
    ):
        raise ValueError(
            "models with batch norm cannot be stacked (their running "
            "statistics update in place); train them one at a time with fit"
        )
    shared = [
        {
            k: v
            for k, v in dataclasses.asdict(c).items()
            if k not in ("seed", "progress")
        }
        for c in configs
    ]
    for k, settings in enumerate(shared):
        if settings != shared[0]:
            raise ValueError(
                f"configs[{k}] = {configs[k]} differs from configs[0] = "
                f"{configs[0]} in more than the seed; a stack shares every "
                "training setting but the seed"
            )


def _stack_data(arrays, name: str, device: torch.device) -> torch.Tensor:
    """N arrays ``(n, time)`` -> one float32 tensor ``(N, n, time)`` on ``device``."""
    shapes = {tuple(np.shape(a)) for a in arrays}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(
            f"{name} must be N arrays of one shape (n, time), got shapes "
            f"{sorted(shapes)}"
        )
    tensor = torch.as_tensor(np.stack(arrays), dtype=torch.float32)
    if not torch.isfinite(tensor).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return tensor.to(device)


class Stack:
    """N models of one shape as one function: ``stack(x)`` with ``x``
    ``(N, batch, time)`` returns ``(N, batch, time)``, model k on ``x[k]``.

    ``params`` are the stacked parameters, ``(N, *shape)`` leaves that an
    optimiser updates; :meth:`unstack` copies them back into the models.
    """

    def __init__(self, models: list[nn.Module]) -> None:
        self.models = models
        self.params, self.buffers = stack_module_state(models)
        base = copy.deepcopy(models[0]).to("meta")

        def one(params, buffers, x):
            return functional_call(base, (params, buffers), (x,))

        self._forward = vmap(one)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self._forward(self.params, self.buffers, x)

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs for ``x`` ``(N, n, time)``, :data:`EVAL_ROWS` rows at a time."""
        rows = EVAL_ROWS["cpu" if x.device.type == "cpu" else "other"]
        return torch.cat(
            [self(x[:, i : i + rows]) for i in range(0, x.shape[1], rows)],
            dim=1,
        )

    @torch.no_grad()
    def unstack(self) -> list[nn.Module]:
        """Copy each model's slice of the stacked tensors back into it."""
        for k, model in enumerate(self.models):
            state = {
                n: p[k] for n, p in {**self.params, **self.buffers}.items()
            }
            model.load_state_dict(state)
            model.eval()
        return self.models


def _orders(generators: list[torch.Generator], n: int) -> torch.Tensor:
    """Each model's new row order for one epoch, ``(N, n)``, drawn as
    :func:`~tutorial_lib.training.fit` draws it."""
    return torch.stack([torch.randperm(n, generator=g) for g in generators])


def _epoch(
    stack, optimizer, x, y, generators, batch: int, loss_fn
) -> torch.Tensor:
    """One epoch of mini-batch steps for every model; the step losses ``(N, steps)``."""
    n_models, n = x.shape[:2]
    order = _orders(generators, n).to(x.device) if batch < n else None
    rows_of = torch.arange(n_models, device=x.device)[:, None]
    losses = []
    for i in range(0, n, batch):
        rows = (
            order[:, i : i + batch]
            if order is not None
            else torch.arange(i, min(i + batch, n), device=x.device).expand(
                n_models, -1
            )
        )
        xb, yb = x[rows_of, rows], y[rows_of, rows]  # (N, b, time)
        optimizer.zero_grad(set_to_none=True)
        per_model = loss_fn(stack(xb), yb)  # (N,)
        # the models share no parameter: d(sum)/d(model k) = d(loss k)/d(model k)
        per_model.sum().backward()
        optimizer.step()
        losses.append(per_model.detach())
    return torch.stack(losses, dim=1)


def _per_model_loss(name: str):
    """The loss of :func:`fit`'s ``config.loss``, one value per model: ``(N,)``."""
    loss_function(name)  # refuses an unknown name, naming the known ones
    if name == "mse":
        return lambda pred, y: (pred - y).square().flatten(1).mean(1)
    return lambda pred, y: (pred - y).abs().flatten(1).mean(1)


def fit_stacked(
    models: list[nn.Module],
    inputs,
    targets,
    configs: list[FitConfig],
    *,
    eval_data: tuple | None = None,
    probe=None,
    device: torch.device | str | None = None,
) -> list[History]:
    """Train N same-shape models as one; model k as ``fit`` would train it alone.

    Args:
        models: N models of one architecture (no batch norm), each mapping
            ``(batch, time)`` to ``(batch, time)``; trained in place.
        inputs, targets: N arrays ``(n, time)`` each (one per model; the
            same ``n`` for all), finite.
        configs: N :class:`~tutorial_lib.training.FitConfig`, equal but for
            the seed (each model's mini-batch order); mini-batches or full
            batch, no schedule, no AMP.
        eval_data: ``(inputs, targets)``, N arrays ``(m, time)`` each; the
            evaluation loss is logged every ``eval_every`` epochs and after
            the last, as in ``fit``.
        probe: N arrays ``(p, time)`` whose outputs are snapshotted every
            ``snapshot_every`` epochs.
        device: where to train (default: the CPU), as
            :func:`~tutorial_lib.runtime.choose_device` takes it.

    Returns:
        One :class:`~tutorial_lib.training.History` per model. ``seconds`` is
        each model's share of the stack's wall time. On Ctrl-C every history
        is marked ``interrupted`` (the stack trains as one).

    Raises:
        ValueError: models or configs that cannot share a stack, data of
            other shapes, non-finite data.
        FloatingPointError: a model's training loss became inf or NaN.
    """
    _check_stack(models, configs)
    device = choose_device("cpu" if device is None else device)
    config = configs[0]
    if config.schedule is not None:
        raise ValueError(
            f"schedule must be None for a stack, got {config.schedule!r}"
        )
    x, y = (
        _stack_data(a, name, device)
        for a, name in [(inputs, "inputs"), (targets, "targets")]
    )
    if x.shape != y.shape or x.shape[0] != len(models):
        raise ValueError(
            f"inputs {tuple(x.shape)} and targets {tuple(y.shape)} must both be "
            f"(N={len(models)}, n, time)"
        )
    evals = (
        None
        if eval_data is None
        else tuple(_stack_data(a, "eval_data", device) for a in eval_data)
    )
    probes = None if probe is None else _stack_data(probe, "probe", device)
    stack = Stack([m.to(device) for m in models])
    return _train(stack, x, y, configs, evals, probes)


def _train(stack, x, y, configs, evals, probes) -> list[History]:
    """The loop of :func:`fit_stacked`, after its checks."""
    config, n_models = configs[0], len(configs)
    loss_fn = _per_model_loss(config.loss)
    batch = (
        x.shape[1]
        if config.batch_size is None
        else min(config.batch_size, x.shape[1])
    )
    optimizer = torch.optim.Adam(stack.params.values(), lr=config.lr)
    generators = [torch.Generator().manual_seed(c.seed) for c in configs]
    histories = [History(device=x.device.type) for _ in range(n_models)]
    snapshots: list[torch.Tensor] = []
    started = time.perf_counter()
    bar = progress_bar(
        config.epochs,
        f"{n_models} x {type(stack.models[0]).__name__}",
        config,
    )

    try:
        _log(stack, 0, config, evals, probes, histories, snapshots)
        for epoch in range(1, config.epochs + 1):
            steps = _epoch(
                stack, optimizer, x, y, generators, batch, loss_fn
            )
            # note: this is a CPU-GPU sync point, once an epoch
            for h, row in zip(histories, steps.tolist()):
                h.step_loss.extend(row)
                h.epoch_loss.append(float(np.mean(row)))
            _log(stack, epoch, config, evals, probes, histories, snapshots)
            bar.update(1)
    except KeyboardInterrupt:
        for h in histories:
            h.interrupted = True
        print(
            f"training interrupted after {len(histories[0].epoch_loss)} of "
            f"{config.epochs} epochs: the {n_models} models are only partly trained"
        )
    finally:
        bar.close()
        stack.unstack()
    return _finish(histories, snapshots, time.perf_counter() - started)


def _log(stack, epoch, config, evals, probes, histories, snapshots) -> None:
    """Evaluate and snapshot every model when due (epoch 0: snapshot only),
    as :func:`~tutorial_lib.training.fit` does."""
    if (
        evals is not None
        and epoch > 0
        and due(epoch, config.eval_every, config.epochs)
    ):
        # note: this is a CPU-GPU sync point
        losses = _per_model_loss(config.loss)(
            stack.predict(evals[0]), evals[1]
        )
        for h, loss in zip(histories, losses.tolist()):
            h.eval_epochs.append(epoch)
            h.eval_loss.append(loss)
    if probes is not None and due(
        epoch, config.snapshot_every, config.epochs
    ):
        # note: this is a CPU-GPU sync point
        snapshots.append(stack.predict(probes).cpu())
        for h in histories:
            h.snapshot_epochs.append(epoch)


def _finish(histories, snapshots, seconds: float) -> list[History]:
    """Share the time, split the snapshots, refuse a loss that ran off."""
    for k, h in enumerate(histories):
        h.seconds = seconds / len(histories)
        if snapshots:
            h.snapshots = torch.stack([s[k] for s in snapshots]).numpy()
        if h.epoch_loss and not np.isfinite(h.epoch_loss[-1]):
            raise FloatingPointError(
                f"model {k} of the stack: training loss became "
                f"{h.epoch_loss[-1]} after {len(h.epoch_loss)} epochs; try a "
                "smaller lr"
            )
    return histories
