"""Benchmark: training in the app versus headless, and the GUI's responsiveness meanwhile.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_app_training.py [--rounds 2]

Each round, on the full training set: one VAE epoch through ``latent-explorer-train`` (its own
process), one started from the app's Start button (the window shown at 1920×1080, the loss plot
live), and one more in the app while a 10 ms QTimer on the GUI thread records the gaps between
its ticks (the timer itself costs the training CPU, so the speed ratio is taken without it).
Prints each epoch time, the ratio app / headless, and the timer gaps' p50 / p99 / max. Targets: ratio ≤ 1.10, p99 < 30 ms,
max < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.training import TrainConfig  # noqa: E402


def headless_epoch(tmp: str) -> float:
    """One VAE epoch through the command line, in its own process, as a teacher would run it."""
    exe = Path(sys.executable).with_name("latent-explorer-train")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "core.cli"]
    out = subprocess.run(
        [
            *command,
            "--model",
            "vae",
            "--epochs",
            "1",
            "--json",
            "--no-download",
            "--out",
            f"{tmp}/bench.safetensors",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.splitlines()[-1])["seconds"]


def app_epoch(window, with_timer: bool = True) -> tuple[float, list[float]]:
    panel = window.training_panel
    panel.target_combo.setCurrentIndex(0)  # a new model each round
    panel.set_config(TrainConfig(epochs=1))
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("vae"))
    panel.latent_spin.setValue(10)
    gaps: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(10)
    last = [0]

    def tick():
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer.timeout.connect(tick)
    loop = QEventLoop()
    panel.trainingEnded.connect(loop.quit)
    clock.start()
    if with_timer:
        timer.start()
    panel.start_training()
    loop.exec()
    timer.stop()
    panel.trainingEnded.disconnect(loop.quit)
    entry = window.session.entries[-1]
    return entry.history[-1].seconds, gaps[1:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from explorer.app import build_window

    tmp = tempfile.mkdtemp()
    window = build_window(["--no-bundled-models"])
    window.ask = lambda *a: 1
    window.resize(1920, 1080)
    window.show()
    deadline = time.time() + 30
    while window.session.dataset is None and time.time() < deadline:
        app.processEvents()
        time.sleep(0.01)
    headless, in_app, all_gaps = [], [], []
    for r in range(args.rounds):
        headless.append(headless_epoch(tmp))
        seconds, _ = app_epoch(window, with_timer=False)
        in_app.append(seconds)
        print(f"round {r + 1}: headless epoch {headless[-1]:.2f} s, app epoch {seconds:.2f} s", flush=True)
        seconds, gaps = app_epoch(window, with_timer=True)
        all_gaps.extend(gaps)
        g = np.asarray(gaps)
        print(
            f"round {r + 1}: app epoch with the 10 ms timer {seconds:.2f} s; timer gaps p50 "
            f"{np.percentile(g, 50):.1f} ms, p99 {np.percentile(g, 99):.1f} ms, max {g.max():.0f} ms",
            flush=True,
        )
    g = np.asarray(all_gaps)
    ratio = statistics.mean(in_app) / statistics.mean(headless)
    print()
    print(
        f"VAE epoch, full training set: headless {statistics.mean(headless):.2f} s, "
        f"in the app {statistics.mean(in_app):.2f} s, ratio {ratio:.3f} (target ≤ 1.10)"
    )
    print(
        f"GUI 10 ms timer while training: {len(g)} ticks, p50 {np.percentile(g, 50):.1f} ms, "
        f"p99 {np.percentile(g, 99):.1f} ms (target < 30), max {g.max():.0f} ms (target < 100)"
    )
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
