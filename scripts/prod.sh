#!/usr/bin/env bash
# The production topology on one machine: PostgreSQL and Redis (private
# instances from scripts/services.sh), several uvicorn ASGI workers for the
# WebSockets (each supervised by gunicorn, which restarts it if it dies),
# gunicorn sync workers (WSGI) for the pages, and nginx in front: /ws/ and
# anonymous guidance pages (answered by the page cache front of config.asgi)
# to the ASGI workers, every other page to WSGI, static files itself. The
# split follows the page benchmarks (docs/benchmarks.md, "Pages").
#
#   scripts/prod.sh up     # start everything; prints the URL
#   scripts/prod.sh down   # stop everything
#   scripts/prod.sh status
#
# Settings: THRESHOLD_WORKERS (ASGI worker processes, default 2),
# THRESHOLD_PAGE_WORKERS (WSGI sync workers, default 2), THRESHOLD_PROD_PORT
# (default 8080), THRESHOLD_WORKER_BASE_PORT (default 8101; the ASGI workers
# take it and the ports after it), THRESHOLD_PAGE_PORT (default the base port
# minus one, for the WSGI page server), THRESHOLD_PROD_SEED=1 to load
# the demo data. The recipe serves plain HTTP on loopback; in a real
# deployment TLS terminates at the proxy and DJANGO_SECURE_COOKIES stays on.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PROD=${THRESHOLD_PROD_DIR:-$ROOT/var/prod}
WORKERS=${THRESHOLD_WORKERS:-2}
PORT=${THRESHOLD_PROD_PORT:-8080}
BASE_PORT=${THRESHOLD_WORKER_BASE_PORT:-8101}
PAGE_WORKERS=${THRESHOLD_PAGE_WORKERS:-2}
PAGE_PORT=${THRESHOLD_PAGE_PORT:-$((BASE_PORT - 1))}
PY=${PY:-$ROOT/.venv/bin/python}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

prod_env() {
  eval "$(bash scripts/services.sh env)"
  mkdir -p "$PROD"
  [ -f "$PROD/secret_key" ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$PROD/secret_key"
  export DATABASE_URL REDIS_URL
  export DJANGO_SETTINGS_MODULE=config.settings.production
  export DJANGO_SECRET_KEY; DJANGO_SECRET_KEY=$(cat "$PROD/secret_key")
  export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
  export DJANGO_CSRF_TRUSTED_ORIGINS=${DJANGO_CSRF_TRUSTED_ORIGINS:-http://127.0.0.1:$PORT,http://localhost:$PORT}
  export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_HSTS_SECONDS=0
  # nginx adds X-Forwarded-For: sign-in throttling counts the client behind it.
  export THRESHOLD_PROXY_COUNT=${THRESHOLD_PROXY_COUNT:-1}
  export STATIC_ROOT="$PROD/static" THRESHOLD_VAR_DIR="$PROD/var"
  export MAIL_BACKEND=${MAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}
  export WAGTAILADMIN_BASE_URL="http://127.0.0.1:$PORT"
}

write_nginx_conf() {
  mkdir -p "$PROD/nginx-temp"
  {
    echo "worker_processes 1;"
    echo "daemon on;"
    echo "pid $PROD/nginx.pid;"
    echo "error_log $PROD/nginx-error.log warn;"
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "  include /etc/nginx/mime.types;"
    echo "  access_log off;"
    echo "  client_body_temp_path $PROD/nginx-temp/body; proxy_temp_path $PROD/nginx-temp/proxy;"
    echo "  fastcgi_temp_path $PROD/nginx-temp/fastcgi; uwsgi_temp_path $PROD/nginx-temp/uwsgi; scgi_temp_path $PROD/nginx-temp/scgi;"
    echo "  client_max_body_size 10m;"
    echo "  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }"
    # Anonymous guidance reads (GET, no session or messages cookie, no query
    # string) go to the ASGI workers, whose page cache answers them on the
    # event loop; anything else on /guidance/ is a page like the others.
    echo "  map \"\$request_method:\$cookie_sessionid\$cookie_messages\$args\" \$guidance_upstream {"
    echo "    default threshold_pages; \"GET:\" threshold_asgi; \"HEAD:\" threshold_asgi; }"
    echo "  upstream threshold_asgi { least_conn;"
    for i in $(seq 0 $((WORKERS - 1))); do echo "    server 127.0.0.1:$((BASE_PORT + i)) max_fails=1 fail_timeout=2s;"; done
    echo "    keepalive 32; }"
    # Sync workers close every connection: no keepalive pool towards them.
    echo "  upstream threshold_pages { server 127.0.0.1:$PAGE_PORT; }"
    local proxied="proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto \$scheme;"
    echo "  server {"
    echo "    listen 127.0.0.1:$PORT;"
    echo "    location /static/ { alias $PROD/static/; add_header Cache-Control \"public, max-age=31536000, immutable\"; gzip_static on; }"
    echo "    location /ws/ { proxy_pass http://threshold_asgi; proxy_http_version 1.1;"
    echo "      proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection \$connection_upgrade;"
    echo "      $proxied proxy_read_timeout 3600s; }"
    echo "    location /guidance/ { proxy_pass http://\$guidance_upstream; proxy_http_version 1.1; proxy_set_header Connection \"\";"
    echo "      $proxied proxy_next_upstream error timeout; }"
    echo "    location / { proxy_pass http://threshold_pages; proxy_http_version 1.1; proxy_set_header Connection \"\";"
    echo "      $proxied proxy_next_upstream error timeout; }"
    echo "  }"
    echo "}"
  } > "$PROD/nginx.conf"
}

wait_for() {
  local url=$1
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.25
  done
  echo "Timed out waiting for $url" >&2
  return 1
}

up() {
  bash scripts/services.sh start >/dev/null
  prod_env
  "$PY" manage.py migrate --noinput >/dev/null
  "$PY" manage.py collectstatic --noinput >/dev/null
  if [ "${THRESHOLD_PROD_SEED:-0}" = "1" ]; then "$PY" manage.py seed_demo >/dev/null; fi
  for i in $(seq 0 $((WORKERS - 1))); do
    local port=$((BASE_PORT + i))
    if [ -f "$PROD/worker-$port.pid" ] && kill -0 "$(cat "$PROD/worker-$port.pid")" 2>/dev/null; then continue; fi
    # One supervised uvicorn worker per port (config/workers.py): gunicorn
    # imports the app once and replaces a crashed worker by forking again.
    "$PY" -m gunicorn config.asgi:application --preload --workers 1 \
      --worker-class config.workers.ThresholdWorker --bind "127.0.0.1:$port" \
      --backlog 4096 --graceful-timeout 10 --no-control-socket \
      --pid "$PROD/worker-$port.pid" --daemon --error-logfile "$PROD/worker-$port.log"
  done
  # The pages: gunicorn sync workers (WSGI), forked from a preloaded master.
  if ! { [ -f "$PROD/worker-pages.pid" ] && kill -0 "$(cat "$PROD/worker-pages.pid")" 2>/dev/null; }; then
    "$PY" -m gunicorn config.wsgi:application --preload --workers "$PAGE_WORKERS" \
      --worker-class sync --bind "127.0.0.1:$PAGE_PORT" --backlog 4096 --timeout 30 \
      --graceful-timeout 10 --no-control-socket \
      --pid "$PROD/worker-pages.pid" --daemon --error-logfile "$PROD/worker-pages.log"
  fi
  # A health check per process: each ASGI worker, then the page server.
  for i in $(seq 0 $((WORKERS - 1))); do wait_for "http://127.0.0.1:$((BASE_PORT + i))/healthz/"; done
  wait_for "http://127.0.0.1:$PAGE_PORT/healthz/"
  write_nginx_conf
  if [ -f "$PROD/nginx.pid" ] && kill -0 "$(cat "$PROD/nginx.pid")" 2>/dev/null; then
    "$NGINX" -c "$PROD/nginx.conf" -p "$PROD" -s reload
  else
    "$NGINX" -c "$PROD/nginx.conf" -p "$PROD"
  fi
  wait_for "http://127.0.0.1:$PORT/healthz/"
  echo "Threshold (production mode, $WORKERS ASGI workers, $PAGE_WORKERS WSGI page workers) on http://127.0.0.1:$PORT/"
}

down() {
  if [ -f "$PROD/nginx.pid" ]; then "$NGINX" -c "$PROD/nginx.conf" -p "$PROD" -s quit 2>/dev/null || true; rm -f "$PROD/nginx.pid"; fi
  local pids=()
  for pidfile in "$PROD"/worker-*.pid; do
    [ -f "$pidfile" ] || continue
    pids+=("$(cat "$pidfile")")
    kill "$(cat "$pidfile")" 2>/dev/null || true  # graceful: sockets closed with 1012
    rm -f "$pidfile"
  done
  for pid in "${pids[@]}"; do  # up to 15 s each, then kill
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  done
  bash scripts/services.sh stop
}

status() {
  for pidfile in "$PROD"/worker-*.pid "$PROD/nginx.pid"; do
    [ -f "$pidfile" ] || continue
    if kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "running: $(basename "$pidfile" .pid)"; else echo "dead: $(basename "$pidfile" .pid)"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
