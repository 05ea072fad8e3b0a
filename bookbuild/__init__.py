"""The book's build machinery: what ``make book`` runs besides Jupyter Book.

This folder is not installed and no chapter imports it: chapters and Colab
readers use :mod:`tutorial_lib` only. The Makefile runs it from the
repository's root::

    python -m bookbuild gather --profile full --out _build/results.json
    python -m bookbuild pages --profile full --results _build/results.json

* :mod:`bookbuild.gather`: the chapters' records into ``_build/results.json``
* :mod:`bookbuild.pages`: the generated pages (``_build/generated/*.md``)
* :mod:`bookbuild.linkcheck`: ``make linkcheck``'s configuration (execution
  off) and the verdict on Sphinx's link report (broken, or could not run)
* :mod:`bookbuild.errors`: the error raised on unusable input (the command
  line turns it into a message and a non-zero exit)
* :mod:`bookbuild.report`, :mod:`bookbuild.leaderboard`,
  :mod:`bookbuild.perfpage`: one generated page each
* ``bookbuild/sphinx_ext/site_assets.py``: a Sphinx extension (``_config.yml``)
"""
