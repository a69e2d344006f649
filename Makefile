# swift-cashews — quick start:  make demo   |   make test
SHELL := /bin/bash
#
# Both install what is missing (liblmdb-dev, libxxhash-dev, zlib1g-dev through apt-get on Debian/Ubuntu) before building.
# On other systems install LMDB, xxHash and zlib yourself first: `brew install lmdb xxhash` (macOS; zlib is in the SDK),
# `dnf install lmdb-devel xxhash-devel zlib-devel` (Fedora), `apk add lmdb-dev xxhash-dev zlib-dev` (Alpine).

SWIFT        ?= swift
SOURCES      := Sources Tests Examples Package.swift Fuzz/Package.swift Fuzz/Sources Benchmarks/Package.swift Benchmarks/Sources Benchmarks/Benchmarks Benchmarks/Macros
BUILD_LOG    := .build/make-build.log
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED  := .build/.apt-updated

.PHONY: all demo test build lint format deps clean help bench-compare bench bench-smoke bench-suites bench-cli bench-redis hitratio fuzz-smoke fuzz stress check-layers

all: build

help:
	@echo "make demo    run the quickstart example (twice: the second run finds what the first stored)"
	@echo "make test    build (no warnings allowed), run every test, lint the formatting"
	@echo "make lint    swift format lint --strict"
	@echo "make format  rewrite sources with swift format"
	@echo "make check-layers  build a Cashews-only client and check that it needs no disk engine nor swift-syntax"
	@echo "make bench         run every benchmark and regenerate BENCHMARKS.md with its plots (about 35 minutes at 5 runs)"
	@echo "make bench-smoke   every benchmark briefly (a few minutes), so that a broken harness fails CI"
	@echo "make bench-cli     time the cashews tool's export, check, import and keys on 1,000,000 entries"
	@echo "make bench-redis   the Redis backend against redis-benchmark on a server of its own"

## Dependencies -----------------------------------------------------------------------------------

# redis-server is for the Redis backend's tests only (each starts its own server on a free port).
deps:
	@if { pkg-config --exists lmdb libxxhash zlib 2>/dev/null \
		|| { [ -f /usr/include/lmdb.h ] && [ -f /usr/include/xxhash.h ] && [ -f /usr/include/zlib.h ]; }; } \
		&& command -v redis-server >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "==> installing liblmdb-dev libxxhash-dev zlib1g-dev redis-server (LMDB, xxHash, zlib; Redis for the tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liblmdb-dev libxxhash-dev zlib1g-dev redis-server; \
	else \
		echo "LMDB, xxHash or redis-server is missing and this is not a Debian/Ubuntu system: install it with your package manager"; \
		echo "  (brew install lmdb xxhash redis | dnf install lmdb-devel xxhash-devel zlib-devel redis | apk add lmdb-dev xxhash-dev zlib-dev redis), then re-run make."; \
		exit 1; \
	fi

## Build and run ----------------------------------------------------------------------------------

build: deps
	@mkdir -p .build
	@$(SWIFT) build --build-tests 2>&1 | tee $(BUILD_LOG) | grep -vE '^\[[0-9]+/[0-9]+\]' ; \
		status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || exit $$status
	@if grep -E "^$(CURDIR)/(Sources|Tests|Examples)/.*warning:" $(BUILD_LOG); then \
		echo "error: the build has warnings (listed above); the project builds warning-free"; exit 1; fi

demo: deps
	$(SWIFT) build --product Quickstart
	$(SWIFT) run --skip-build Quickstart
	$(SWIFT) run --skip-build Quickstart

# Lint first, so that the test runner's summary is the last line of the output.
test: build lint
	Scripts/check-layers.sh
	$(SWIFT) test --skip-build

# Builds a throwaway package that depends on the Cashews product alone and checks that no disk
# engine module (LMDB, DiskCache, their C modules) nor swift-syntax is compiled or linked for it.
check-layers:
	Scripts/check-layers.sh build

lint:
	$(SWIFT) format lint --strict -r $(SOURCES)

format:
	$(SWIFT) format format -i -r --parallel $(SOURCES)

clean:
	rm -rf .build

## Benchmarks -------------------------------------------------------------------------------------

bench-compare: deps
	python3 Benchmarks/Compare/compare.py $(BENCH_ARGS)

# Hit ratios of the real eviction code on the ARC paper's traces (long: the full grid takes about
# an hour on 2 cores; narrow it with HITRATIO_ARGS="--traces OLTP --sizes 1000").
hitratio: deps
	python3 Benchmarks/Compare/hitratio.py $(HITRATIO_ARGS)

# The `cashews` tool on 1,000,000 entries: import, export, check, keys (BENCH_ARGS="--entries N --runs N").
bench-cli: deps
	python3 Benchmarks/CLI/bench_cli.py $(BENCH_ARGS)

# The published benchmarks: every workload against its anchors, medians of 5 runs, BENCHMARKS.md and
# Benchmarks/results/*.png regenerated (BENCH_ARGS="--runs 3 --max-entries 1000000 --sections engine,facade").
bench: deps
	python3 Benchmarks/Compare/report.py $(BENCH_ARGS)

# Every workload of `make bench` once, on small caches, into Benchmarks/.build/bench-smoke (CI runs it).
bench-smoke: deps
	python3 Benchmarks/Compare/report.py --smoke

# The ordo-one/benchmark suites (wall clock, throughput and mallocs of the engine's calls).
bench-suites: deps
	cd Benchmarks && swift package benchmark --no-progress $(BENCH_ARGS)

# The Redis backend against redis-benchmark on a server of its own (BENCH_ARGS="--milliseconds N").
bench-redis: deps
	python3 Benchmarks/Redis/bench_redis.py $(BENCH_ARGS)

## Reliability ----------------------------------------------------------------------------------

# The multi-process stress and crash tests, long: STRESS_OPS operations per process (4
# processes), CRASH_ROUNDS rounds of two SIGKILLed writers.
STRESS_OPS ?= 50000
CRASH_ROUNDS ?= 100
stress: build
	CASHEWS_STRESS_OPS=$(STRESS_OPS) CASHEWS_CRASH_ROUNDS=$(CRASH_ROUNDS) $(SWIFT) test --skip-build --filter ReliabilityTests

## Fuzzing ----------------------------------------------------------------------------------------

fuzz-smoke: deps
	Fuzz/run.sh smoke $(FUZZ_SECONDS)

fuzz: deps
	Fuzz/run.sh $(TARGET) $(SECONDS)
