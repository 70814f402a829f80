#!/usr/bin/env bash
# `make run`: the dashboard and a worker beside it (jobs go through the SQLite queue in
# CROSSCHECK_HOME, or CROSSCHECK_QUEUE_URL), both stopped together by Ctrl-C. A worker that
# dies (a job that ran it out of memory) is started again (scripts/supervise.sh).
set -u
cd "$(dirname "$0")/.."
bash scripts/supervise.sh .venv/bin/python -m core worker &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM
.venv/bin/streamlit run app.py "$@"
