# The two commands: `make run` and `make test`. Everything else is a step they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PO_FILES := $(shell find commentsvc -name '*.po' -path '*/translations/*' 2>/dev/null)
MO_FILES := $(PO_FILES:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 8000
# bench/ may not exist yet on a fresh branch; ruff fails on a missing path.
LINT_DIRS := commentsvc tests $(wildcard bench)

.PHONY: run test venv translations lint format bench bench-isso clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ --statistics

translations: $(MO_FILES)

run: venv translations
	$(BIN)/commentsvc demo
	$(BIN)/commentsvc model ensure
	$(BIN)/commentsvc serve --host $(HOST) --port $(PORT) --workers 2

# SQLite pass (with the PostgreSQL- and Redis-specific tests when their URLs are set), then the
# whole suite again on PostgreSQL when COMMENTSVC_TEST_DATABASE_URL is set (as .ci/run does),
# without the browser tests, which add nothing there. In each pass the quick tests share the
# cores (pytest-xdist, a PostgreSQL database per worker); the slow ones (servers, browsers,
# concurrency, fault injection) run after them, alone, since they measure time under load.
TEST_WORKERS ?= auto
test: venv translations lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not slow" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)
	@if [ -n "$$COMMENTSVC_TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL ($$COMMENTSVC_TEST_DATABASE_URL)"; \
		export COMMENTSVC_TEST_BACKEND=postgresql; \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not slow and not browser and not postgres" \
			$(PYTEST_PG_ARGS) && \
		$(BIN)/python -m pytest -m "slow and not browser and not postgres" $(PYTEST_PG_ARGS); \
	else \
		echo "== PostgreSQL pass skipped: COMMENTSVC_TEST_DATABASE_URL is not set"; \
	fi

lint: venv
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)

format: venv
	$(BIN)/ruff check --fix $(LINT_DIRS)
	$(BIN)/ruff format $(LINT_DIRS)

# The reference server of the benchmark, in a virtual environment of its own; `make bench`
# runs without it (and says so) when it cannot be installed.
ISSO_VENV := bench/.isso-venv
$(ISSO_VENV)/bin/gunicorn:
	-$(PYTHON) -m venv $(ISSO_VENV) && $(ISSO_VENV)/bin/pip install --quiet 'isso==0.14.*' gunicorn

bench-isso: $(ISSO_VENV)/bin/gunicorn

bench: venv translations $(ISSO_VENV)/bin/gunicorn
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
