"""Training one autoencoder at a time, or N of one shape stacked.

    .venv/bin/python benchmarks/stacked_training.py [--repeats 2] [--stack 4 12]
        [--device cpu]

The book trains Part II's autoencoders of one shape as one stacked model
(tutorial_lib/stacked.py). For each depth of the sweep, at the write-ups'
sizes (3,500 training signals in mini-batches of 32, 110 steps an epoch), it
times training epochs of one model with every torch thread (`tl.fit`, no
evaluation) and of stacks of N models (`fit_stacked`), and reports the
seconds per model and epoch and the gain of the stack. Epochs after the
first are timed (the first builds the kernels' plans). The minimum over
repeats is kept. Writes benchmarks/stacked_training_<device>.json.
"""

from __future__ import annotations

import argparse
import time

import torch
from common import table, write_json

from tutorial_lib import part2
from tutorial_lib.stacked import fit_stacked
from tutorial_lib.training import fit

EPOCHS = 3


def per_epoch(train) -> float:
    """Seconds of one epoch: (time of EPOCHS) - (time of 1), / (EPOCHS - 1),
    after one untimed epoch (the kernels' first-call costs)."""
    train(1)
    one = train(1)
    return (train(EPOCHS) - one) / (EPOCHS - 1)


def finished(device: str) -> float:
    """The clock once every queued kernel of ``device`` has run."""
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


def alone(depth: int, device: str):
    config = part2.autoencoder_config(depth, 0.3, seed=0)
    pairs, _ = config.data()

    def train(epochs: int) -> float:
        c = part2.autoencoder_config(depth, 0.3, seed=0, epochs=epochs)
        started = time.perf_counter()
        fit(
            c.build(),
            pairs.noisy,
            pairs.clean,
            part2.fit_config(c),
            device=device,
        )
        return finished(device) - started

    return train


def stacked(depth: int, n: int, device: str):
    configs = [
        part2.autoencoder_config(depth, 0.3, seed=s) for s in range(n)
    ]
    data = [c.data()[0] for c in configs]

    def train(epochs: int) -> float:
        cs = [
            part2.autoencoder_config(depth, 0.3, seed=s, epochs=epochs)
            for s in range(n)
        ]
        started = time.perf_counter()
        fit_stacked(
            [c.build() for c in cs],
            [d.noisy for d in data],
            [d.clean for d in data],
            [part2.fit_config(c) for c in cs],
            device=device,
        )
        return finished(device) - started

    return train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--stack", type=int, nargs="+", default=[4, 12])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args()
    rows = []
    for depth in (2, 4, 6, 8):
        one = min(
            per_epoch(alone(depth, args.device))
            for _ in range(args.repeats)
        )
        for n in args.stack:
            total = min(
                per_epoch(stacked(depth, n, args.device))
                for _ in range(args.repeats)
            )
            rows.append(
                {
                    "case": f"depth {depth}, stack of {n}",
                    "one_model_s": round(one, 3),
                    "stacked_s_per_model": round(total / n, 3),
                    "gain": round(one * n / total, 2),
                }
            )
            print(rows[-1], flush=True)
    write_json(
        f"stacked_training_{args.device}",
        {
            "device": args.device,
            "threads": torch.get_num_threads(),
            "repeats": args.repeats,
            "statistic": "seconds per model and epoch, minimum over repeats",
            "rows": rows,
        },
    )
    print(table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
