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

run: build
	$(BUILD_DIR)/src/app/calypso serve --data $(DATA) --listen $(LISTEN)

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
