# Two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB ?= data/indicators.duckdb
PORT ?= 8501

.PHONY: run test install demo bench lint format clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	BOARD_DB=$(DB) $(PY) -m loaders demo --db $(DB)

run: demo
	BOARD_DB=$(DB) $(PY) dashboard.py --server.port $(PORT) --server.headless true

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m loaders.bench
	$(PY) -m tests.bench_pages
	$(PY) -m analytics.bench_stats

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) data/sample/out $(DB)
