# mixdist: the two commands of the README are `make run` and `make test`; everything else is a step of them.
BUILD_DIR ?= build
JOBS      ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps data configure build test run bench bench-python docs python format clean

all: build

deps:
	bash scripts/install-deps.sh

data: deps
	bash scripts/fetch-data.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: data build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The main job: a quick Mixed-Dirichlet VAE on MNIST (docs/experiments.md), its evaluation and report in
# $(RUN_DIR). Running it again resumes the run (a finished run is only re-evaluated).
RUN_DIR ?= runs/quick-mixed-dirichlet
run: data build
	$(BUILD_DIR)/mixdist info
	$(BUILD_DIR)/mixdist train vae --latent mixed-dirichlet --preset quick --out $(RUN_DIR) \
	  $$(test -f $(RUN_DIR)/config.json && echo --resume)
	$(BUILD_DIR)/mixdist eval $(RUN_DIR) --split test

bench: build
	$(BUILD_DIR)/bench/mixdist_bench --benchmark_counters_tabular=true $(BENCH_ARGS)

# The sparse maps from Python against torch.softmax and entmax's algorithms in PyTorch (python/bench/bench_maps.py,
# README "From Python"); e.g. PY_BENCH_ARGS="--shapes 1024x10 --maps sparsemax".
PYTHON ?= /usr/bin/python3
bench-python: python
	PYTHONPATH=$(BUILD_DIR)/python $(PYTHON) python/bench/bench_maps.py $(PY_BENCH_ARGS)

# The API reference (Doxygen) of the public headers, in $(BUILD_DIR)/docs/html/index.html.
docs: configure
	cmake --build $(BUILD_DIR) --target docs

# The PyTorch ops and the Python package, in $(BUILD_DIR)/python (PYTHONPATH=$(BUILD_DIR)/python).
python: configure
	cmake --build $(BUILD_DIR) --target mixdist_python -j $(JOBS)

format:
	git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
