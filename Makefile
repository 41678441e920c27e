# The two commands of the README: `make run` and `make test`. Both install what they need.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
DATA ?= ./data
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)

.PHONY: all deps configure build run test clean format

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# `make run` serves and, beside it, runs `calypso demo`: a simulated Azure ML workspace
# (DEMO_BACKFILL of history at once, then DEMO_RATE pipeline runs a minute) so every view
# has data within the first minute. DEMO=0 serves alone. Ctrl-C stops both.
DEMO ?= 1
DEMO_BACKFILL ?= 2d
DEMO_RATE ?= 1
run: build
	@bin=$(BUILD_DIR)/src/app/calypso; \
	if [ "$(DEMO)" = 0 ]; then exec $$bin serve --data $(DATA) --listen $(LISTEN); fi; \
	$$bin serve --data $(DATA) --listen $(LISTEN) & server=$$!; demo=; \
	trap 'kill $$demo $$server 2>/dev/null; wait' INT TERM; \
	i=0; while [ ! -s $(DATA)/workspaces.json ]; do \
		kill -0 $$server 2>/dev/null && [ $$i -lt 600 ] || exit 1; i=$$((i+1)); sleep 0.1; \
	done; \
	$$bin demo --url http://$(LISTEN) --data $(DATA) --backfill $(DEMO_BACKFILL) --rate $(DEMO_RATE) & demo=$$!; \
	wait $$server; status=$$?; kill $$demo 2>/dev/null; wait; exit $$status

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 900

format:
	@clang-format -i $$(git ls-files 'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf build

# Benchmark beside ClickHouse, DuckDB and PostgreSQL (bench/README.md). Never part of `make test`.
ROWS ?= 1000000
.PHONY: bench
bench: build
	BENCH_COMMAND="make bench ROWS=$(ROWS)" /usr/bin/python3 bench/bench.py --rows $(ROWS)
