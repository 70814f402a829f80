#!/usr/bin/env bash
# `make run`: the dashboard and a worker beside it (jobs go through the SQLite queue in
# CROSSCHECK_HOME, or CROSSCHECK_QUEUE_URL), both stopped together by Ctrl-C. A worker that
# dies (a job that ran it out of memory) is started again (scripts/supervise.sh).
#
#   STREAMLIT_SERVER_ADDRESS  the address the dashboard listens on (default 127.0.0.1: this machine
#                             only; README "Security" says how to let others in safely)
#   STREAMLIT_SERVER_PORT     its port (default 8501)
set -u
cd "$(dirname "$0")/.."
# Streamlit reads these itself; they are set here so that the address printed below is the one it uses.
export STREAMLIT_SERVER_ADDRESS=${STREAMLIT_SERVER_ADDRESS:-127.0.0.1}
export STREAMLIT_SERVER_PORT=${STREAMLIT_SERVER_PORT:-8501}
bash scripts/supervise.sh .venv/bin/python -m core worker &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM
echo "Crosscheck: dashboard on http://$STREAMLIT_SERVER_ADDRESS:$STREAMLIT_SERVER_PORT" >&2
.venv/bin/streamlit run app.py "$@"
