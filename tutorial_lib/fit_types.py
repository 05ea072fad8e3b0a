"""What :func:`~tutorial_lib.training.fit` takes and returns: a
:class:`FitConfig` (how to train) and a :class:`History` (what it saw)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tutorial_lib.checks import finite_number, integer
from tutorial_lib.losses import loss_function


@dataclass(frozen=True)
class FitConfig:
    """How to train. Frozen: make variants with ``dataclasses.replace``.

    Attributes:
        epochs: passes over the training set; with ``batch_size=None`` one
            epoch is one step (the 2018 post's "iterations").
        lr: Adam's learning rate, finite and > 0.
        batch_size: ``None`` for full batch, else the mini-batch size.
        loss: ``"l1"`` or ``"mse"``; NaN targets are ignored either way.
        eval_every: epochs between evaluation losses (when evaluation data are given).
        snapshot_every: epochs between probe-batch snapshots (0: none).
        seed: seeds the mini-batch order (a non-negative integer).
        amp: bfloat16 autocast on CUDA (ignored elsewhere).
        progress: show a progress bar.
        schedule: ``None`` keeps ``lr`` fixed (the write-ups); ``"cosine"``
            decays it to zero over the run's steps, along a half cosine.
        cpu_chunk: on the CPU, a step's batch larger than this is run through
            the model in chunks of this many sequences, their gradients summed
            with weights, so the step is the same (up to rounding) at about
            half the memory: the 2018 post's full-batch GRU step needs 2.3 GB
            whole and 1.0 GB in chunks of 2,000, at the same speed. GPUs take
            the batch whole. ``None``: never chunk. (Not for models whose
            output depends on the rest of the batch, such as batch norm.)
    """

    epochs: int = 301
    lr: float = 1e-2
    batch_size: int | None = None
    loss: str = "l1"
    eval_every: int = 1
    snapshot_every: int = 0
    seed: int = 0
    amp: bool = False
    progress: bool = True
    schedule: str | None = None
    cpu_chunk: int | None = 2000

    def __post_init__(self) -> None:
        integer("epochs", self.epochs, minimum=1)
        integer("batch_size", self.batch_size, minimum=1, none="full batch")
        integer("eval_every", self.eval_every, minimum=1)
        integer("snapshot_every", self.snapshot_every, minimum=0)
        integer("seed", self.seed, minimum=0)
        integer("cpu_chunk", self.cpu_chunk, minimum=1, none="never chunk")
        finite_number("lr", self.lr, positive=True)
        # raises for an unknown name, naming the known ones
        loss_function(self.loss)
        if self.schedule not in (None, "cosine"):
            raise ValueError(
                f"schedule must be None or 'cosine', got {self.schedule!r}"
            )
        for name in ("amp", "progress"):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(
                    f"{name} must be True or False, got {value!r}"
                )


@dataclass
class History:
    """What :func:`fit` saw. Losses are Python floats; snapshots NumPy arrays.

    Attributes:
        step_loss: training loss of every optimiser step taken, ``(steps,)``
            (an interrupted run's unfinished last epoch included).
        epoch_loss: mean training loss of every finished epoch, ``(epochs,)``.
        eval_epochs, eval_loss: evaluation loss after those epochs.
        snapshot_epochs: after how many epochs each snapshot was taken (0 = untrained).
        snapshots: probe-batch predictions, ``(len(snapshot_epochs), probe, time)``.
        seconds: wall time of the loop; ``interrupted``: stopped early by the
            user, so the model is only partly trained.
    """

    step_loss: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    eval_epochs: list[int] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    snapshot_epochs: list[int] = field(default_factory=list)
    snapshots: np.ndarray | None = None
    seconds: float = 0.0
    device: str = "cpu"
    interrupted: bool = False

    @property
    def final_eval(self) -> float:
        """The last evaluation loss."""
        if not self.eval_loss and self.interrupted:
            raise ValueError(
                "this history has no evaluation loss: training was interrupted after "
                f"{len(self.epoch_loss)} epochs, before its first evaluation, and the "
                "model is only partly trained; run fit again to the end"
            )
        if not self.eval_loss:
            raise ValueError(
                "this history has no evaluation loss: pass eval_data= to fit"
            )
        return self.eval_loss[-1]

    def raise_if_interrupted(self, what: str, epochs: int) -> None:
        """Raise ``KeyboardInterrupt`` if this run was stopped early, so that
        a partly trained model is never kept as the run ``what`` of
        ``epochs`` epochs (the cache saves nothing then)."""
        if self.interrupted:
            raise KeyboardInterrupt(
                f"training {what} was interrupted after "
                f"{len(self.epoch_loss)} of {epochs} epochs; not saved"
            )

    def __repr__(self) -> str:
        train = self.epoch_loss[-1] if self.epoch_loss else float("nan")
        last = (
            f", final eval {self.eval_loss[-1]:.4g}"
            if self.eval_loss
            else ""
        )
        stopped = ", interrupted" if self.interrupted else ""
        return (
            f"History({len(self.epoch_loss)} epochs, {len(self.step_loss)} steps, "
            f"final train {train:.4g}{last}, {self.seconds:.1f} s on {self.device}"
            f"{stopped})"
        )
