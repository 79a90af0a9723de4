# Quick start: `make serve` runs the server on its embedded defaults; `make test` runs every test.
# Both install what is missing first (Debian and PyPI packages, llama-server, the local model, the tokenizers' rank files and plotly.js, which
# are cached under $(PILLAR_CACHE) so a second run or a fresh clone on the same machine reuses them).

PILLAR_CACHE ?= $(HOME)/.cache/pillar
export PILLAR_CACHE
VENV := $(PILLAR_CACHE)/venv
PYTHON := $(VENV)/bin/python
STAMP := $(PILLAR_CACHE)/.setup-$(shell cat scripts/setup-system.sh scripts/setup-local-model.sh scripts/setup-tokenizers.sh scripts/setup-plotly.sh tests/python/requirements.txt | sha256sum | cut -c1-12)

.PHONY: setup samples build build-release serve test test-swift test-python format clean

setup: $(STAMP) samples

# Pillar's own documentation, which the chat page offers to load into a tenant that has no documents
# (retrieval.samplesDirectory). Copied every time, so the samples follow the docs.
samples:
	mkdir -p $(PILLAR_CACHE)/samples/pillar-docs
	rm -f $(PILLAR_CACHE)/samples/pillar-docs/*.md
	cp README.md docs/*.md $(PILLAR_CACHE)/samples/pillar-docs/

$(STAMP): scripts/setup-system.sh scripts/setup-local-model.sh scripts/setup-tokenizers.sh scripts/setup-plotly.sh tests/python/requirements.txt
	bash scripts/setup-system.sh
	bash scripts/setup-local-model.sh
	bash scripts/setup-tokenizers.sh
	bash scripts/setup-plotly.sh
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet -r tests/python/requirements.txt
	touch $@

# The release binary is built for this machine's CPU (see Package.swift); set PILLAR_TARGET_CPU= for a
# portable one.
PILLAR_TARGET_CPU ?= native
build-release: setup
	PILLAR_TARGET_CPU=$(PILLAR_TARGET_CPU) swift build -c release --product pillar
	PILLAR_TARGET_CPU=$(PILLAR_TARGET_CPU) swift build -c release --product pillar-load

serve: build-release
	.build/release/pillar serve $(ARGS)

build: setup
	swift build --build-tests

test: build
	swift format lint --strict --recursive Sources Tests Package.swift
	swift test --skip-build
	PILLAR_BIN=$(CURDIR)/.build/debug/pillar $(PYTHON) -m pytest -q -p no:cacheprovider tests/python

# Applies .swift-format to the tree; `make test` fails on code it would change.
format:
	swift format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build pillar-data
