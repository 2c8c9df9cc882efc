# Thin wrapper: every target installs what is missing (Debian 12, root), configures and builds.
#   make demo   the headline what-if study on the shipped platforms
#   make test   the whole test suite through ctest
#   make asan   the suite again under AddressSanitizer + UBSan (CI runs it)
#   make bench  speed measurements (not part of the tests)
#   make fuzz   bounded fuzzing of the readers (FUZZ_SECONDS per target, default 60)
#   make install PREFIX=DIR   parsim, platform presets, calibrations, cost coefficients (default /usr/local)
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=

PREFIX     ?= /usr/local

.PHONY: all deps build demo test asan bench fuzz install clean
all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)/bin/parsim

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DPARSIM_SANITIZE=ON -DPARSIM_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && PARSIM_SANITIZED=1 ctest --output-on-failure -j $(JOBS)

bench: build
	@scripts/bench.sh $(BUILD)

fuzz: deps
	@scripts/fuzz.sh

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
