"""Benchmark: does the live map slow training down? (target: epoch time ≤ 1.1× without it)

    .venv/bin/python tests/benchmarks/bench_live_map.py [--limit 12000] [--epochs 3] [--rounds 2]

Trains a VAE as the app's training child does (``Trainer``, all threads), alternately without
and with the live map: after every epoch the replay's codes (2,000 test images) go to a t-SNE
child (openTSNE, at idle priority), warm-started from the previous epoch's layout, while the
next epoch trains; the trainer lends the map a core while it forms, as in the app
(``--no-lend``: it keeps all its threads). Prints the median epoch time of each mode (epochs after the first of a round,
whose t-SNE starts from PCA, are counted alike) and their ratio, in one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tsne import cpu_description  # noqa: E402


def train_round(data, epochs: int, limit: int, live: bool, lend: bool) -> tuple[list[float], int]:
    from core.models import ModelConfig
    from core.training import EpochEnd, TrainConfig, Trainer, new_model
    from core.training_process import maps_forming
    from core.tsne import TsneSettings
    from core import tsne_stream
    from core.tsne_stream import TsneRun, prewarm

    times: list[float] = []
    maps = 0
    state = {"run": None, "layout": None}
    lock = threading.Lock()
    forming = maps_forming()
    over = threading.Event()

    def watch() -> None:  # as the app's timer does: a finished map gives its core back
        nonlocal maps
        while not over.wait(0.1):
            with lock:
                run = state["run"]
                if run is not None and run.poll() == "done":
                    state["layout"], state["run"], maps = run.result, None, maps + 1
                    run.cancel()
                    forming.hold(state, False)

    def on_event(event) -> None:
        if not isinstance(event, EpochEnd):
            return
        times.append(event.record.seconds)
        if not live or event.replay_codes is None:
            return
        with lock:
            if state["run"] is not None:  # not finished within the epoch: the next one replaces it
                state["run"].cancel()
            settings = TsneSettings() if state["layout"] is not None else TsneSettings().quick()  # as the app
            state["run"] = TsneRun(event.replay_codes, settings, init=state["layout"])
            forming.hold(state, True)

    if live:
        prewarm(tsne_stream.NICENESS)  # as the app does while a model trains
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    model = new_model(ModelConfig("vae", 10), seed=0)
    Trainer(
        model, TrainConfig(epochs=epochs, limit=limit), data, on_event, lend_flag=forming.flag if lend else None
    ).run()
    over.set()
    watcher.join()
    if state["run"] is not None:
        state["run"].cancel()
    forming.hold(state, False)
    if tsne_stream._warm is not None:
        tsne_stream._warm.close()
        tsne_stream._warm = None
    return times, maps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=12_000, help="training images per epoch")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each mode, alternated")
    parser.add_argument(
        "--no-lend", action="store_true", help="the trainer keeps all its threads while a map forms (as before)"
    )
    args = parser.parse_args()

    from core.data import load_fashion_mnist

    print("CPU:", cpu_description())
    print(f"load average at start: {os.getloadavg()}")
    data = load_fashion_mnist()
    results: dict[bool, list[float]] = {False: [], True: []}
    for r in range(args.rounds):
        for live in (False, True):
            start = time.perf_counter()
            times, maps = train_round(data, args.epochs, args.limit, live, not args.no_lend)
            results[live].extend(times)
            print(
                f"round {r + 1} {'with' if live else 'without'} the live map: epochs "
                + ", ".join(f"{t:.1f}" for t in times)
                + f" s ({maps} maps finished; {time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    off, on = statistics.median(results[False]), statistics.median(results[True])
    print(f"load average at the end: {os.getloadavg()}")
    print(f"RESULT median epoch {off:.2f} s without, {on:.2f} s with the live map: ratio {on / off:.3f} (target ≤ 1.10)")
    return 0 if on / off <= 1.10 else 2


if __name__ == "__main__":
    sys.exit(main())
