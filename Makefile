# Two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB ?= data/indicators.duckdb
PORT ?= 8501

.PHONY: run test install browser postgres demo bench lint format clean deck-tools

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# PNG, PowerPoint and the browser tests need Debian's chromium. As root on Debian it is
# installed with apt when missing; otherwise one line says what to install.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installerer chromium med apt-get (trengs for PNG, PowerPoint og nettlesertestene) ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Mangler chromium: installer Debians «chromium» (sudo apt-get install chromium) for PNG, PowerPoint og nettlesertestene."; fi

# The store tests also run on PostgreSQL (a throwaway cluster they start themselves, never
# skipped): Debian's server is installed with apt when missing, as chromium is above.
postgres:
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installerer postgresql med apt-get (trengs for testene av PostgreSQL-lageret) ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "Mangler PostgreSQL: installer Debians «postgresql» (sudo apt-get install postgresql) for testene."; fi

demo: $(STAMP)
	BOARD_DB=$(DB) $(PY) -m loaders demo --db $(DB)

run: demo browser
	BOARD_DB=$(DB) $(PY) dashboard.py --server.port $(PORT) --server.headless true

test: $(STAMP) browser deck-tools postgres
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q
	BOARD_TEST_BACKEND=postgres $(PY) -m pytest -q -m "not backend_free and not duckdb_file and not own_backends"

bench: $(STAMP)
	$(PY) -m loaders.bench
	$(PY) -m tests.bench_pages
	$(PY) -m analytics.bench_stats
	$(PY) -m tests.bench_servers

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) data/sample/out $(DB)

# The deck test renders slides with LibreOffice and poppler, and the slides measure text with
# DejaVu Sans (Debian packages): as root on Debian installed with apt when missing; otherwise
# one line says what to install.
deck-tools:
	@if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installerer LibreOffice, poppler og DejaVu-fonter med apt-get (trengs for lysbildetestene) ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-impress poppler-utils fonts-dejavu-core >/dev/null; \
	else echo "Mangler LibreOffice/poppler: installer Debians «libreoffice-impress poppler-utils fonts-dejavu-core» for lysbildetestene."; fi
