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

# Second pass: the store, ingest, jobs, search and web tests again against PostgreSQL (each test
# gets a throwaway cluster schema; see tests/pgbackend.py).
PG_TESTS := tests/store tests/test_ingest.py tests/jobs tests/search tests/web/test_web_app.py tests/scale tests/voices tests/context

test: system-deps install
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)
	LPOST_TEST_DB=postgresql $(PY) -m pytest -q -p no:cacheprovider -m "not browser" $(PG_TESTS) $(PYTEST_ARGS)

clean-demo:
	rm -rf $(DEMO_CASE)
