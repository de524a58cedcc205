"""Pause, resume and stop for a long run, from any thread or from another process."""

from __future__ import annotations

import threading
import time

__all__ = ["RunControl", "SharedFlag"]


class SharedFlag:
    """A boolean that a parent and its spawned children share, and that never blocks.

    ``multiprocessing.Event.set()`` takes its Condition's lock and waits until every sleeper
    has woken: a child killed while it slept on the Event (a paused training ended by
    ``kill()``) leaves ``set()`` waiting for ever — Start, Pause, then quit without saving froze
    the window. One byte of shared memory, written without a lock and polled, cannot block.
    """

    POLL = 0.02  # seconds between looks while waiting

    def __init__(self, context, value: bool = False) -> None:
        self._value = context.RawValue("b", int(value))

    def set(self) -> None:
        self._value.value = 1

    def clear(self) -> None:
        self._value.value = 0

    def is_set(self) -> bool:
        return bool(self._value.value)

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(self.POLL)
        return True


class RunControl:
    """Pause, resume and stop requests for a long run, safe from any thread — or from another
    process, given ``SharedFlag``s. None of them ever waits for the run.

    What Pause promises: the run checks it before each batch, so after ``pause()`` at most the
    batch in flight completes; the run then reports ``Paused`` and reports nothing more until
    ``resume()`` or ``request_stop()``.
    """

    def __init__(self, stop_flag=None, run_flag=None) -> None:
        self._stop = stop_flag if stop_flag is not None else threading.Event()
        self._running = run_flag if run_flag is not None else threading.Event()
        if run_flag is None:
            self._running.set()

    def request_stop(self) -> None:
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()
