# The two commands of the README are `make book` and `make test`; everything else is optional.
SHELL := /bin/bash
VENV  := .venv/bin
BUILD ?= _build

.PHONY: setup book test bench lab pdf exercises-release clean constraints help

help:
	@echo "make book   - set up .venv and build the book strictly into $(BUILD)/html"
	@echo "make test   - set up .venv (and Debian chromium, bubblewrap) and run every test"
	@echo "make bench  - build and page timings, written to bench/results.md"
	@echo "make lab    - open the chapters in JupyterLab"
	@echo "make pdf    - the whole book as one PDF, $(BUILD)/book.pdf"

setup:
	@bash scripts/setup.sh

book: setup
	@$(VENV)/python -m trialkit.tooling.build

SEEDS ?= ../shared/seeds

test: setup
	@bash scripts/ensure-system-deps.sh
	@if [ -d "$(SEEDS)" ]; then $(VENV)/python -m trialkit.data check-quotes "$(SEEDS)"; \
	  else echo "quotes: no source texts at $(SEEDS); skipping the quote check (set SEEDS=DIR)"; fi
	@$(VENV)/python -m pytest

bench: setup
	@bash scripts/ensure-system-deps.sh
	@$(VENV)/python -m trialkit.tooling.bench

lab: setup
	@$(VENV)/python -m trialkit.tooling.lab

pdf: setup
	@bash scripts/ensure-system-deps.sh
	@$(VENV)/python -m trialkit.tooling.pdf

exercises-release: setup
	@$(VENV)/python -m trialkit.exercises release

constraints:
	@$(VENV)/python -m pip freeze --exclude-editable | grep -v -i '^trialkit' > constraints.txt

clean:
	rm -rf $(BUILD) bench
