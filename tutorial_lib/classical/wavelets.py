"""Wavelet shrinkage: the classic denoiser for one-dimensional signals.

Donoho and Johnstone's recipe, with `PyWavelets` (``pywt``):

1. an orthogonal wavelet transform of each sequence (``level`` scales of
   detail coefficients and one coarse approximation);
2. the noise level ``sigma`` estimated from the finest details, where a
   smooth signal has almost nothing: ``median(|d_1|) / 0.6745``;
3. every detail coefficient soft-thresholded: shrunk towards zero by the
   threshold, or set to zero when smaller. VisuShrink (``rule=
   "universal"``) uses one threshold, ``sigma * sqrt(2 log T)``;
   SureShrink (``rule="sure"``) picks one per scale that minimises
   Stein's unbiased estimate of the risk (SURE) of that scale's
   coefficients, never above the universal one;
4. the inverse transform.

It is near-optimal for signals that are smooth with a few jumps or spikes
(a few large coefficients carry them). A sum of sinusoids is the opposite
case: each tone spreads over many coefficients of several scales, each
of them small next to the threshold, so shrinkage removes signal with
the noise. The book shows both cases.
"""

from __future__ import annotations

import numpy as np
import pywt

from tutorial_lib.checks import finite_batch, integer


def _soft(c: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Soft thresholding: ``sign(c) * max(|c| - threshold, 0)``."""
    return np.sign(c) * np.maximum(np.abs(c) - threshold, 0.0)


def _sure_threshold(d: np.ndarray) -> np.ndarray:
    """Per row of ``d`` ``(n, m)`` (coefficients in units of sigma), the
    threshold ``t`` minimising SURE, ``m - 2 #{|d| <= t} + sum min(d^2,
    t^2)``, among ``t`` = the row's ``|d|`` values, capped at the universal
    ``sqrt(2 log m)``: ``(n, 1)``."""
    m = d.shape[1]
    universal = np.sqrt(2 * np.log(m))
    a = np.minimum(np.sort(np.abs(d), axis=1), universal)  # (n, m)
    k = np.arange(1, m + 1)
    risk = m - 2 * k + np.cumsum(a**2, axis=1) + (m - k) * a**2
    best = np.argmin(risk, axis=1)
    return a[np.arange(len(a)), best][:, None]


RULES = ("sure", "universal")


def wavelet_shrink(
    noisy, wavelet: str = "sym8", level: int = 4, rule: str = "sure"
) -> np.ndarray:
    """Soft-threshold every detail coefficient (SureShrink or VisuShrink).

    Args:
        noisy: ``(n, T)`` finite sequences.
        wavelet: a discrete wavelet's name, as
            ``pywt.wavelist(kind="discrete")`` lists them.
        level: how many scales of details are thresholded (1 up to the
            deepest the length allows for this wavelet).
        rule: ``"sure"`` (a threshold per scale) or ``"universal"`` (one).

    Returns:
        ``(n, T)`` float64.
    """
    x = finite_batch(noisy)
    if wavelet not in pywt.wavelist(kind="discrete"):
        raise ValueError(
            f"wavelet must name a discrete wavelet of pywt.wavelist("
            f"kind='discrete') such as 'sym8' or 'db4', got {wavelet!r}"
        )
    deepest = pywt.dwt_max_level(x.shape[1], wavelet)
    level = integer("level", level, minimum=1, maximum=max(deepest, 1))
    if rule not in RULES:
        raise ValueError(
            f"rule must be one of {', '.join(RULES)}, got {rule!r}"
        )
    coeffs = pywt.wavedec(x, wavelet, level=level, axis=1, mode="symmetric")
    sigma = np.median(np.abs(coeffs[-1]), axis=1, keepdims=True) / 0.6745
    sigma = np.maximum(sigma, np.finfo(float).tiny)  # noise-free rows
    if rule == "universal":

        def threshold(c):
            return sigma * np.sqrt(2 * np.log(x.shape[1]))
    else:

        def threshold(c):
            return sigma * _sure_threshold(c / sigma)

    shrunk = [coeffs[0]] + [_soft(c, threshold(c)) for c in coeffs[1:]]
    out = pywt.waverec(shrunk, wavelet, axis=1, mode="symmetric")
    return out[:, : x.shape[1]]
