"""Support package of the book *Denoising signals with neural networks, in PyTorch*.

The lesson, at the top level:

* :mod:`tutorial_lib.profile`: ``TUTORIAL_PROFILE`` (``full`` or ``smoke``)
* :mod:`tutorial_lib.runtime`: the device and the seeds
* :mod:`tutorial_lib.data`: the 2018 and 2024 tasks' data
* :mod:`tutorial_lib.models`: recurrent denoiser, convolutional autoencoder
* :mod:`tutorial_lib.prototypes`: a soft choice among learned prototypes (Beyond)
* :mod:`tutorial_lib.losses`: NaN-masked L1 and MSE
* :mod:`tutorial_lib.training`: :func:`fit`, the training loop of every chapter
* :mod:`tutorial_lib.fit_types`: what :func:`fit` takes and returns (:class:`FitConfig`,
  :class:`History`)
* :mod:`tutorial_lib.fit_steps`: the pieces of :func:`fit`'s loop
* :mod:`tutorial_lib.evaluation`: :func:`predict` and :func:`evaluate`
* :mod:`tutorial_lib.stacked`: many same-shape models trained as one
* :mod:`tutorial_lib.blind_spot`: a denoiser learned from noisy signals alone
* :mod:`tutorial_lib.part1`: Part I's experiments (the 2018 post's recurrent models)
* :mod:`tutorial_lib.part2`: Part II's experiments (the 2024 post's autoencoders), and
  :mod:`tutorial_lib.autoencoder_config`, the configuration of one
* :mod:`tutorial_lib.dncnn`: a DnCNN-style dilated network, the book's stronger
  learned baseline (Beyond)
* :mod:`tutorial_lib.templates`: a network that learns to pick two tones from
  a grid of frequencies (Beyond)
* :mod:`tutorial_lib.classical`: classical denoisers (filters, linear
  estimators, singular-spectrum analysis, wavelet shrinkage), fits and the
  tasks' limits, one module each
* :mod:`tutorial_lib.checks`: argument checks (numbers, sizes, arrays and
  a model's output) with errors that name the argument
* :mod:`tutorial_lib.plots`: the recurring figures, and tables
* :mod:`tutorial_lib.animation`, :mod:`tutorial_lib.video`: training animations, and their
  encoding with ffmpeg
* :mod:`tutorial_lib.explorer`: the interactive explorer of Part II's runs

and the book's bookkeeping, which a reader can skip, in
:mod:`tutorial_lib.bookkeeping`: records, claims, glued prose, the saved
runs' cache, the published runs and the worker processes.
"""

from tutorial_lib.bookkeeping.run import Run, start
from tutorial_lib.data import (
    Pairs,
    TwoToneData,
    hide_targets,
    sine_dataset,
    split,
    two_tone_dataset,
)
from tutorial_lib.dncnn import DilatedDenoiser
from tutorial_lib.evaluation import evaluate, predict
from tutorial_lib.losses import masked_l1, masked_mse
from tutorial_lib.models import (
    ConvAutoencoder,
    SequenceDenoiser,
    count_parameters,
    receptive_field,
)
from tutorial_lib.profile import current_profile
from tutorial_lib.prototypes import PrototypeDenoiser
from tutorial_lib.runtime import BOOK_SEED, choose_device, seed_everything
from tutorial_lib.training import FitConfig, History, fit

__version__ = "0.1.0"

__all__ = [
    "BOOK_SEED",
    "ConvAutoencoder",
    "DilatedDenoiser",
    "FitConfig",
    "History",
    "Pairs",
    "PrototypeDenoiser",
    "Run",
    "SequenceDenoiser",
    "TwoToneData",
    "choose_device",
    "count_parameters",
    "current_profile",
    "evaluate",
    "fit",
    "hide_targets",
    "masked_l1",
    "masked_mse",
    "predict",
    "receptive_field",
    "seed_everything",
    "sine_dataset",
    "split",
    "start",
    "two_tone_dataset",
]
