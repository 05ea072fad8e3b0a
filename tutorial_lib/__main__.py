"""``python -m tutorial_lib gather --profile full --out _build/results.json``."""

from tutorial_lib.results import main

main()
