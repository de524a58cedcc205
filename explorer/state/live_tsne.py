"""t-SNE maps streamed to the GUI while they form: one child process per map (core.tsne_stream),
polled ten times a second by a timer in the GUI thread, which only copies the newest frame of
each run (redrawing 10,000 points costs the GUI thread milliseconds: more often would not look
smoother, only cost more).

While a map forms, a model training in this app lends it a core (``maps_forming``): on two
cores, the map forms in seconds and the epoch takes a few percent longer, where sharing both
cores by priority made epochs 1.2–1.4× longer and left the map waiting.

Latest wins: a run nobody shows any more is cancelled (``keep_only``), and a cancelled run's
frames are never emitted. Finished maps are written to the on-disk cache, so the same model,
points and settings show their map at once next time.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from core.paths import user_cache_dir
from core.training_process import maps_forming
from core.tsne import TsneSettings, load_cached_map, save_cached_map
from core import tsne_stream
from core.tsne_stream import LAB_METHOD, OPENTSNE_METHOD, TsneRun, prewarm

__all__ = ["LiveTsne", "LAB_METHOD", "OPENTSNE_METHOD", "prewarm"]


def maps_cache_dir():
    return user_cache_dir() / "maps"


class LiveTsne(QObject):
    """Runs t-SNE maps in child processes and emits their frames, keyed by the caller's keys."""

    frame = Signal(object, object)  # key, core.tsne.TsneFrame
    finished = Signal(object, object)  # key, (N, 2) float32 coordinates
    failed = Signal(object, str)  # key, message

    def __init__(
        self, parent: QObject | None = None, interval_ms: int = 100, niceness: int | None = None
    ) -> None:
        super().__init__(parent)
        # Read now, not at import: the tests run their children at the parent's priority.
        self.niceness = tsne_stream.NICENESS if niceness is None else niceness
        self._runs: dict[object, TsneRun] = {}
        self._started: dict[object, float] = {}
        self._paused_at: dict[object, float] = {}
        self._paused_total: dict[object, float] = {}
        self._cache_keys: dict[object, str | None] = {}
        self._last: dict[object, tuple[int, int]] = {}
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(
        self,
        key,
        codes: np.ndarray,
        settings: TsneSettings = TsneSettings(),
        *,
        method: str = OPENTSNE_METHOD,
        init: np.ndarray | None = None,
        cache_key: str | None = None,
    ) -> bool:
        """Start the map of ``key`` (False when it already runs). A cached map is emitted as
        ``finished`` from the event loop, at once, without a child."""
        if key in self._runs:
            return False
        if cache_key is not None:
            coords = load_cached_map(maps_cache_dir(), cache_key, len(codes))
            if coords is not None:
                QTimer.singleShot(0, self, lambda: self.finished.emit(key, coords))
                return True
        self._runs[key] = TsneRun(codes, settings, init=init, method=method, niceness=self.niceness)
        self._started[key] = time.perf_counter()
        self._paused_total[key] = 0.0
        self._cache_keys[key] = cache_key
        self._last[key] = (0, self._runs[key].total)
        self._timer.start()
        self._update_forming()
        return True

    def _update_forming(self) -> None:
        maps_forming().hold(self, any(not run.paused for run in self._runs.values()))

    def running(self, key) -> bool:
        return key in self._runs

    def progress(self, key) -> tuple[int, int, float] | None:
        """(iteration, total, seconds running, pauses excluded) of a running map."""
        if key not in self._runs:
            return None
        iteration, total = self._last[key]
        now = self._paused_at.get(key, time.perf_counter())
        return iteration, total, now - self._started[key] - self._paused_total[key]

    def method(self, key) -> str | None:
        run = self._runs.get(key)
        return run.method if run is not None else None

    def pause(self, key) -> None:
        run = self._runs.get(key)
        if run is not None and not run.paused:
            run.pause()
            self._paused_at[key] = time.perf_counter()
            self._update_forming()

    def resume(self, key) -> None:
        run = self._runs.get(key)
        if run is not None and run.paused:
            run.resume()
            self._paused_total[key] += time.perf_counter() - self._paused_at.pop(key)
            self._update_forming()

    def paused(self, key) -> bool:
        run = self._runs.get(key)
        return run is not None and run.paused

    def cancel(self, key) -> None:
        run = self._runs.pop(key, None)
        if run is not None:
            run.cancel()
        for table in (self._started, self._paused_at, self._paused_total, self._cache_keys, self._last):
            table.pop(key, None)
        self._update_forming()

    def keep_only(self, keys) -> None:
        """Cancel every run whose key is not in ``keys`` (maps nobody shows any more)."""
        for key in [k for k in self._runs if k not in keys]:
            self.cancel(key)

    def shutdown(self) -> None:
        for key in list(self._runs):
            self.cancel(key)
        self._timer.stop()
        tsne_stream.end_spare()

    @Slot()
    def _on_timer_timeout(self) -> None:
        for key, run in list(self._runs.items()):
            frame = run.latest()
            if frame is not None:
                self._last[key] = (frame.iteration, frame.total)
                self.frame.emit(key, frame)
            if self._runs.get(key) is not run:  # a receiver cancelled it
                continue
            state = run.poll()
            if state == "done":
                cache_key = self._cache_keys.get(key)
                self.cancel(key)
                if cache_key is not None:
                    try:
                        save_cached_map(maps_cache_dir(), cache_key, run.result)
                    except OSError:  # a read-only or full disk: the map is just not kept
                        pass
                self.finished.emit(key, run.result)
            elif state == "failed":
                self.cancel(key)
                self.failed.emit(key, run.error or "the t-SNE failed")
        if not self._runs:
            self._timer.stop()
