# expectedwrong: every command a writer or CI needs. Each target sets up
# .venv from the lock files first, so a fresh clone needs only Python 3.11+.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes
ADDR ?= 127.0.0.1:8000
# The site builder: MkDocs 1.6.1, or ProperDocs, its maintained fork, which
# builds this blog byte for byte the same (README, Longevity; installed by the
# dev setup): make build MKDOCS=.venv/bin/properdocs
MKDOCS ?= $(BIN)/mkdocs
# Pelican, the peer `make bench` compares with, in an environment of its own
# (requirements-pelican.in says why).
PELICAN := $(VENV)/pelican

# Material 9.7+ prints an end-of-life banner on every run (see README).
export NO_MKDOCS_2_WARNING := 1
# Hooks are re-read on every rebuild under `make serve`; never from stale bytecode.
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: serve build post test bench lint lock clean

## serve: preview the blog at http://$(ADDR) with live reload;
serve: $(VENV)/.site
	$(MKDOCS) serve --dev-addr $(ADDR) --livereload

## build: build the site strictly into site/
build: $(VENV)/.site
	$(MKDOCS) build --strict --clean

## post: start a draft post, e.g. make post TITLE="Some Title"
# TITLE reaches the script through the environment (make exports command-line
# variables), so quotes and apostrophes in a title need no escaping.
export TITLE
post: $(VENV)/.site
	@$(BIN)/python scripts/new_post.py

## test: run the whole suite (unit, build and browser tests)
test: $(VENV)/.dev $(PELICAN)/.installed node_modules/.installed
	scripts/ensure-chromium
	scripts/ensure-java
	scripts/ensure-ocr
	$(BIN)/ruff check hooks tests benchmarks scripts
	$(BIN)/python -m pytest

## bench: time builds of 10 to 10,000 synthetic posts, ours against stock Material
##        and Pelican, cold and warm; saves under serve; the exactness test with
##        300 edits; cards and images; writes benchmarks/results/ (about 45 minutes)
bench: $(VENV)/.dev $(PELICAN)/.installed
	$(BIN)/python benchmarks/bench.py

## lock: regenerate the lock files from requirements*.in
lock: $(VENV)/.dev
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip-tools
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url -o requirements.txt requirements.in
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url -o requirements-dev.txt requirements-dev.in
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url -o requirements-pelican.txt requirements-pelican.in

clean:
	rm -rf site $(VENV) test-output node_modules .cache

$(VENV)/.site: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	touch $@

# Node test tools, exactly as locked; install scripts are not needed (vnu-jar
# ships its jar) and would try to download.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(VENV)/.dev: $(VENV)/.site requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	touch $@

$(PELICAN)/.installed: $(VENV)/.site requirements-pelican.txt
	test -x $(PELICAN)/bin/python || $(PYTHON) -m venv $(PELICAN)
	$(PELICAN)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements-pelican.txt
	touch $@
