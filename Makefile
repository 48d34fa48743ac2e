# The two commands a new user needs: `make demo` and `make test`.
# Only python3, make and git are assumed; uv is bootstrapped from PyPI into .tools/.

UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
RUN := $(UV) run --frozen
# Trust the machine's own certificate store too (government networks often inspect TLS).
export UV_SYSTEM_CERTS := 1

.PHONY: demo serve test lint format messages clean eval-extract types-baseline

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

demo: .venv/.synced
	$(RUN) dxmonitor demo

serve: .venv/.synced
	$(RUN) dxmonitor serve

test: .venv/.synced
	$(RUN) python scripts/run_tests.py

lint: .venv/.synced
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports
	$(RUN) python scripts/check_types.py
	$(RUN) dxmonitor manage makemigrations --check --dry-run

# Rewrites mypy-baseline.txt to the errors left today (it may only shrink: see scripts/check_types.py).
types-baseline: .venv/.synced
	$(RUN) python scripts/check_types.py --update

format: .venv/.synced
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

# Scores `dxmonitor extract` on the seed articles with the evaluation kit kept beside the repository
# (../shared/seeds, ../shared/eval). A fresh clone has no ../shared: the target then says so and
# succeeds without scoring; SHARED=/path/to/shared points it elsewhere.
SHARED ?= ../shared
# The dev2 texts are third-party pages, fetched by hand as its README says, kept out of git.
DEV2_TEXTS ?= var/dev2

eval-extract: .venv/.synced
	@if [ -f "$(SHARED)/eval/score.py" ] && [ -d "$(SHARED)/seeds" ]; then \
	  mkdir -p var && \
	  $(RUN) dxmonitor extract $(SHARED)/seeds/*.txt --format jsonl > var/extract-seeds.jsonl && \
	  echo "seeds:" && \
	  python3 $(SHARED)/eval/score.py $(SHARED)/eval/seeds.gold.jsonl var/extract-seeds.jsonl; \
	else \
	  echo "eval-extract: skipped, $(SHARED)/eval/score.py not found (set SHARED=/path/to/shared)"; \
	fi
	@if [ -f "$(SHARED)/eval/dev2/gold.jsonl" ] && ls $(DEV2_TEXTS)/*.txt >/dev/null 2>&1; then \
	  $(RUN) dxmonitor extract $(DEV2_TEXTS)/*.txt --format jsonl > var/extract-dev2.jsonl && \
	  $(RUN) python scripts/gold_for_texts.py $(SHARED)/eval/dev2/gold.jsonl $(DEV2_TEXTS) > var/dev2-gold.jsonl && \
	  echo "dev2 ($$(ls $(DEV2_TEXTS)/*.txt | wc -l) of 30 texts in $(DEV2_TEXTS)):" && \
	  python3 $(SHARED)/eval/score.py var/dev2-gold.jsonl var/extract-dev2.jsonl --codes $(SHARED)/eval/dev2/codes.txt; \
	else \
	  echo "eval-extract: dev2 skipped, no texts in $(DEV2_TEXTS) (see $(SHARED)/eval/dev2/README.md)"; \
	fi

# Needs GNU gettext (Debian: gettext); the compiled .mo files are committed.
messages: .venv/.synced
	cd src/dxmonitor && $(abspath $(UV)) run --frozen dxmonitor manage makemessages -l vi -l en --no-obsolete
	cd src/dxmonitor && $(abspath $(UV)) run --frozen dxmonitor manage compilemessages

clean:
	rm -rf .venv .tools var test-artifacts .pytest_cache .ruff_cache .mypy_cache
