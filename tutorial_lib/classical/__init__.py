"""The classical side of the book: what a signal-processing engineer would
try, and the best any method can do.

* :mod:`tutorial_lib.classical.baselines`: filters with one knob (moving
  average, Savitzky-Golay, low-pass), the knob chosen on the training split,
  and Part I's matched sines
* :mod:`tutorial_lib.classical.linear`: linear estimators fitted on training
  pairs (a gain, the Wiener filter, the full linear MMSE map)
* :mod:`tutorial_lib.classical.subspace`: singular-spectrum analysis
* :mod:`tutorial_lib.classical.wavelets`: wavelet shrinkage
* :mod:`tutorial_lib.classical.two_tone_fit`: the least-squares two-tone fit
* :mod:`tutorial_lib.classical.oracles`: the tasks' limits (the minimax
  matcher of Part I, the posterior mean of Part II)

Import the modules themselves, e.g.
``from tutorial_lib.classical import baselines, linear``.
"""
