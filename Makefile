# The two set-up commands work on a fresh machine: each creates .venv when missing.
# `make demo` installs only what answering a question needs; `make test` adds the test
# tools and PyTorch (the [autodiff] extra, which the --compare autodiff tests use).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_STAMP := $(VENV)/.installed-demo
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test props derivations bench tables clean

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

bench: $(DEMO_STAMP)
	$(BIN)/python bench/run.py --out bench/results.json
	$(BIN)/python bench/check_bench.py --out bench/check_results.json

# The parser's LALR tables, computed ahead (symderiv/parse_tables.py): run after an edit of
# symderiv/grammar/latex.lark (a test fails until then).
tables: $(DEMO_STAMP)
	$(BIN)/python -m symderiv.parse_tables --write

clean:
	rm -rf $(VENV) build *.egg-info
