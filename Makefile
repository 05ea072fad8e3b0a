# The book's two commands. Each sets up .venv itself and is safe to run again.
#   make book                 execute every chapter at full size, build _build/html
#   make book PROFILE=smoke   the same at smoke size (seconds a chapter)
#                             (both also write the book as a PDF and the site as a zip: takehome)
#   make test                 unit tests + every notebook at smoke size

PROFILE ?= full
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0

.PHONY: book site takehome test chromium poppler-utils clean clean-cache

# torch goes in first, from its exact pin, so that nothing later can pull the
# CUDA build; constraints.txt then holds every other version exactly.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,test]"
	@if $(BIN)/python -m pip list 2>/dev/null | grep -i '^nvidia-'; then \
		echo "error: nvidia-* packages were installed; torch must stay the CPU build here" >&2; exit 1; fi
	touch $(STAMP)

# The execution cache is kept per profile: jupyter-cache hashes the code, not
# TUTORIAL_PROFILE, so one shared cache would serve smoke results to a full build.
book: $(STAMP)
	@$(MAKE) --no-print-directory site PROFILE=$(PROFILE) BIN=$(BIN)

# The build itself, with an environment that is already set up (the site test
# runs it in a copy of the tree with BIN=<its own venv>/bin). Chapters write
# their records while they execute, so the generated pages (report, ...) are
# written from the records there are (none yet on a fresh build: --missing-ok),
# the book is built, the records are gathered and the pages rewritten, and the
# book is built again: that second pass re-reads only the pages whose included
# files changed, and every chapter comes from the execution cache. gather reads
# only the chapters _toc.yml lists (see bookbuild/gather.py).
JB = TUTORIAL_PROFILE=$(PROFILE) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter-book build . --keep-going --warningiserror
GATHER = TUTORIAL_PROFILE=$(PROFILE) $(BIN)/python -m bookbuild gather --profile $(PROFILE) --out _build/results.json
PAGES = $(BIN)/python -m bookbuild pages --profile $(PROFILE) --results _build/results.json

site:
	@mkdir -p _build/.jupyter_cache-$(PROFILE)
	@ln -sfn .jupyter_cache-$(PROFILE) _build/.jupyter_cache
	$(GATHER) --missing-ok
	$(PAGES)
	$(JB) --all
	$(GATHER)
	$(PAGES)
	$(JB)
	@$(MAKE) --no-print-directory takehome PROFILE=$(PROFILE) BIN=$(BIN)
	@echo "The book is in _build/html/index.html"

# Take it home (book/intro.md links both): the executed book as one PDF, and
# the whole site as one zip, both under _build/html/_downloads/. The PDF is
# headless chromium printing the single-page build, which takes every chapter
# from the execution cache (nothing is executed again); each video prints as
# its first frame (bookbuild/takehome.py). The archive holds the site and the
# PDF, never itself.
TAKEHOME := _build/html/_downloads
BOOK_PDF := $(TAKEHOME)/denoising-signals-pytorch.pdf
BOOK_ZIP := $(TAKEHOME)/denoising-signals-pytorch-site.zip
JB_SINGLE = TUTORIAL_PROFILE=$(PROFILE) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter-book build . --builder singlehtml --keep-going --warningiserror

takehome: chromium
	$(JB_SINGLE)
	$(BIN)/python bookbuild/takehome.py pdf --singlehtml _build/singlehtml --out $(BOOK_PDF)
	$(BIN)/python bookbuild/takehome.py archive --html _build/html --out $(BOOK_ZIP)

# Notebooks train afresh under test: saved runs (tutorial_lib.experiments) go to a new folder.
# tests/test_site.py builds the site in a copy of the tree and reads every page
# in Debian's chromium, installed here when it is missing (CI runs as root).
# --dist loadfile keeps each test file on one worker, so the site is built once.
test: $(STAMP) chromium poppler-utils
	TUTORIAL_PROFILE=smoke TUTORIAL_ARTIFACTS_DIR="$$(mktemp -d)" PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadfile --nbmake --nbmake-timeout=600 tests notebooks book

chromium:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
		else echo "chromium is missing: sudo apt-get install chromium (the site test needs it)" >&2; fi; }

# The site test reads the PDF with poppler's tools (pdfinfo, pdftoppm, pdftotext, pdfimages).
poppler-utils:
	@command -v pdftoppm >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null; \
		else echo "poppler-utils is missing: sudo apt-get install poppler-utils (the site test reads the PDF with it)" >&2; fi; }

clean-cache:
	rm -rf _build/.jupyter_cache _build/.jupyter_cache-* _build/artifacts _build/records

clean:
	rm -rf _build
