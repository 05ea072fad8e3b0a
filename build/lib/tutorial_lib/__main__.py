"""Command line of the book's build.

``python -m tutorial_lib gather --profile full --out _build/results.json``
    collect the chapters' records (see :mod:`tutorial_lib.results`).
``python -m tutorial_lib pages --profile full``
    write the generated pages into ``_build/generated/`` (see :mod:`tutorial_lib.pages`).
"""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "pages":
    from tutorial_lib.pages import main as pages_main

    pages_main(sys.argv[2:])
else:
    from tutorial_lib.results import main

    main()
