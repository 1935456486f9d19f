# Sunroster — every target creates and uses .venv, installing what it needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SCENARIO ?= scenarios/global-baseline.yaml
OUT     ?= out/baseline
TIME_LIMIT ?= 120

.PHONY: install demo test lint bench dashboard clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres,sweep]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sunroster validate $(SCENARIO)
	$(BIN)/sunroster solve $(SCENARIO) -o $(OUT) --time-limit $(TIME_LIMIT)
	$(BIN)/sunroster check $(SCENARIO) $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check optimizer dashboard tests data
	$(BIN)/ruff format --check optimizer dashboard tests data

bench: $(STAMP)
	$(BIN)/sunroster bench solve $(SCENARIO) --time-limit 300 --workers 2
	$(BIN)/sunroster bench scale --agents 100,400,1000,2000 --time-limit 300 --workers 2
	$(BIN)/sunroster bench curtois --instances 1-12 --time-limit 60 --workers 2
	$(BIN)/sunroster bench curtois --instances 13-19 --time-limit 600 --workers 2
	$(BIN)/sunroster bench curtois --instances 20-24 --time-limit 300 --workers 2
	$(BIN)/python -m optimizer.sweep.bench scenarios/dst-weekend.yaml --vary 'volume=-15%..+20%:5%' --time-limit 10 --parallel 2
	PYTHONPATH=. $(BIN)/python -m dashboard.bench $(SCENARIO) $(OUT) --browser
	$(BIN)/python -m pytest -q -m slow tests

dashboard: $(STAMP)
	$(BIN)/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true --server.maxUploadSize 25 -- $(SCENARIO)

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
