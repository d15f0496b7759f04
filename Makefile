# make demo: install, then analyze the bundled example cluster.  make test: install, then run the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/kharkiv-2022-09

.PHONY: install demo test bench lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and explicitly: the local CPU build, not the registry's CUDA one.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,bench]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/storyline analyze examples/kharkiv-2022-09 --out $(OUT) --db $(OUT)/storyline.db

# pytest exits 5 when it collected no test: that is a failure here, like any other non-zero code.
test: install
	$(BIN)/ruff check src tests benchmarks scripts
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

bench: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check src tests benchmarks scripts

clean:
	rm -rf $(VENV) out .pytest_cache
