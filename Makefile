# Signoff: `make` builds the acceptance package of $(DATA) into $(OUT); `make test` runs the test suite.
DATA ?= data
OUT ?= output
PYTHON ?= python3
JOBS ?=
PY := .venv/bin/python
READY := .venv/.ready

# Every value given on the command line reaches the shell as one quoted word, exactly as typed: never as shell
# text (`make diff BASE='HEAD; touch x'` runs nothing) and never expanded by make a second time (nor exported to
# the environment, which would expand it). BENCH is several options: each word quoted on its own.
unexport PYTHON DATA OUT JOBS BASE DIR LOCALE BENCH ALLOW_DIRTY
# A line break would end the recipe line inside the quotes and run the rest as a command: such a value is refused.
define newline


endef
no_break = $(if $(findstring $(newline),$(value $(1))),$(error $(1) holds a line break; give it on one line))
quote = $(call no_break,$(1))'$(subst ','\'',$(value $(1)))'
quote_each = $(call no_break,$(1))$(foreach w,$(value $(1)),'$(subst ','\'',$(w))')

.PHONY: all build check test bundle diff clean bench init formats fuzz calendar

all: build

$(READY): requirements.txt tools/setup-env
	@tools/setup-env $(call quote,PYTHON)
	@touch $@

build: $(READY)
	@$(PY) build.py build --data $(call quote,DATA) --out $(call quote,OUT) $(if $(value JOBS),-j $(call quote,JOBS))

check: $(READY)
	@$(PY) build.py check --data $(call quote,DATA)

test: $(READY)
	@[ -d tests ] || { echo "make test: no tests/ here (a project made by init); make check validates the data" >&2; \
	    exit 2; }
	@$(PY) -m pytest -q -n auto --dist loadfile --no-loadscope-reorder

fuzz: $(READY)
	@$(PY) -m pytest -q tests/test_generated.py --fuzz

bundle: $(READY)
	@$(PY) build.py bundle --data $(call quote,DATA) --out $(call quote,OUT) $(if $(value ALLOW_DIRTY),--allow-dirty)

diff: $(READY)
	@$(if $(value BASE),,echo "make diff: BASE=<rev> is required, e.g. make diff BASE=main" >&2; exit 2)
	@$(PY) build.py diff --base $(call quote,BASE) --data $(call quote,DATA)

init: $(READY)
	@$(if $(value DIR),,echo "make init: DIR=<folder> is required, e.g. make init DIR=../my-project LOCALE=en" >&2; exit 2)
	@$(PY) build.py init $(call quote,DIR) $(if $(value LOCALE),--locale $(call quote,LOCALE))

formats: $(READY)
	@$(PY) tools/write-formats

calendar: $(READY)
	@$(if $(value OUT),,echo "make calendar: OUT is empty (the calendar goes into OUT/)" >&2; exit 2)
	@$(PY) build.py calendar --data $(call quote,DATA) --out $(call quote,OUT)/

clean:
	rm -rf -- $(call quote,OUT)

bench: $(READY)
	@$(PY) bench/run $(call quote_each,BENCH)
