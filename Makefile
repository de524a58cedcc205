# make run   — set everything up in .venv and launch the app
# make test  — set everything up in .venv and run the test suite (headless)
# make bench — the training benchmark (the lab's pipeline vs ours, 10 epochs each)
# make screenshots — regenerate the README's screenshots (trains 3 epochs on the real data)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/latent-explorer $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) tests/benchmarks/bench_training.py --model both --epochs 10

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) tools/screenshots.py docs --epochs 3

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
