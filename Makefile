# One command each: `make demo` (train the demo bot and chat) and `make test`.
# torch is installed first from the pinned CPU build; an unpinned torch pulls CUDA.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
NLUKIT := $(VENV)/bin/nlukit
TORCH  := torch==2.13.0

.PHONY: venv test test-fast demo demo-data demo-model serve lint clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[dev,server,bench]'
	touch $@

# pytest exits 5 when it collected nothing: that is a failure here, never green.
test: venv
	$(PY) -m pytest

test-fast: venv
	$(PY) -m pytest -m "not slow and not browser and not redis"

lint: venv
	$(VENV)/bin/ruff check nlukit tests bench

# The demo: generate the shipped domain, train it (a new version each run), chat in the terminal.
demo: demo-model
	$(NLUKIT) chat models/demo --scenarios scenarios/demo.toml

demo-data: venv
	$(NLUKIT) generate patterns/ dicts/ -o data/demo --seed 13 --force

# the bot to ship: the test split's patterns taught too (its figures are on valid)
demo-model: demo-data
	$(NLUKIT) train data/demo -o models/demo --force --include-test

# The same bot behind gunicorn with the web chat page at http://127.0.0.1:8000/
serve: demo-model
	$(NLUKIT) serve models/demo --scenarios scenarios/demo.toml

clean:
	rm -rf $(VENV) build *.egg-info data/demo models/demo
