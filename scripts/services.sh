#!/usr/bin/env bash
# Start, stop or describe a private PostgreSQL and Redis for the scale-out
# tests and the production recipe. Data lives under var/services; ports are
# chosen so they do not clash with system services.
#
#   scripts/services.sh start   # prints DATABASE_URL and REDIS_URL lines
#   scripts/services.sh stop
#   scripts/services.sh env     # the same lines, for eval
#
# THRESHOLD_REDIS_DEBUG=1 lets local clients use Redis's DEBUG command, which
# the fault tests (make chaos) use to freeze Redis; nothing else needs it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN=${THRESHOLD_SERVICES_DIR:-$ROOT/var/services}
PG_PORT=${THRESHOLD_PG_PORT:-55432}
REDIS_PORT=${THRESHOLD_REDIS_PORT:-56379}
PG_DATA=$RUN/pg
PG_SOCK=$RUN/pg-socket
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

env_lines() {
  echo "DATABASE_URL=postgres://threshold:threshold@127.0.0.1:$PG_PORT/threshold"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

start_pg() {
  if [ -z "$PG_BIN" ]; then echo "PostgreSQL is not installed (run scripts/install-system-deps.sh)" >&2; exit 1; fi
  mkdir -p "$RUN" "$PG_SOCK"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$RUN" "$PG_SOCK"; chmod 755 "$RUN"; fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
shared_buffers = 128MB
fsync = on
CONF
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$RUN/pg.log" -w -t 30 start >/dev/null
  fi
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAc \
    "SELECT 1 FROM pg_roles WHERE rolname='threshold'" | grep -q 1 ||
    as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc \
      "CREATE ROLE threshold LOGIN SUPERUSER PASSWORD 'threshold'"
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname='threshold'" | grep -q 1 ||
    as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc \
      "CREATE DATABASE threshold OWNER threshold"
}

start_redis() {
  command -v redis-server >/dev/null || { echo "Redis is not installed (run scripts/install-system-deps.sh)" >&2; exit 1; }
  mkdir -p "$RUN"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    local debug=()
    if [ "${THRESHOLD_REDIS_DEBUG:-0}" = 1 ]; then debug=(--enable-debug-command local); fi
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no "${debug[@]}" \
      --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" --dir "$RUN"
    for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  redis-cli -p "$REDIS_PORT" ping >/dev/null
}

stop_all() {
  if [ -n "$PG_BIN" ] && [ -f "$PG_DATA/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start_pg; start_redis; env_lines ;;
  stop) stop_all ;;
  env) env_lines ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
