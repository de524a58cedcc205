# make run   — set everything up in .venv and launch the app
# make test  — set everything up in .venv and run the test suite (headless)
# make bench — the training benchmark (the lab's pipeline vs ours, 10 epochs each)
# make screenshots — regenerate the README's screenshots (trains 3 epochs on the real data)
# make translations — collect the interface's strings into the French .ts (lupdate), then build the .qm

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench screenshots translations clean

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

TS := resources/translations/latent_explorer_fr.ts
# pyqtgraph's own texts that our plots show: their context menus and the export dialog.
PYQTGRAPH = $(shell $(PY) -c "import importlib.util as u; print(u.find_spec('pyqtgraph').submodule_search_locations[0])")
PYQTGRAPH_UI = $(addprefix $(PYQTGRAPH)/, GraphicsScene/GraphicsScene.py GraphicsScene/exportDialogTemplate_generic.py \
	graphicsItems/ViewBox/ViewBoxMenu.py graphicsItems/ViewBox/axisCtrlTemplate_generic.py \
	graphicsItems/PlotItem/PlotItem.py graphicsItems/PlotItem/plotConfigTemplate_generic.py exporters/*.py)

# Translate the new entries of the .ts (Qt Linguist, or any editor) before committing both files.
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate explorer/*.py explorer/*/*.py $(PYQTGRAPH_UI) -tr-function-alias translate+=_translate \
		-no-obsolete -locations none -source-language en -target-language fr_FR -ts $(TS)
	$(VENV)/bin/pyside6-lrelease $(TS) -qm $(TS:.ts=.qm)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
