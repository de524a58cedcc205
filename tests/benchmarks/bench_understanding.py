"""Benchmark: the Understanding tab's traversal atlas and its IWAE estimate.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_understanding.py [--moves 300] [--k 100]

With the bundled VAE, measures in one run:
- a slider move → the 10 × 9 atlas decoded and repainted (p50 / p95 over the moves, wall clock and
  the GUI thread's own CPU time; target p95 < 16 ms);
- the IWAE bound with k samples on the bundled sample's 2,000 test images in a worker thread
  (target < 30 s), with a 10 ms GUI timer's gaps meanwhile (target p99 < 30 ms).
On a shared machine the wall-clock figures include waiting for a core; the CPU figures do not.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def percentiles(values) -> str:
    v = np.asarray(values)
    return f"p50 {np.percentile(v, 50):.2f} ms, p95 {np.percentile(v, 95):.2f} ms, max {v.max():.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--images", type=int, default=2000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([sys.argv[0]])

    from core.analysis import dimension_summary, likelihood_bounds
    from core.checkpoint import load_checkpoint
    from core.data import load_sample
    from core.training import single_threaded
    from explorer.views.traversal_grid import TraversalGrid
    from resources import resource_path

    single_threaded()  # as the GUI thread runs
    model = load_checkpoint(str(resource_path("models") / "vae.safetensors")).model
    sample = load_sample().test
    summary = dimension_summary(model, sample)
    grid = TraversalGrid()
    grid.resize(900, 900)
    grid.show()
    grid.set_model(model, summary)
    rng = np.random.default_rng(0)
    wall, cpu = [], []
    z = np.zeros(model.latent_dim, dtype=np.float32)
    for _ in range(args.moves):
        z[rng.integers(model.latent_dim)] = rng.normal()
        t, c = time.perf_counter(), time.thread_time()
        grid.set_center(z)
        grid.draw_now()
        grid.repaint()  # the paint, synchronously
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        app.processEvents()
    print(f"atlas 10×9 redraw, wall: {percentiles(wall)}")
    print(f"atlas 10×9 redraw, GUI thread CPU: {percentiles(cpu)}")

    split = sample.head(args.images)
    result = {}

    def work():
        from core.training import use_all_threads

        use_all_threads()
        result["estimate"] = likelihood_bounds(model, split, args.k)

    gaps = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def tick():
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    timer.start()
    thread = threading.Thread(target=work)
    start = time.perf_counter()
    thread.start()
    loop = QEventLoop()
    poll = QTimer(interval=50)
    poll.timeout.connect(lambda: loop.quit() if not thread.is_alive() else None)
    poll.start()
    loop.exec()
    thread.join()
    timer.stop()
    seconds = time.perf_counter() - start
    e = result["estimate"]
    print(
        f"IWAE k={args.k} on {len(split)} images: {seconds:.1f} s; ELBO {e.elbo:.2f}, IWAE {e.iwae:.2f} "
        f"nats per image (gap {e.gap:.2f}); GUI 10 ms timer gaps p99 {np.percentile(gaps, 99):.1f} ms, "
        f"max {max(gaps):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
