"""Lets the tests import ``bookbuild``, the build's code at the repository's
root, which is not installed (``python -m pytest`` from the root finds it too).
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
