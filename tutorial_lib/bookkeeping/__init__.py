"""The book's bookkeeping: what its build needs and a chapter's lesson does not.

A reader can skip this package. It keeps the chapters' results and checks
their sentences, and it saves and reuses trainings:

* :mod:`~tutorial_lib.bookkeeping.run`: :func:`~tutorial_lib.bookkeeping.run.start`
  and the :class:`~tutorial_lib.bookkeeping.run.Run` a chapter records through
* :mod:`~tutorial_lib.bookkeeping.records`: headline numbers a chapter records
* :mod:`~tutorial_lib.bookkeeping.claims`: a chapter's conclusions, checked
  against its numbers
* :mod:`~tutorial_lib.bookkeeping.verdicts`: the comparisons a conclusion
  rests on (over seeds, beyond their scatter), and how far each is from
  failing
* :mod:`~tutorial_lib.bookkeeping.prose`: measured values glued into a
  chapter's sentences
* :mod:`~tutorial_lib.bookkeeping.cache`: trainings saved on disk, keyed by
  their configuration, and reused ("load if saved, else train")
* :mod:`~tutorial_lib.bookkeeping.saved_runs`: one saved run's file: written,
  read back, set aside
* :mod:`~tutorial_lib.bookkeeping.published`: the book's trained runs,
  fetched from its site
* :mod:`~tutorial_lib.bookkeeping.parallel`: missing runs trained in worker
  processes, one a core
* :mod:`~tutorial_lib.bookkeeping.cost`: what a chapter takes when it
  trains every run it uses (its Colab edition says it)
* :mod:`~tutorial_lib.bookkeeping.files`,
  :mod:`~tutorial_lib.bookkeeping.folders`: atomic writes, where files live
"""
