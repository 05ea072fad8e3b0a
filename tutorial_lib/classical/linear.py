"""Linear denoisers fitted on the training split: a gain and a Wiener filter.

What a signal-processing specialist tries before a network on the 2024
task, where the noisy input is ``(1 - alpha) * clean + alpha * eps``:

* :func:`fit_gain`: one number ``g`` that scales the noisy input, the
  least-squares ``g = <noisy, clean> / <noisy, noisy>`` over every training
  sample. It undoes the shrinkage and removes a little noise.
* :func:`fit_linear_mmse`: the best of all linear (affine) maps from the
  whole noisy sequence to the whole clean one, a ``T x T`` matrix and an
  offset fitted by least squares: the linear MMSE estimator with the
  covariances estimated on the training split. Every filter here is one
  such map, so on the training split it is never worse than any of them.
* :func:`fit_wiener`: one complex gain per frequency of the real FFT,
  ``H(f) = sum_i conj(X_i(f)) Y_i(f) / sum_i |X_i(f)|^2``, with ``X_i`` and
  ``Y_i`` the rFFTs of the ``i``-th training noisy and clean sequences.
  When noise and signal are uncorrelated this is the Wiener filter
  ``S_clean / (S_clean + S_noise)`` (times the shrinkage) with the spectra
  estimated on the training split. It is the filter, among all circular
  (FFT-domain) linear filters, with the lowest MSE on the training split,
  so it is never worse there than the gain, which is one such filter.

Both are fitted on ``(train_noisy, train_clean)`` only and then applied to
other data (validation, test) with ``.apply``.

The FFT treats a sequence as one period of a periodic signal. The 2024
task's sequences are not periodic, so by default (``boundary="even"``)
every sequence is first extended by its mirror image, ``[x, x[::-1]]``
(length ``2T``, no jump at the seam or the wrap), filtered, and cut back to
its first ``T`` samples; ``boundary="circular"`` filters the sequence as it
is. With the even extension ``X`` and ``Y`` share their phase, so ``H`` is
real (zero phase) and the output's mirrored half is the mirror of its first
half: the optimality on the training split holds for the first ``T``
samples too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tutorial_lib.checks import finite_batch


def _pair(noisy, clean) -> tuple[np.ndarray, np.ndarray]:
    """``(noisy, clean)`` as finite float64 ``(n, T)`` arrays of the same shape."""
    x, y = (
        finite_batch(noisy, "train_noisy"),
        finite_batch(clean, "train_clean"),
    )
    if x.shape != y.shape:
        raise ValueError(
            f"train_noisy {x.shape} and train_clean {y.shape} must have the same "
            "shape (n, T)"
        )
    return x, y


@dataclass(frozen=True)
class Gain:
    """A fitted scale factor: ``apply(noisy) = value * noisy``, ``(n, T) -> (n, T)``."""

    value: float

    def apply(self, noisy) -> np.ndarray:
        return self.value * finite_batch(noisy)


def fit_gain(train_noisy, train_clean) -> Gain:
    """The least-squares gain ``<noisy, clean> / <noisy, noisy>`` over all samples.

    Args:
        train_noisy, train_clean: ``(n, T)`` training pairs (finite).

    Raises:
        ValueError: bad shapes, a NaN, or an all-zero ``train_noisy``.
    """
    x, y = _pair(train_noisy, train_clean)
    energy = float(np.sum(x * x))
    if energy == 0.0:
        raise ValueError(
            "train_noisy is all zeros: no gain can be fitted (expected some "
            "non-zero training input)"
        )
    return Gain(float(np.sum(x * y)) / energy)


BOUNDARIES = ("even", "circular")


def _extend(x: np.ndarray, boundary: str) -> np.ndarray:
    """``(n, T)`` -> ``(n, 2T)`` ``[x, x[::-1]]`` for ``"even"``, else ``x`` itself."""
    return (
        np.concatenate([x, x[:, ::-1]], axis=1) if boundary == "even" else x
    )


@dataclass(frozen=True)
class WienerFilter:
    """A per-frequency gain for sequences of ``length`` samples.

    Attributes:
        response: ``(m // 2 + 1,)`` complex, ``H(f)`` on the rFFT bins of the
            ``m``-sample filtered sequence (``m = 2 * length`` for ``"even"``).
        length: ``T``, the sequence length it was fitted on.
        boundary: ``"even"`` or ``"circular"`` (see the module docstring).
    """

    response: np.ndarray
    length: int
    boundary: str = "even"

    def apply(self, noisy) -> np.ndarray:
        """``irfft(H * rfft(extend(noisy)))[:, :T]``, ``(n, T) -> (n, T)`` float64."""
        x = finite_batch(noisy)
        if x.shape[1] != self.length:
            raise ValueError(
                f"noisy has {x.shape[1]} samples per sequence; this filter was "
                f"fitted on length {self.length}"
            )
        extended = _extend(x, self.boundary)
        spectrum = np.fft.rfft(extended, axis=1) * self.response[None, :]
        out = np.fft.irfft(spectrum, n=extended.shape[1], axis=1)
        return out[:, : self.length]


def fit_wiener(
    train_noisy, train_clean, *, boundary: str = "even"
) -> WienerFilter:
    """The per-frequency least-squares gain ``H(f) = <X* Y> / <|X|^2>``.

    ``X``, ``Y``: rFFTs of the ``(n, T)`` training noisy and clean
    sequences, extended as ``boundary`` says (module docstring); the
    averages run over the ``n`` training pairs. A bin where the training
    input has no energy (below ``1e-12`` of the largest bin's, which is
    rounding) gets ``H = 0``: there is nothing there to scale.

    Returns:
        :class:`WienerFilter`; its response has ``T + 1`` bins for
        ``"even"``, ``T // 2 + 1`` for ``"circular"``.
    """
    if boundary not in BOUNDARIES:
        raise ValueError(
            f"boundary must be one of {', '.join(BOUNDARIES)}, "
            f"got {boundary!r}"
        )
    x, y = _pair(train_noisy, train_clean)
    spec_x = np.fft.rfft(_extend(x, boundary), axis=1)
    spec_y = np.fft.rfft(_extend(y, boundary), axis=1)
    cross = np.sum(np.conj(spec_x) * spec_y, axis=0)
    power = np.sum(np.abs(spec_x) ** 2, axis=0)
    kept = power > 1e-12 * power.max()
    response = np.divide(cross, power, out=np.zeros_like(cross), where=kept)
    return WienerFilter(
        response=response, length=x.shape[1], boundary=boundary
    )


@dataclass(frozen=True)
class LinearMMSE:
    """An affine map ``apply(noisy) = (noisy - mean_in) @ matrix + mean_out``.

    Attributes:
        matrix: ``(T, T)``; column ``t`` weighs the noisy samples for
            output sample ``t``.
        mean_in, mean_out: ``(T,)`` training means of noisy and clean.
    """

    matrix: np.ndarray
    mean_in: np.ndarray
    mean_out: np.ndarray

    def apply(self, noisy) -> np.ndarray:
        """``(n, T) -> (n, T)`` float64."""
        x = finite_batch(noisy)
        if x.shape[1] != len(self.mean_in):
            raise ValueError(
                f"noisy has {x.shape[1]} samples per sequence; this "
                f"estimator was fitted on length {len(self.mean_in)}"
            )
        return (x - self.mean_in) @ self.matrix + self.mean_out


def fit_linear_mmse(train_noisy, train_clean) -> LinearMMSE:
    """The least-squares affine map from noisy ``(n, T)`` to clean ``(n, T)``.

    ``matrix = C_xx^-1 C_xy`` with the centred training covariances; a
    ridge of ``1e-9`` times their mean diagonal keeps the solve stable when
    ``C_xx`` is nearly singular (far below the noise's share). The
    covariances are only as good as the ``n`` pairs: ``n`` well above
    ``T`` (Part II: 3,500 pairs of 256 samples).

    Raises:
        ValueError: bad shapes or a NaN.
    """
    x, y = _pair(train_noisy, train_clean)
    length = x.shape[1]
    mean_in, mean_out = x.mean(axis=0), y.mean(axis=0)
    xc, yc = x - mean_in, y - mean_out
    cxx = xc.T @ xc
    ridge = 1e-9 * np.trace(cxx) / length
    matrix = np.linalg.solve(cxx + ridge * np.eye(length), xc.T @ yc)
    return LinearMMSE(matrix, mean_in, mean_out)
