# vrdndi — the two commands: `make demo` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ROOT := $(CURDIR)

# Local-first: no usage telemetry from MLflow and friends.
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1

# The demo keeps its own database and Dagster instance, so sample rows never mix with yours
# (DEMO_DIR=... puts them elsewhere; the tests do).
DEMO_DIR ?= $(ROOT)/data/demo
DEMO_ENV := VRDNDI_SOURCES=demo VRDNDI_DATA_DIR=$(DEMO_DIR) DAGSTER_HOME=$(DEMO_DIR)/dagster
LIVE_ENV := DAGSTER_HOME=$(ROOT)/data/dagster
# `dagster dev` warns on every start that `dg dev` (dagster-dg-cli, not installed) supersedes it
DEV_QUIET := PYTHONWARNINGS='ignore:Function `dev_command` is superseded'
DEMO_LOG := $(DEMO_DIR)/last-run.log

.PHONY: help install aw-server system-packages demo screenshots demo-ui demo-mlflow mlflow dev feed label demo-feed demo-label test test-fast lint fmt typecheck bench auth-youtube clean-demo

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing vrdndi and its pinned dependencies into $(VENV) (log: $(VENV)/install.log)"
	@{ $(BIN)/python -m pip install --quiet --upgrade pip && \
	   $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'; } > $(VENV)/install.log 2>&1 \
	   || { cat $(VENV)/install.log; exit 1; }
	@touch $@

install: $(VENV)/.installed ## create .venv and install vrdndi with its pinned dependencies

aw-server: ## install the real ActivityWatch server the tests start (own venv: .venv-aw)
	@PYTHON=$(PYTHON) scripts/install-aw-server.sh

data/%/dagster.yaml: configs/dagster-instance.yaml
	@mkdir -p $(@D) && cp configs/dagster-instance.yaml $@

$(DEMO_DIR)/dagster/dagster.yaml: configs/dagster-instance.yaml
	@mkdir -p $(@D) && cp configs/dagster-instance.yaml $@

data/dagster/dagster.yaml: configs/dagster-instance.yaml
	@mkdir -p $(@D) && cp configs/dagster-instance.yaml $@

demo: install $(DEMO_DIR)/dagster/dagster.yaml ## ingest, train and rank the bundled demo data; print the feed
	@$(DEMO_ENV) $(BIN)/vrdndi seed-demo-labels
	@$(DEMO_ENV) $(BIN)/vrdndi daily -c configs/demo-run.yaml --log-file $(DEMO_LOG)
	@echo
	@$(DEMO_ENV) $(BIN)/vrdndi summary | sed -n '/^The last training/,$$p'
	@echo
	@$(DEMO_ENV) $(BIN)/vrdndi feed --top 5
	@echo
	@echo "More of the feed: make demo-feed  (then http://127.0.0.1:8080)"
	@echo "Open the Dagster UI on the demo data: make demo-ui  (then http://127.0.0.1:3000)"
	@echo "Open MLflow on the demo's training runs: make demo-mlflow  (then the link it prints)"

screenshots: install ## pictures of the demo feed for docs/ (after make demo)
	$(BIN)/python scripts/feed_screenshots.py

demo-ui: install $(DEMO_DIR)/dagster/dagster.yaml ## dagster dev on the demo data, 127.0.0.1:3000
	$(DEMO_ENV) $(DEV_QUIET) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

demo-mlflow: install ## the MLflow UI on the demo's training runs, 127.0.0.1:5000
	@echo 'The runs, in the classic (non-GenAI) view: http://127.0.0.1:5000/#/experiments/1/runs?workflowType=machine_learning'
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(DEMO_DIR)/mlflow.db --host 127.0.0.1 --port 5000

mlflow: install ## the MLflow UI on your training runs, 127.0.0.1:5000
	@echo 'The runs, in the classic (non-GenAI) view: http://127.0.0.1:5000/#/experiments/1/runs?workflowType=machine_learning'
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(ROOT)/data/mlflow.db --host 127.0.0.1 --port 5000

dev: install data/dagster/dagster.yaml ## dagster dev on your data: UI, schedules and sensors, 127.0.0.1:3000
	$(LIVE_ENV) $(DEV_QUIET) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

feed: install ## the feed site (NiceGUI) on your data, http://127.0.0.1:8080
	$(BIN)/python -m vrdndi_ui.feed

label: install ## the labeller (Streamlit) for your Takeout history, http://127.0.0.1:8501
	$(BIN)/python -m vrdndi_ui.labeller

demo-feed: install ## the feed site on the demo data
	$(DEMO_ENV) $(BIN)/python -m vrdndi_ui.feed

demo-label: install ## the labeller on the demo data
	$(DEMO_ENV) $(BIN)/python -m vrdndi_ui.labeller

auth-youtube: install ## connect your YouTube account (OAuth in the browser)
	$(BIN)/vrdndi auth youtube

system-packages: ## PostgreSQL and Chromium for the tests (apt-get as root, else the command to run)
	@scripts/install-system-packages.sh

# The fast tier skips the slow tests (over ~1.5 s, or starting a server process), Chromium, the
# real PostgreSQL and aw-server, and MiniLM: VRDNDI_TESTS_NO_MINILM makes loading the bundled
# MiniLM fail, so a fast test cannot load it unnoticed (tests/conftest.py).
FAST_MARKERS := not slow and not minilm and not browser and not postgres and not activitywatch and not gpu
# Both tiers run on 2 pytest-xdist workers. worksteal: each worker starts on half of the tests
# (tests/conftest.py puts the files with slow tests first) and an idle one takes half of what the
# other has not started; --dist loadfile would start the largest files first and leave the
# 3-minute `dagster dev` file (2 tests) for last.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist worksteal

test: install aw-server system-packages ## lint and run the whole test suite (real aw-server, PostgreSQL, Chromium)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

test-fast: install ## the fast tests only: no servers, browser or MiniLM (under 2 minutes)
	VRDNDI_TESTS_NO_MINILM=1 $(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "$(FAST_MARKERS)"

lint: install ## ruff lint + format check, mypy on core/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install ## format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## benchmarks; figures go to data/bench.json (one: make bench ONLY=feed_diversity)
	$(BIN)/python -m bench --out data/bench.json $(ONLY)

clean-demo: ## forget the demo database and Dagster runs
	rm -rf $(DEMO_DIR)
