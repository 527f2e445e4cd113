# Backprop Workbook -- `make lab` opens the course, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: lab test lessons present bench check-python venv clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ is needed, found " + sys.version.split()[0])'

$(STAMP): requirements.txt pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)

lab: venv           ## set up and open the course in JupyterLab
	$(VENV)/bin/jupyter lab lessons/

test: venv          ## set up and run the whole test suite
	$(PY) -m pytest

lessons: venv       ## regenerate lessons/ (student versions) from solutions/
	$(PY) -m grader release

present: venv       ## serve the interactive explorers as a standalone page (Voila)
	$(VENV)/bin/voila presentation/explorers.ipynb

bench: venv         ## speed benchmarks (installs the peers: scikit-learn, PyTorch CPU)
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/train_speed.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
