# Sunroster — every target creates and uses .venv, installing what it needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SCENARIO ?= scenarios/global-baseline.yaml
OUT     ?= out/baseline
TIME_LIMIT ?= 120

# extras the tests need: the run store, sweeps on Ray, the dashboard (`pip install sunroster` alone
# is the light core: validate, solve, check, export); exact releases from constraints.txt
EXTRAS  := test,store,sweep,dashboard

.PHONY: install demo test lint bench dashboard clean constraints

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]'
	$(BIN)/python -m optimizer.warm  # the solver's compiled kernels, cached once
	touch $(STAMP)

install: $(STAMP)

# after a deliberate upgrade in .venv: pin what is installed now (the project itself left out)
constraints: $(STAMP)
	{ sed -n '/^#/p' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -iv '^sunroster'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

demo: $(STAMP)
	$(BIN)/sunroster validate $(SCENARIO)
	$(BIN)/sunroster solve $(SCENARIO) -o $(OUT) --time-limit $(TIME_LIMIT)
	$(BIN)/sunroster check $(SCENARIO) $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check optimizer dashboard tests data
	$(BIN)/ruff format --check optimizer dashboard tests data

# BENCHMARKS.md, regenerated: every section rerun (hours), or `make bench SECTIONS=solve,scale`
# for some of them (the others re-rendered from bench/results/), `SECTIONS=none` to re-render only
bench: $(STAMP)
	$(BIN)/sunroster bench report --sections $(or $(SECTIONS),all) --scenario $(SCENARIO) --out $(OUT)

dashboard: $(STAMP)
	$(BIN)/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true --server.maxUploadSize 25 -- $(SCENARIO)

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
