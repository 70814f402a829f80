#!/usr/bin/env bash
# Run a command and start it again whenever it exits (a worker killed by a job that ran it out of
# memory, a crash), after CROSSCHECK_RESTART_DELAY seconds (default 5), until this script is stopped:
# SIGTERM or SIGINT stops the command too. `make run` (scripts/run.sh) supervises its worker this way.
set -u
delay="${CROSSCHECK_RESTART_DELAY:-5}"
child=""
stop() {
  if [ -n "$child" ]; then
    kill "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 0
}
trap stop INT TERM
while true; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  echo "supervise: '$*' exited with status $status; starting it again in ${delay}s" >&2
  sleep "$delay" &
  child=$!
  wait "$child"
done
