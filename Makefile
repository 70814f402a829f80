# Crosscheck: `make run` starts the dashboard, `make test` runs every test (`make test-fast`: all but the browser and multi-process ones).
# Both set up what they need first: a virtual environment in .venv with the
# project and its pinned packages (pyproject.toml, requirements.txt, requirements/*.txt) and,
# when run as root, the Debian packages for browser tests and PDF reports.

VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.txt requirements/*.txt | sha256sum | cut -c1-12)

.PHONY: run run-team test test-fast setup system-deps bench clean

run: setup
	@bash scripts/run.sh

# PostgreSQL, Redis, two workers and the dashboard on this machine, for a trial of the team set-up (docs/deploy.md).
run-team: setup
	@bash scripts/run-team.sh

test: setup
	$(VENV)/bin/pytest

# Everything but the browser tests and the tests that start other processes (pytest.ini's markers): for edits.
test-fast: setup
	$(VENV)/bin/pytest -m "not e2e and not processes"

setup: $(STAMP) system-deps

$(STAMP): pyproject.toml requirements.txt requirements/*.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --editable '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

bench: setup
	@for script in bench/bench_*.py; do name=$$(basename $$script .py); echo "== $$script"; $(PYTHON) -m bench.$$name || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
