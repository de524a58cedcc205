"""Benchmark: the app's peak memory with both bundled models, a 10,000-point map and one training run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_memory.py [--epochs 1]

A fresh interpreter builds the main window (the bundled AE and VAE open), asks the latent explorer
for a t-SNE map (openTSNE) of 10,000 test images, and once those points are on the map starts
training a new VAE from the training panel (``--epochs``, full training set) while the map forms.
Every 0.25 s it adds up the memory of the app's process and its children (the training child, the
t-SNE child). Prints the peaks of the sum of PSS (each shared page counted once, split between the
processes sharing it: the figure that adds up) and of RSS (shared libraries counted in every
process: an upper bound), and the GUI process's own peak. Target (issue 13): under 1.5 GB.
Everything is found through design.md's object names, so it survives refactors of the panels.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tsne import cpu_description  # noqa: E402

CHILD = r"""
import json, os, sys, time
import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QSpinBox, QTabWidget
import pyqtgraph as pg
app = QApplication([sys.argv[0]])
from explorer.app import build_window
window = build_window([])
window.resize(1920, 1080)
window.show()
me = psutil.Process()
peak = {"pss_mb": 0.0, "rss_mb": 0.0, "gui_rss_mb": 0.0, "processes": 0}
phase = {"name": "start", "since": time.time(), "trained": False}
epochs = int(os.environ["BENCH_EPOCHS"])

def find(kind, name):
    return window.findChild(kind, name)

def map_points():
    plot = find(pg.PlotWidget, "latentMap")
    items = [i for i in plot.getPlotItem().items if isinstance(i, pg.ScatterPlotItem)] if plot else []
    return max((len(i.data) for i in items), default=0)

def choose(combo, wanted):
    for i in range(combo.count()):
        if wanted(combo.itemText(i), combo.itemData(i)):
            combo.setCurrentIndex(i)
            return True
    return False

def sample():
    pss = rss = 0.0
    procs = [me] + me.children(recursive=True)
    for p in procs:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss += getattr(info, "pss", info.rss) / 2**20
        rss += info.rss / 2**20
    peak["pss_mb"] = max(peak["pss_mb"], pss)
    peak["rss_mb"] = max(peak["rss_mb"], rss)
    peak["gui_rss_mb"] = max(peak["gui_rss_mb"], me.memory_info().rss / 2**20)
    peak["processes"] = max(peak["processes"], len(procs))

def step():
    sample()
    now = time.time()
    start = find(QPushButton, "startTrainingButton")
    stop = find(QPushButton, "stopTrainingButton")
    if phase["name"] == "start" and start is not None and start.isEnabled():
        tabs, plot = window.findChild(QTabWidget), find(pg.PlotWidget, "latentMap")
        tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.widget(i).isAncestorOf(plot)))
        choose(find(QComboBox, "mapPointsCombo"), lambda text, data: data == 10_000)
        choose(find(QComboBox, "mapMethodCombo"), lambda text, data: "t-SNE" in text and "scikit" not in text)
        phase.update(name="map", since=now)
    elif phase["name"] == "map" and map_points() >= 10_000:
        kind = find(QComboBox, "modelKindCombo")
        choose(kind, lambda text, data: "VAE" in text)
        find(QSpinBox, "epochsSpin").setValue(epochs)
        start.click()
        phase.update(name="training", since=now)
    elif phase["name"] == "training" and stop is not None and stop.isEnabled():
        phase["trained"] = True
    elif phase["name"] == "training" and phase["trained"] and stop is not None and not stop.isEnabled():
        phase.update(name="after", since=now)
    elif phase["name"] == "after" and now - phase["since"] > 20 or now - phase["since"] > 1800:
        peak["phase"] = phase["name"]
        print("BENCH " + json.dumps(peak), flush=True)
        window.close()
        app.quit()

timer = QTimer(interval=250)
timer.timeout.connect(step)
timer.start()
app.exec()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(f"CPU: {cpu_description()}")
    env = dict(os.environ, PYTHONPATH=str(ROOT), BENCH_EPOCHS=str(args.epochs))
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=2400)
    figures = next((json.loads(line[6:]) for line in out.stdout.splitlines() if line.startswith("BENCH ")), None)
    if figures is None:
        print(f"no figures from the app (exit {out.returncode}): {out.stderr[-3000:]}")
        return 1
    if figures.pop("phase") != "after":
        print("warning: the run did not reach its end within 30 minutes; peaks so far")
    print(
        f"peak memory of the app and its {figures['processes'] - 1} children: "
        f"PSS {figures['pss_mb']:.0f} MB (target < 1,536 MB), RSS {figures['rss_mb']:.0f} MB; "
        f"the GUI process alone: RSS {figures['gui_rss_mb']:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
