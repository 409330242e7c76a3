# Signoff: `make` builds the acceptance package of $(DATA) into $(OUT); `make test` runs the test suite.
DATA ?= data
OUT ?= output
PYTHON ?= python3
JOBS ?=
PY := .venv/bin/python
READY := .venv/.ready

.PHONY: all build check test bundle diff clean bench calendar

all: build

$(READY): requirements.txt tools/setup-env
	@tools/setup-env $(PYTHON)
	@touch $@

build: $(READY)
	@$(PY) build.py build --data $(DATA) --out $(OUT) $(if $(JOBS),-j $(JOBS))

check: $(READY)
	@$(PY) build.py check --data $(DATA)

test: $(READY)
	@$(PY) -m pytest -q

bundle: $(READY)
	@$(PY) build.py bundle --data $(DATA) --out $(OUT) $(if $(ALLOW_DIRTY),--allow-dirty)

diff: $(READY)
	@$(if $(BASE),,echo "make diff: BASE=<rev> is required, e.g. make diff BASE=main" >&2; exit 2)
	@$(PY) build.py diff --base $(BASE) --data $(DATA)

calendar: $(READY)
	@$(PY) build.py calendar --data $(DATA) --out $(OUT)/

clean:
	rm -rf $(OUT)

bench: $(READY)
	@$(PY) bench/run $(BENCH)
