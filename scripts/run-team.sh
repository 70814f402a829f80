#!/usr/bin/env bash
# `make run-team`: the newsroom topology of docs/deploy.md on one machine, for a trial:
# PostgreSQL and Redis on loopback with their data in $CROSSCHECK_HOME/team, worker
# processes and the dashboard. Ctrl-C (or SIGTERM) stops all of them.
#
#   CROSSCHECK_TEAM_POSTGRES_PORT  PostgreSQL's port (default 55432, away from a system cluster's 5432)
#   CROSSCHECK_TEAM_REDIS_PORT     Redis's port (default 56379)
#   CROSSCHECK_TEAM_WORKERS        worker processes (default 2), each with CROSSCHECK_WORKERS threads
#   STREAMLIT_SERVER_ADDRESS / STREAMLIT_SERVER_PORT  the dashboard's address (default 127.0.0.1:8501)
#
# `make run-team` installs the Debian packages postgresql and redis-server first (as root,
# scripts/system-deps.sh). PostgreSQL refuses to run as root, so as root its cluster belongs
# to the `postgres` user the package creates.
set -euo pipefail
cd "$(dirname "$0")/.."

home=${CROSSCHECK_HOME:-$HOME/.local/share/crosscheck}
team=$home/team
pg_port=${CROSSCHECK_TEAM_POSTGRES_PORT:-55432}
redis_port=${CROSSCHECK_TEAM_REDIS_PORT:-56379}
workers=${CROSSCHECK_TEAM_WORKERS:-2}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
redis_bin=$(command -v redis-server || true)
if [ -z "$pg_bin" ] || [ -z "$redis_bin" ]; then
    echo "error: PostgreSQL and Redis are not installed (Debian packages postgresql and redis-server)." >&2
    echo "hint: run \`make run-team\` as root once, or install them with apt-get." >&2
    exit 1
fi

mkdir -p "$team/redis"
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
    as_postgres=(runuser -u postgres --)
    mkdir -p "$team/postgres"
    touch "$team/postgres.log"
    chown postgres: "$team/postgres" "$team/postgres.log"
    if ! runuser -u postgres -- test -x "$team/postgres"; then
        echo "error: the postgres user cannot reach $team (a folder above it is private, as /root is)." >&2
        echo "hint: choose a home it can reach, e.g. CROSSCHECK_HOME=/srv/crosscheck make run-team" >&2
        exit 1
    fi
fi

# First start: a cluster with a generated password (kept beside it, readable by this user only).
password_file=$team/postgres-password
if [ ! -s "$team/postgres/PG_VERSION" ]; then
    umask 077
    head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$password_file"
    umask 022
    pwfile=$(mktemp)
    cp "$password_file" "$pwfile"
    chmod 644 "$pwfile"  # initdb runs as postgres when we are root
    "${as_postgres[@]}" "$pg_bin/initdb" -D "$team/postgres" -U crosscheck --pwfile="$pwfile" \
        --auth-host=scram-sha-256 --auth-local=peer -E UTF8 >"$team/initdb.log"
    rm -f "$pwfile"
fi
password=$(cat "$password_file")

services_started=()
dashboard=""
worker_pids=()
stop_all() {
    trap - EXIT INT TERM
    set +e  # stop everything that can be stopped, whatever fails
    [ -n "$dashboard" ] && kill "$dashboard" 2>/dev/null
    for pid in "${worker_pids[@]}"; do kill -INT "$pid" 2>/dev/null; done  # finish the job in hand, then stop
    for pid in "${worker_pids[@]}"; do wait "$pid" 2>/dev/null; done
    [ -n "$dashboard" ] && wait "$dashboard" 2>/dev/null
    for service in "${services_started[@]}"; do
        case $service in
            redis) kill "$redis" 2>/dev/null; wait "$redis" 2>/dev/null ;;
            postgres) "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$team/postgres" -m fast -w stop >/dev/null 2>&1 ;;
        esac
    done
    echo "run-team: stopped (data kept in $team)" >&2
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# TCP on loopback only, no Unix socket (its default folder may not exist or be writable).
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$team/postgres" -l "$team/postgres.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null
services_started+=(postgres)
export PGPASSWORD=$password
if ! "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U crosscheck -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'crosscheck'" | grep -q 1; then
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U crosscheck crosscheck
fi
unset PGPASSWORD

# Append-only file on, so that queued tasks survive a restart of the trial.
"$redis_bin" --bind 127.0.0.1 --port "$redis_port" --dir "$team/redis" --appendonly yes \
    --logfile "$team/redis.log" &
redis=$!
services_started+=(redis)

export CROSSCHECK_HOME=$home
export CROSSCHECK_DATABASE_URL="postgresql://crosscheck:$password@127.0.0.1:$pg_port/crosscheck"
export CROSSCHECK_QUEUE_URL="redis://127.0.0.1:$redis_port/0"
export STREAMLIT_SERVER_ADDRESS=${STREAMLIT_SERVER_ADDRESS:-127.0.0.1}
for number in $(seq "$workers"); do
    .venv/bin/python -m core worker >"$team/worker-$number.log" 2>&1 &
    worker_pids+=($!)
done
echo "run-team: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port, $workers workers" \
     "(logs in $team), dashboard on http://$STREAMLIT_SERVER_ADDRESS:${STREAMLIT_SERVER_PORT:-8501}" >&2
.venv/bin/streamlit run app.py "$@" &
dashboard=$!
wait "$dashboard"
