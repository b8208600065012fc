# Everyday commands for the GAN-on-MNIST tutorial series: set up, test, lint, open JupyterLab.
# `make test` is the one test command (README, CI); it creates .venv by itself on a fresh clone.

PYTHON_FOR_VENV ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
BACKENDS_INSTALLED := $(VENV)/.backends-installed
# Fast-mode runs write here, so they never overwrite the full-mode outputs committed in outputs/.
TEST_OUTPUTS := $(CURDIR)/outputs/test-run
# Debian's Chromium, for the browser test of notebook 05 (Playwright's own download cannot work here).
CHROMIUM := /usr/bin/chromium
# Node.js's npm, which installs ONNX Runtime Web for the static site (`make web`): the one on the
# PATH, else Debian's (installed by the rule below, as root).
NPM ?= $(or $(shell command -v npm),/usr/bin/npm)

.PHONY: setup backends check test lint lab tour studio web demo train train-fast benchmark clean

setup: $(INSTALLED)

# Re-installs only when pyproject.toml changes: a second `make setup` does nothing slow.
$(INSTALLED): pyproject.toml
	@$(PYTHON_FOR_VENV) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else f"Python 3.11-3.13 needed, found {v}; set PYTHON_FOR_VENV=python3.11")'
	$(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

# JAX and PyTorch, for KERAS_BACKEND=jax or torch (the tests use both); about 1.4 GB more.
backends: $(BACKENDS_INSTALLED)

$(BACKENDS_INSTALLED): $(INSTALLED)
	$(PYTHON) -m pip install --quiet -e ".[dev,jax,torch]"
	touch $(BACKENDS_INSTALLED)

$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ]; then echo "the browser test needs Debian's chromium: sudo apt-get install chromium"; exit 1; fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
		|| (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

$(NPM):
	@if [ "$$(id -u)" != 0 ]; then echo "the static site needs Node.js with npm: sudo apt-get install nodejs npm"; exit 1; fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs \
		|| (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs)
	command -v npm > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm

# Every test run is in fast mode, writing under $(TEST_OUTPUTS); the tiers are pytest markers
# (pyproject.toml, CONTRIBUTING.md). The TensorFlow runs use two worker processes (pytest-xdist),
# each taking whole files, so that one test's Python work overlaps another's computation: on 2
# cores that took 25-30% off their time. (JAX already keeps both cores busy on its own.)
PYTEST := CGAN_FAST=1 CGAN_OUTPUTS=$(TEST_OUTPUTS) $(PYTHON) -m pytest
IN_TWO_PROCESSES := -n 2 --dist loadfile

# The loop for every change: ruff, then the tests that need no process of their own, no long
# training, no browser and no network, on TensorFlow (under 2 minutes on 2 cores).
check: setup
	$(VENV)/bin/ruff check .
	$(PYTEST) $(IN_TWO_PROCESSES) -m "not slow and not browser and not network" --durations=10

# The whole suite (CI runs this): the `backend` tests on JAX and on PyTorch, then everything on
# TensorFlow with the notebooks in fast mode, ending with the slowest tests.
test: setup backends $(CHROMIUM) $(NPM)
	rm -rf $(TEST_OUTPUTS)
	$(VENV)/bin/ruff check .
	for backend in jax torch; do \
		KERAS_BACKEND=$$backend $(PYTEST) -m backend || exit 1; \
	done
	$(PYTEST) $(IN_TWO_PROCESSES) --nbval-lax --nbval-current-env --durations=15 \
		tests benchmarks notebooks

lint: setup
	$(VENV)/bin/ruff check .

# Digits from the shipped generator, and its metrics beside real data (well under a minute).
demo: setup
	$(PYTHON) -m cgan_lib demo

# The full reference recipe (30 epochs, about 3 hours on 2 CPU cores by its history.json).
# Interrupt it at any time: running `make train` again continues from the last completed epoch.
train: setup
	$(PYTHON) -m cgan_lib train

# The laptop recipe from scratch, then its scores: under ten minutes on 2 CPU cores (docs/laptop-recipe.md).
train-fast: setup
	$(PYTHON) -m cgan_lib train --recipe laptop
	$(PYTHON) -m cgan_lib evaluate --model outputs/models/laptop

benchmark: setup $(CHROMIUM)
	$(PYTHON) benchmarks/train_step.py
	$(PYTHON) benchmarks/train_step.py --laptop --steps 30 --repeats 9
	$(PYTHON) benchmarks/render_grid.py
	PYTHONPATH=tests $(PYTHON) benchmarks/studio_page.py
	PYTHONPATH=tests $(PYTHON) benchmarks/web_page.py

lab: setup
	$(VENV)/bin/jupyter lab notebooks

# The same notebooks in fast mode, a short tour of the series: small runs, outputs in
# outputs/fast-tour/ (the committed full-mode outputs stay as they are).
tour: setup
	CGAN_FAST=1 CGAN_OUTPUTS=$(CURDIR)/outputs/fast-tour $(VENV)/bin/jupyter lab notebooks

# The digit studio as a web page: apps/studio.ipynb through Voila, on this computer only, with
# the page template of apps/voila/templates/studio (it loads nothing from the internet).
STUDIO_PORT ?= 8866
studio: setup
	@echo "The digit studio: http://127.0.0.1:$(STUDIO_PORT)/ (Ctrl+C stops it)"
	@JUPYTER_PATH=$(CURDIR)/apps $(VENV)/bin/voila apps/studio.ipynb --template=studio \
		--no-browser --Voila.ip=127.0.0.1 --Voila.port=$(STUDIO_PORT) --Voila.port_retries=0 \
		--theme=light --VoilaConfiguration.show_tracebacks=False

# The digit studio as a static site in web/dist/, for any static host (`python -m http.server -d
# web/dist` serves it here): the page of web/src/, the laptop generator as ONNX, and the WebAssembly
# build of ONNX Runtime Web, installed from the npm registry as web/package-lock.json pins it.
SITE := web/dist
ONNX_RUNTIME := web/node_modules/onnxruntime-web/dist
ONNX_RUNTIME_FILES := ort.wasm.min.mjs ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm

web: $(SITE)/generator.onnx web/node_modules/.package-lock.json
	mkdir -p $(SITE)/ort
	cp web/src/* $(SITE)/
	cp $(addprefix $(ONNX_RUNTIME)/,$(ONNX_RUNTIME_FILES)) $(SITE)/ort/

web/node_modules/.package-lock.json: web/package.json web/package-lock.json | $(NPM)
	cd web && npm ci --ignore-scripts --no-audit --no-fund

$(SITE)/generator.onnx: cgan_lib/storage/shipped/laptop/generator.keras cgan_lib/studio/onnx_file.py | setup
	$(PYTHON) -m cgan_lib export --model laptop --format onnx --morph --out $@

clean:
	rm -rf $(VENV) $(TEST_OUTPUTS) $(SITE) web/node_modules
