# Crosscheck: `make run` starts the dashboard, `make test` runs every test.
# Both set up what they need first: a virtual environment in .venv with the
# pinned packages and, when run as root, the Debian packages for browser
# tests and PDF reports.

VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)

.PHONY: run test setup system-deps bench clean

run: setup
	$(VENV)/bin/streamlit run app.py

test: setup
	$(VENV)/bin/pytest

setup: $(STAMP) system-deps

$(STAMP): requirements.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

bench: setup
	@for script in bench/bench_*.py; do echo "== $$script"; $(PYTHON) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
