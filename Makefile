# Backprop Workbook -- `make lab` opens the course, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: lab test lessons present bench check-python venv system-deps clean classroom classroom-env \
        classroom-setup classroom-start classroom-stop

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
CLASSROOM_GROUP  ?= bw-instructors
EXCHANGE         ?= /srv/nbgrader/exchange
COURSE           ?= backprop-workbook
ROSTER           ?= deploy/jupyterhub/roster.csv
INSTRUCTOR       ?= instructor
HOME_BASE        ?=
HUB_IP           ?= 127.0.0.1
HUB_PORT         ?= 8000
HUB_API_PORT     ?= 8081
PROXY_API_PORT   ?= 8001
CHP              := deploy/jupyterhub/node_modules/.bin/configurable-http-proxy
CLASSROOM_STAMP  := $(CLASSROOM_VENV)/.bw-classroom-stamp
COURSE_FILES     := $(shell find helpers grader -type f -not -path '*/__pycache__/*' 2>/dev/null)
HUB_CMD          := $(CURDIR)/$(VENV)/bin/jupyterhub -f $(CURDIR)/deploy/jupyterhub/jupyterhub_config.py
HUB_ENV          := cd $(CLASSROOM_STATE) && BW_CLASSROOM=$(CLASSROOM_STATE)/classroom.json
HUB_PID          := $(CLASSROOM_STATE)/hub/jupyterhub.pid
HUB_LOG          := $(CLASSROOM_STATE)/hub/jupyterhub.log

$(CHP): deploy/jupyterhub/package.json deploy/jupyterhub/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "classroom: npm and node >= 20 are needed for configurable-http-proxy (apt-get install nodejs npm)" >&2; exit 1; }
	cd deploy/jupyterhub && npm ci --no-audit --no-fund --loglevel=error
	@test -x $(CHP) || { echo "classroom: npm ci did not install $(CHP)" >&2; exit 1; }
	@touch $(CHP)

# The users' environment: a venv outside /root (mode 0700 there) from Debian's Python, with every
# requirement and a copy (not an editable link) of this checkout's helpers and grader packages.
# Only the venv is opened to every user, and the folders above it only for passing through.
$(CLASSROOM_STAMP): requirements.txt pyproject.toml deploy/jupyterhub/lab-overrides.json deploy/jupyterhub/open-venv.sh $(COURSE_FILES)
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
	sh deploy/jupyterhub/open-venv.sh $(CLASSROOM_VENV)
	@touch $(CLASSROOM_STAMP)

classroom-env:      ## the classroom's components: configurable-http-proxy (npm) and the users' venv
	@if [ "$$(id -u)" != 0 ]; then echo "note: the classroom environment needs root (skipped); tests/hub will fail"; \
	else $(MAKE) --no-print-directory $(CHP) $(CLASSROOM_STAMP); fi

classroom-setup: venv classroom-env  ## users, exchange, configuration, $(CLASSROOM_STATE)/classroom.json (as root)
	$(PY) -m grader hub setup --roster $(ROSTER) --instructor $(INSTRUCTOR) --state $(CLASSROOM_STATE) \
	    --venv $(CLASSROOM_VENV) --exchange $(EXCHANGE) --course $(COURSE) --group $(CLASSROOM_GROUP) \
	    $(if $(HOME_BASE),--home-base $(HOME_BASE)) --ip $(HUB_IP) --port $(HUB_PORT) \
	    --hub-port $(HUB_API_PORT) --proxy-api-port $(PROXY_API_PORT)

classroom: classroom-setup  ## a local JupyterHub on $(HUB_IP):$(HUB_PORT) in this terminal (as root)
	@echo "JupyterHub runs in this terminal (Ctrl-C stops it and every user's server); run the instructor's"
	@echo "commands (.venv/bin/grader hub ...) in a second root shell, or use make classroom-start / classroom-stop"
	$(HUB_ENV) $(HUB_CMD)

classroom-start: classroom-setup  ## the same JupyterHub in the background (log $(HUB_LOG), pid file $(HUB_PID))
	@if [ -f $(HUB_PID) ] && kill -0 $$(cat $(HUB_PID)) 2>/dev/null; then \
	  echo "classroom: JupyterHub already runs (pid $$(cat $(HUB_PID))); make classroom-stop first" >&2; exit 1; fi
	rm -f $(HUB_PID)
	($(HUB_ENV) setsid $(HUB_CMD) >>$(HUB_LOG) 2>&1 </dev/null &)
	@for i in $$(seq 60); do [ -s $(HUB_PID) ] && break; sleep 0.5; done; \
	test -s $(HUB_PID) || { echo "classroom: JupyterHub did not start (see $(HUB_LOG))" >&2; exit 1; }
	@echo "JupyterHub runs in the background on http://$(HUB_IP):$(HUB_PORT) (pid $$(cat $(HUB_PID)), log $(HUB_LOG)); make classroom-stop stops it"

classroom-stop:     ## stop the JupyterHub of classroom-start (and every user's server)
	@if [ ! -s $(HUB_PID) ]; then echo "classroom: no $(HUB_PID): nothing to stop"; exit 0; fi; \
	pid=$$(cat $(HUB_PID)); kill $$pid 2>/dev/null || { echo "classroom: JupyterHub (pid $$pid) was not running"; rm -f $(HUB_PID); exit 0; }; \
	for i in $$(seq 60); do kill -0 $$pid 2>/dev/null || break; sleep 0.5; done; \
	if kill -0 $$pid 2>/dev/null; then echo "classroom: JupyterHub (pid $$pid) still runs after 30 s" >&2; exit 1; fi; \
	rm -f $(HUB_PID); echo "JupyterHub (pid $$pid) stopped"
