# Backprop Workbook -- `make lab` opens the course, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: lab test lessons present bench check-python venv system-deps clean classroom classroom-env

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ is needed, found " + sys.version.split()[0])'

$(STAMP): requirements.txt pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)

lab: venv           ## set up and open the course in JupyterLab (no "Jupyter news?" popup: jupyterlab/overrides.json)
	@mkdir -p $(VENV)/share/jupyter/lab/settings && cp jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/
	$(VENV)/bin/jupyter lab $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) lessons/

system-deps:        ## the browser and sandbox the full test suite uses (Debian/Ubuntu, as root)
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "note:$$missing not installed; the browser/sandbox tests will fail until you install them"; \
	  fi; \
	fi

test: venv system-deps classroom-env  ## set up and run the whole test suite
	$(PY) -m pytest

lessons: venv       ## regenerate lessons/ (student versions) from solutions/
	$(PY) -m grader release

present: venv       ## serve the interactive explorers as a standalone page (Voila)
	$(VENV)/bin/voila presentation/explorers.ipynb

bench: venv         ## speed benchmarks (installs the peers: scikit-learn, PyTorch CPU)
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/train_speed.py
	$(PY) bench/widget_latency.py
	$(PY) bench/autograde_speed.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

# --- the classroom on JupyterHub (deploy/jupyterhub, README "Run a class on JupyterHub"); as root ---
CLASSROOM_PYTHON ?= /usr/bin/python3.11
CLASSROOM_VENV   ?= /opt/backprop-workbook/venv
CLASSROOM_STATE  ?= /srv/backprop-workbook
EXCHANGE         ?= /srv/nbgrader/exchange
ROSTER           ?= deploy/jupyterhub/roster.csv
INSTRUCTOR       ?= instructor
HUB_IP           ?= 127.0.0.1
HUB_PORT         ?= 8000
CHP              := deploy/jupyterhub/node_modules/.bin/configurable-http-proxy
CLASSROOM_STAMP  := $(CLASSROOM_VENV)/.bw-classroom-stamp
COURSE_FILES     := $(shell find helpers grader -type f -not -path '*/__pycache__/*' 2>/dev/null)

$(CHP): deploy/jupyterhub/package.json deploy/jupyterhub/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "classroom: npm and node >= 20 are needed for configurable-http-proxy (apt-get install nodejs npm)" >&2; exit 1; }
	cd deploy/jupyterhub && npm ci --no-audit --no-fund --loglevel=error
	@test -x $(CHP) || { echo "classroom: npm ci did not install $(CHP)" >&2; exit 1; }
	@touch $(CHP)

# The users' environment: a venv outside /root (mode 0700 there) from Debian's Python, with every
# requirement and a copy (not an editable link) of this checkout's helpers and grader packages.
$(CLASSROOM_STAMP): requirements.txt pyproject.toml deploy/jupyterhub/lab-overrides.json $(COURSE_FILES)
	@test -x $(CLASSROOM_PYTHON) || { echo "classroom: $(CLASSROOM_PYTHON) is missing (apt-get install python3.11-venv, or set CLASSROOM_PYTHON)" >&2; exit 1; }
	@test -x $(CLASSROOM_VENV)/bin/python || $(CLASSROOM_PYTHON) -m venv $(CLASSROOM_VENV)
	$(CLASSROOM_VENV)/bin/python -m pip install --quiet --upgrade pip 2>/dev/null
	grep -v '^-e ' requirements.txt > $(CLASSROOM_VENV)/requirements-classroom.txt
	$(CLASSROOM_VENV)/bin/python -m pip install --quiet -r $(CLASSROOM_VENV)/requirements-classroom.txt 2>&1 | grep -v "^WARNING: Location" || true
	@$(CLASSROOM_VENV)/bin/python -c 'import jupyterhub, nbgrader, numpy' || { echo "classroom: installing the users' environment failed (see above)" >&2; exit 1; }
	$(CLASSROOM_VENV)/bin/python -m pip install --quiet --no-deps --force-reinstall . 2>&1 | grep -v "^WARNING: Location" || true
	@$(CLASSROOM_VENV)/bin/python -c 'import helpers, grader.hub.exchange' || { echo "classroom: installing the course into $(CLASSROOM_VENV) failed" >&2; exit 1; }
	mkdir -p $(CLASSROOM_VENV)/share/jupyter/lab/settings
	cp deploy/jupyterhub/lab-overrides.json $(CLASSROOM_VENV)/share/jupyter/lab/settings/overrides.json
	chmod -R a+rX $(dir $(CLASSROOM_VENV))
	@touch $(CLASSROOM_STAMP)

classroom-env:      ## the classroom's components: configurable-http-proxy (npm) and the users' venv
	@if [ "$$(id -u)" != 0 ]; then echo "note: the classroom environment needs root (skipped); tests/hub will fail"; \
	else $(MAKE) --no-print-directory $(CHP) $(CLASSROOM_STAMP); fi

classroom: venv classroom-env  ## a local JupyterHub on $(HUB_IP):$(HUB_PORT) for the roster (as root)
	$(PY) -m grader hub setup --roster $(ROSTER) --instructor $(INSTRUCTOR) --state $(CLASSROOM_STATE) \
	    --venv $(CLASSROOM_VENV) --exchange $(EXCHANGE) --ip $(HUB_IP) --port $(HUB_PORT)
	cd $(CLASSROOM_STATE) && BW_CLASSROOM=$(CLASSROOM_STATE)/classroom.json \
	    $(CURDIR)/$(VENV)/bin/jupyterhub -f $(CURDIR)/deploy/jupyterhub/jupyterhub_config.py
