# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501

RAW    ?= data/raw
MARTS  ?= data/marts
STATE  ?= data/state

.PHONY: run test bench install constraints demo-data pipeline dashboard lint screenshots clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (looked for $(PYTHON))"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## pin every package pyproject.toml needs (with the dev extra) to what the resolver picks
constraints: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --custom-compile-command "make constraints" -o constraints.txt

## make demo data only when the landing zone is empty
demo-data: $(STAMP)
	@if [ -z "$$(ls -A $(RAW) 2>/dev/null)" ]; then \
	  echo "No extracts in $(RAW): generating demo data"; \
	  $(PY) -m pipelines demo-data --raw-dir $(RAW); \
	else echo "Extracts found in $(RAW): keeping them"; fi

pipeline: demo-data
	$(PY) -m pipelines run --raw-dir $(RAW) --marts-dir $(MARTS) --state-dir $(STATE)

dashboard: $(STAMP)
	CX_MARTS_DIR=$(MARTS) $(PY) -m streamlit run dashboard/app.py --server.port $(PORT) --server.headless true

run: pipeline dashboard

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(PY) -m tools.bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .

screenshots: $(STAMP)
	$(PY) -m tools.screenshots

clean:
	rm -rf $(VENV) build .pytest_cache
