"""Benchmark: the app's peak resident memory with both bundled models, a 10,000-point map and
one training run (target, issue 13: under 1.5 GB).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_memory.py [--epochs 1]

Launches ``latent-explorer`` as a user would (the bundled AE and VAE open), opens the latent
explorer, asks for 10,000 map points (the map's t-SNE starts in its child), then starts a VAE
training run with the lab's settings on the full training set and lets it finish ``--epochs``
epochs. Every 0.1 s it sums the resident memory (RSS) of the app and of its children (the
training process, the t-SNE process). Prints the peak of that sum, the app's own peak and the
children's, with the CPU it ran on. RSS counts shared pages (libtorch's code) once per
process, so their sum overstates what the system spends; PSS splits each shared page between
the processes that map it, and its sum is what the machine really gives the app (Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, os, sys, time
import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QSpinBox, QTabWidget
app = QApplication([sys.argv[0]])
from explorer.app import build_window
import pyqtgraph as pg
epochs = int(os.environ["BENCH_EPOCHS"])
window = build_window([])
window.ask = lambda *args: 1  # at the end: stop and quit without saving
window.show()
me = psutil.Process()
peak = {"total": 0, "app": 0, "children": 0, "pss": 0}
ticks = [0]
by_child = {}
state = {"phase": "map", "since": time.time(), "epochs": 0}
window.training_run.epoch.connect(lambda _m: state.__setitem__("epochs", state["epochs"] + 1))
tabs = window.findChild(QTabWidget, "panelTabs")
for i in range(tabs.count()):
    if tabs.widget(i).findChild(pg.PlotWidget, "latentMap") is not None:
        tabs.setCurrentIndex(i)
        break
combo = window.findChild(QComboBox, "mapPointsCombo")
def map_points():
    plot = window.findChild(pg.PlotWidget, "latentMap")
    items = [i for i in plot.getPlotItem().items if isinstance(i, pg.ScatterPlotItem)]
    return max((len(i.data) for i in items), default=0)
def sample():
    app_rss = me.memory_info().rss
    children = 0
    for child in me.children(recursive=True):
        try:
            rss = child.memory_info().rss
            children += rss

            by_child[child.pid] = max(by_child.get(child.pid, 0), rss)
        except psutil.Error:
            pass
    peak["app"] = max(peak["app"], app_rss)
    peak["children"] = max(peak["children"], children)
    peak["total"] = max(peak["total"], app_rss + children)
    ticks[0] += 1
    if ticks[0] % 5 == 0:  # PSS (shared pages split between the processes that map them): slower to read
        pss = 0
        for process in [me] + me.children(recursive=True):
            try:
                pss += process.memory_full_info().pss
            except (psutil.Error, AttributeError):
                pass
        peak["pss"] = max(peak["pss"], pss)
def poll():
    sample()
    now = time.time()
    if state["phase"] == "map":
        if window.session.dataset is not None and combo.currentData() != 10000:
            combo.setCurrentIndex(combo.findData(10000))
        if map_points() >= 10000:
            state["phase"], state["map_s"] = "train", now - state["since"]
            window.findChild(QSpinBox, "epochsSpin").setValue(epochs)
            window.findChild(QPushButton, "startTrainingButton").click()
    elif state["phase"] == "train" and (state["epochs"] >= epochs or not window.training_run.is_running):
        state["phase"] = "done"
        print("BENCH " + json.dumps({**{k: v / 2**20 for k, v in peak.items()}, "map_s": state["map_s"],
                                      "epochs": state["epochs"],
                                      "each_child": sorted(round(v / 2**20) for v in by_child.values())}), flush=True)
        window.close()
        app.quit()
    if now - state["since"] > 900:
        print("BENCH " + json.dumps({"timeout": state["phase"]}), flush=True)
        app.quit()
timer = QTimer(interval=100)
timer.timeout.connect(poll)
timer.start()
app.exec()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1, help="epochs of the training run")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_tsne import cpu_description

    print("CPU:", cpu_description())
    env = dict(os.environ, PYTHONPATH=str(ROOT), BENCH_EPOCHS=str(args.epochs))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=1200)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            figures = json.loads(line[6:])
            if "timeout" in figures:
                print(f"timed out in phase {figures['timeout']}")
                return 2
            print(f"10,000-point map on screen {figures['map_s']:.1f} s after the window; "
                  f"then {figures['epochs']} epoch(s) of VAE training")
            print(f"peak RSS: app {figures['app']:.0f} MB, its children {figures['children']:.0f} MB, "
                  f"summed {figures['total']:.0f} MB")
            print(f"peak RSS of each child process (MB): {figures['each_child']}")
            print(f"peak PSS, app and children together: {figures['pss']:.0f} MB (target < 1536 MB)")
            return 0 if figures["pss"] < 1536 else 1
    print(f"no figures from the child (exit {out.returncode}): {out.stderr[-3000:]}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
