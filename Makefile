# Backprop Workbook -- `make lab` opens the course, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: lab test lessons present bench check-python venv system-deps clean

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

test: venv system-deps  ## set up and run the whole test suite
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
