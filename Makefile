# Threshold: `make run` serves the demo; `make test` runs everything CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.13 2>/dev/null || command -v python3)
VENV := .venv
LRS_VENV := .venv-lrs
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
FUZZ_SECONDS ?= 300
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help run setup test lint check audit fuzz pytest lrs test-scaleout test-chaos-short chaos bench system-deps services-up services-down prod-up prod-down clean

help:
	@echo "make run    set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   set up and run every check and test (what CI runs)"
	@echo "make bench  run the benchmarks and the load ladder; record them in docs/benchmarks.md"
	@echo "make audit  pip-audit the pinned dependencies and bandit the code"
	@echo "make fuzz   fuzz the WebSocket frame parser for FUZZ_SECONDS (default 300)"
	@echo "make chaos  the fault tests: restarts, reconnect storm, page publishing, impaired"
	@echo "            network, CPU and memory pressure, Redis loss, PostgreSQL stall"
	@echo "make prod-up / prod-down   PostgreSQL + Redis + ASGI and WSGI workers behind nginx"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else 1)' || { \
	  echo "Threshold needs Python 3.13 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.13 (pyenv reads .python-version) or run: make PYTHON=/path/to/python3.13"; \
	  exit 1; }
	@mkdir -p $(VENV) && touch $@

$(VENV)/.installed: requirements.txt $(VENV)/.python-ok
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.txt
	@touch $@

# The learning record store the xAPI tests send statements to (ralph), in its
# own virtualenv because its pins are not Threshold's.
$(LRS_VENV)/.installed: requirements-lrs.txt $(VENV)/.installed
	@test -x $(LRS_VENV)/bin/python || $(PYTHON) -m venv $(LRS_VENV)
	$(VENV)/bin/uv pip install --quiet --python $(LRS_VENV)/bin/python -r requirements-lrs.txt
	@touch $@

lrs: $(LRS_VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

site/static/dist/threshold.css: node_modules/.installed site/frontend/build.mjs $(wildcard site/frontend/scss/*.scss)
	npm run --silent build

setup: $(VENV)/.installed site/static/dist/threshold.css
	$(MANAGE) migrate --noinput

run: setup
	$(MANAGE) seed_demo
	@echo "Serving Threshold on http://$(HOST):$(PORT) (Ctrl-C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT) --noreload

system-deps:
	bash scripts/install-system-deps.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy --strict simulations/engine

check: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run --noinput
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=check-deploy-only-$$(date +%s)-a7Vq3LmZ9xTr2WpK8yBn5HsJ4dFg6CkE \
	  DJANGO_ALLOWED_HOSTS=threshold.example $(MANAGE) check --deploy --fail-level WARNING

audit: $(VENV)/.installed
	$(PY) scripts/audit.py

fuzz: $(VENV)/.installed
	@mkdir -p var/fuzz/corpus
	$(PY) fuzz/protocol_fuzzer.py var/fuzz/corpus fuzz/corpus -dict=fuzz/protocol_fuzzer.dict \
	  -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -artifact_prefix=var/fuzz/

pytest: system-deps setup lrs
	$(PY) -m pytest -m "not scaleout and not chaos" --ignore=tests/benchmarks $(PYTEST_ARGS)

# The scale-out stage, with the Redis and PostgreSQL fault tests (B4, B5) in
# their CI form: Redis allows DEBUG from loopback for B4's DEBUG SLEEP.
test-scaleout: system-deps $(VENV)/.installed
	@trap 'bash scripts/services.sh stop' EXIT; \
	eval "$$(THRESHOLD_REDIS_DEBUG=1 bash scripts/services.sh start)"; \
	export DATABASE_URL REDIS_URL; \
	$(PY) -m pytest -p no:randomly tests/scaleout tests/test_healthz.py tests/simulations/test_consumers.py tests/content/test_search.py \
	  tests/chaos/test_redis_loss.py tests/chaos/test_postgres_stall.py $(PYTEST_ARGS)

# The fault tests (docs/security-tests.md, "Fault tests"): the SQLite ones on
# their own, then the scale-out ones on a private PostgreSQL and a Redis that
# allows DEBUG from loopback (DEBUG SLEEP freezes it).
chaos: system-deps $(VENV)/.installed
	$(PY) -m pytest -p no:randomly -s -m "chaos and not scaleout" tests/chaos $(PYTEST_ARGS)
	@trap 'bash scripts/services.sh stop' EXIT; \
	eval "$$(THRESHOLD_REDIS_DEBUG=1 bash scripts/services.sh start)"; \
	export DATABASE_URL REDIS_URL; \
	$(PY) -m pytest -p no:randomly -s -m "chaos and scaleout" tests/chaos $(PYTEST_ARGS)

# The short forms of the SQLite-side fault tests (B2, B3, B6, B8, B10): fewer
# rooms and shorter phases (CHAOS_SHORT=1), the same faults and assertions.
# B8 needs root for its network namespace and skips, saying so, without it.
test-chaos-short: system-deps $(VENV)/.installed
	CHAOS_SHORT=1 $(PY) -m pytest -p no:randomly -s -m "chaos and not scaleout" tests/chaos $(PYTEST_ARGS)

test: lint check audit pytest test-scaleout test-chaos-short
	@echo "All checks and tests passed."

# Every benchmark under tests/benchmarks, the load ladder among them (A1 held
# sockets, A2 fan-out against stock Channels, A3 votes, A4 pages ASGI against
# WSGI, A5 mixed, A7 scale-out): each area's rows, then one dated "Load ladder"
# table in docs/benchmarks.md with its chart in docs/images/. Shorter or longer
# runs through the environment: BENCH_SECONDS (ladder step, default 15),
# BENCH_HOLD_SECONDS (A1, 60), BENCH_PAGE_SECONDS (A4, 10 per form and server),
# BENCH_MIXED_SECONDS (A5, 20), BENCH_FANOUT_RATES, BENCH_VOTE_RATES. About 25-30
# minutes in all on a quiet machine (an estimate from the parts; not yet timed whole).
bench: system-deps setup
	$(PY) -m pytest tests/benchmarks -p no:randomly -s $(PYTEST_ARGS)

prod-up: system-deps $(VENV)/.installed site/static/dist/threshold.css
	bash scripts/prod.sh up

prod-down:
	bash scripts/prod.sh down

clean:
	rm -rf var test-results .pytest_cache .ruff_cache .mypy_cache site/static/dist
