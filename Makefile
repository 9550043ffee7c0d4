# The two set-up commands work on a fresh machine: each creates .venv when missing.
# `make demo` installs only what answering a question needs; `make test` adds the test
# tools and PyTorch (the [autodiff] extra, which the --compare autodiff tests use).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_STAMP := $(VENV)/.installed-demo
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test props derivations pages bench screenshot serve clean mathjax tables

$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(DEMO_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,autodiff]'
	touch $@

demo: $(DEMO_STAMP)
	$(BIN)/symderiv diff '\|\max(X,0)\|_F^2' --wrt X
	@echo
	$(BIN)/symderiv check tests/check_corpus/seed_answer.md

# one worker per core; worksteal keeps the cores busy when a few tests are long
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -n auto --dist worksteal

# All 500 random compositions of the property test (about 45 CPU-minutes); `make test`
# runs a fixed slice of them and the ones that once found the engine wrong.
props: $(TEST_STAMP)
	SYMDERIV_PROPS=all $(BIN)/python -m pytest -q -n auto tests/test_properties.py

derivations: $(DEMO_STAMP)
	$(BIN)/python derivations/generate.py --write

# The seed document's pages as PNGs (derivations/images/seed-1.png, ...), so a reader sees
# the derivation without compiling it; needs pdflatex and pdftoppm (apt-get install
# texlive-latex-base poppler-utils).  The old pages go first: the page count can shrink.
PAGES_TMP := build/pages
pages:
	rm -rf $(PAGES_TMP) && mkdir -p $(PAGES_TMP)
	pdflatex -interaction=nonstopmode -halt-on-error -output-directory $(PAGES_TMP) \
		derivations/seed_relu_frobenius_squared.tex > /dev/null
	rm -f derivations/images/seed-*.png
	pdftoppm -png -r 100 $(PAGES_TMP)/seed_relu_frobenius_squared.pdf derivations/images/seed

# The README's picture of the page (needs Debian's chromium: apt-get install chromium)
screenshot: $(TEST_STAMP)
	$(BIN)/python -m tests.screenshot derivations/images/serve.png

serve: $(DEMO_STAMP)
	$(BIN)/symderiv serve

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py --out bench/results.json
	$(BIN)/python bench/check_bench.py --out bench/check_results.json

# MathJax under node for tests/test_markdown_mathjax.py (the test runs this itself when
# node_modules is missing); the version is locked in tests/mathjax/package-lock.json
mathjax:
	cd tests/mathjax && npm ci --no-audit --no-fund

# The parser's LALR tables, computed ahead (symderiv/parse_tables.py): run after an edit of
# symderiv/grammar/latex.lark (a test fails until then).
tables: $(DEMO_STAMP)
	$(BIN)/python -m symderiv.parse_tables --write

clean:
	rm -rf $(VENV) build *.egg-info
