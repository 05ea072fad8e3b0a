"""Time per step of tutorial_lib.fit against a plain hand-written PyTorch loop doing the same steps.

    .venv/bin/python benchmarks/fit_vs_plain.py [--device cpu|cuda] [--repeats 3]

Cases: the 2018 post's full-batch steps (8000 x 100 sequences; RNN and
bidirectional GRU) and the 2024 post's mini-batch epoch (ConvAutoencoder).
The two loops alternate, several rounds each, so that a busy machine slows
both alike; the ratio fit / plain is the figure of merit (target <= 1.05).
Writes benchmarks/fit_vs_plain.json.
"""

from __future__ import annotations

import argparse
import time

import torch
from common import table, write_json

import tutorial_lib as tl
from tutorial_lib.losses import loss_function


def cases(device: torch.device):
    sines = tl.sine_dataset(8000, 100, seed=0)
    tones = tl.two_tone_dataset(2800, 256, seed=0).at(0.2)

    def rnn():
        return tl.SequenceDenoiser("rnn", 30)

    def bigru():
        return tl.SequenceDenoiser("gru", 30, bidirectional=True)

    # fit's default runs a CPU full-batch step in chunks (cpu_chunk); cpu_chunk=None
    # makes it do literally what the plain loop does.
    for chunk, label in ((2000, ""), (None, ", cpu_chunk=None")):
        yield (
            f"RNN(30), full batch{label}",
            rnn,
            sines,
            tl.FitConfig(epochs=10, lr=1e-2, loss="l1", cpu_chunk=chunk),
        )
        yield (
            f"BiGRU(30), full batch{label}",
            bigru,
            sines,
            tl.FitConfig(epochs=5, lr=1e-2, loss="l1", cpu_chunk=chunk),
        )
    yield (
        "ConvAE d=4, batch 64",
        lambda: tl.ConvAutoencoder(4, 32),
        tones,
        tl.FitConfig(epochs=1, lr=1e-3, batch_size=64, loss="mse"),
    )


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def plain_loop(make, data, config, device) -> tuple[float, int]:
    """What a reader would write by hand: data on the device once, Adam, log loss.item() each step."""
    torch.manual_seed(0)
    model = make().to(device)
    x = torch.as_tensor(data.noisy, device=device)
    y = torch.as_tensor(data.clean, device=device)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    # the complete targets need no mask
    loss_fn = loss_function(config.loss, masked=False)
    n, batch = len(x), config.batch_size or len(x)
    g = torch.Generator().manual_seed(0)
    losses, steps = [], 0
    sync(device)
    start = time.perf_counter()
    for _ in range(config.epochs):
        order = (
            torch.randperm(n, generator=g).to(device) if batch < n else None
        )
        for i in range(0, n, batch):
            idx = (
                slice(i, i + batch)
                if order is None
                else order[i : i + batch]
            )
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            steps += 1
    sync(device)
    return time.perf_counter() - start, steps


def library_loop(make, data, config, device) -> tuple[float, int]:
    torch.manual_seed(0)
    model = make()
    sync(device)
    start = time.perf_counter()
    history = tl.fit(model, data.noisy, data.clean, config, device=device)
    sync(device)
    return time.perf_counter() - start, len(history.step_loss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = tl.choose_device(args.device)
    rows = []
    for name, make, data, config in cases(device):
        plain, lib = [], []
        # warm-up (allocator, kernels)
        library_loop(make, data[:256], config, device)
        for _ in range(args.repeats):
            seconds, steps = plain_loop(make, data, config, device)
            plain.append(seconds / steps)
            seconds, steps = library_loop(make, data, config, device)
            lib.append(seconds / steps)
        p, f = min(plain), min(lib)
        rows.append(
            {
                "case": name,
                "device": device.type,
                "steps": steps,
                "plain_ms_per_step": round(1000 * p, 2),
                "fit_ms_per_step": round(1000 * f, 2),
                "ratio": round(f / p, 3),
            }
        )
    print(
        table(
            rows,
            [
                "case",
                "device",
                "steps",
                "plain_ms_per_step",
                "fit_ms_per_step",
                "ratio",
            ],
        )
    )
    write_json(
        f"fit_vs_plain_{device.type}",
        {
            "rows": rows,
            "repeats": args.repeats,
            "statistic": "minimum over repeats of seconds per step",
        },
    )


if __name__ == "__main__":
    main()
