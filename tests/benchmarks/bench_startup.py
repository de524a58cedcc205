"""Benchmark: time to first use of ``latent-explorer``, from a fresh Python process.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_startup.py --rounds 3

Each round launches a new interpreter that starts the main window as ``latent-explorer`` does
(``explorer.app.start_window``: the window's frame first, its panels once PyTorch is imported
on a thread) with the given arguments, opens the latent explorer's tab as soon as it exists (a
map forms only where it is shown), and reports, in seconds after the launch: (a) the window
shown and its first frame painted (title, menus to come, the tabs, "Loading PyTorch…"), the
panels built, (c) the training panel able to start (``startTrainingButton`` enabled), (b) the
latent map of the current model holding points, plus the process's peak RSS.
It finds everything through design.md's object names, so it survives refactors of the panels.
Targets (issue 13): (a) ≤ 1.5 s on a warm machine, (b) ≤ 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, os, resource, sys, time
launched = float(os.environ["BENCH_LAUNCHED"])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QTabWidget
app = QApplication([sys.argv[0]])
from explorer.app import start_window
window = start_window(json.loads(os.environ["BENCH_ARGS"]))  # as latent-explorer does
marks = {}
opened = [False]
def map_points():
    import pyqtgraph as pg  # once the panels are built: imported by then
    plot = window.findChild(pg.PlotWidget, "latentMap")
    if plot is None:
        return 0
    items = [i for i in plot.getPlotItem().items if isinstance(i, pg.ScatterPlotItem)]
    return max((len(i.data) for i in items), default=0)
def poll():
    now = time.time() - launched
    marks.setdefault("window", now)  # the first turn of the event loop: the frame shown and painted
    if not window.built:
        return
    marks.setdefault("panels", now)
    if not opened[0]:  # the user opens the latent explorer
        import pyqtgraph as pg
        opened[0] = True
        tabs = window.findChild(QTabWidget, "panelTabs")
        for i in range(tabs.count()):
            if tabs.widget(i).findChild(pg.PlotWidget, "latentMap") is not None:
                tabs.setCurrentIndex(i)
                break
    if "map" not in marks and map_points() > 100:
        marks["map"] = now
    button = window.findChild(QPushButton, "startTrainingButton")
    if "training" not in marks and button is not None and button.isEnabled():
        marks["training"] = now
    if len(marks) == 4 or now > 120:
        marks["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("BENCH " + json.dumps(marks), flush=True)
        window.close()
        app.quit()
timer = QTimer(interval=20)
timer.timeout.connect(poll)
timer.start()
app.exec()
"""


def one_round(args: list[str]) -> dict:
    env = dict(os.environ, BENCH_ARGS=json.dumps(args), PYTHONPATH=str(ROOT))
    env["BENCH_LAUNCHED"] = repr(time.time())
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"no figures from the child (exit {out.returncode}): {out.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("app_args", nargs="*", help="arguments for latent-explorer (after --)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_tsne import cpu_description

    print("CPU:", cpu_description())
    print(f"load average at start: {os.getloadavg()}")
    one_round(args.app_args)  # warm the disk cache: the targets are for a warm machine
    rounds = [one_round(args.app_args) for _ in range(args.rounds)]
    for number, r in enumerate(rounds, 1):
        print(f"round {number}: " + ", ".join(f"{k} {v:.2f}" for k, v in r.items()))
    for key, target in (("window", 1.5), ("panels", None), ("training", None), ("map", 3.0)):
        values = [r[key] for r in rounds if key in r]
        if values:
            goal = f" (target ≤ {target} s)" if target else ""
            print(f"{key:8}: median {statistics.median(values):.2f} s after launch{goal}")
        else:
            print(f"{key:8}: not reached within 120 s")
    print(f"peak RSS: {max(r['peak_rss_mb'] for r in rounds):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
