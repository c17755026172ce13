# make demo: set up and run the whole pipeline on the bundled samples, then serve the workbench.
# make test: set up and run the test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LPOST := $(VENV)/bin/lpost
DEMO_CASE ?= demo-case

.PHONY: demo test install system-deps clean-demo bench

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel
	$(PY) -m pip install -q -e '.[test,ray,postgres]'
	touch $@

install: $(VENV)/.installed

system-deps:
	bash scripts/system-deps.sh $(if $(MINIMAL),--minimal,)

demo: system-deps install
	bash scripts/demo.sh $(DEMO_CASE)

# Second pass: every test again with the cases in PostgreSQL (each case gets a throwaway schema of a
# temporary cluster; see tests/pgbackend.py), except the headless-browser ones.

test: system-deps install
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)
	LPOST_TEST_DB=postgresql $(PY) -m pytest -q -p no:cacheprovider -m "not browser" $(PYTEST_ARGS)

clean-demo:
	rm -rf $(DEMO_CASE)
