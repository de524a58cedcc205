"""One way to run long work off the GUI thread: a worker QObject moved to a QThread.

A task is a plain function ``fn(worker) -> result`` that may call ``worker.report(obj)`` and
should check ``worker.cancelled`` between steps. The worker emits ``progress(object)``,
``finished(object)`` or ``failed(str)``. Connect those signals only to ``@Slot`` methods of
objects living in the GUI thread: a lambda or a plain function would run in the worker thread.

``TaskRunner`` keeps at most one run per task name, and ``stop_all()`` (called from the main
window's closeEvent) cancels and joins every thread so none outlives the window.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

log = logging.getLogger(__name__)
_abandoned: list = []  # threads that would not stop in time; see TaskRunner.stop_all


class Worker(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: Callable[[Worker], object], name: str = "task") -> None:
        super().__init__()
        self._fn = fn
        self.name = name
        self._cancel = threading.Event()
        self.done = False  # set when run() has returned its result or failure
        self.on_cancel: Callable[[], None] | None = None  # e.g. a trainer's request_stop

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the task to stop at its next check; safe from any thread."""
        self._cancel.set()
        if self.on_cancel is not None:
            self.on_cancel()

    def report(self, payload: object) -> None:
        self.progress.emit(payload)

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(self)
        except Exception as exc:  # the GUI shows it; the app carries on
            log.error("task %s failed:\n%s", self.name, traceback.format_exc())
            self.done = True
            self.failed.emit(user_message(exc))
        else:
            self.done = True
            self.finished.emit(result)


def user_message(exc: BaseException) -> str:
    """A message for a dialog: our own errors speak for themselves, others get their type."""
    from core.checkpoint import CheckpointError
    from core.data import DataError
    from core.training import TrainingDiverged

    if isinstance(exc, (DataError, CheckpointError, TrainingDiverged, ValueError)):
        return str(exc)
    if isinstance(exc, MemoryError) or "out of memory" in str(exc).lower():
        return QCoreApplication.translate(
            "Worker", "Out of memory. Try a smaller batch size, or train on the CPU."
        )
    return f"{type(exc).__name__}: {exc}"


class TaskRunner(QObject):
    """Starts workers in their own threads; at most one running task per name."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, tuple[QThread, Worker]] = {}

    def is_running(self, name: str) -> bool:
        entry = self._tasks.get(name)
        return entry is not None and not entry[1].done

    def worker(self, name: str) -> Worker | None:
        entry = self._tasks.get(name)
        return entry[1] if entry else None

    def start(self, worker: Worker) -> bool:
        """Run a worker; returns False (and starts nothing) if its name is already running, or
        once the runner is closed (a result delivered during shutdown must not start more work:
        a thread still running when the app ends aborts it)."""
        if self.closed:
            log.info("not starting %s: shutting down", worker.name)
            return False
        previous = self._tasks.get(worker.name)
        if previous is not None:
            thread, old = previous
            if not old.done:
                return False
            # Its result is out; the thread is only winding down. quit() is thread-safe and must
            # be called here: the queued quit from its signal would wait for this very loop.
            thread.quit()
            if not thread.wait(5000):
                return False
            del self._tasks[worker.name]
            thread.deleteLater()
        thread = QThread()
        thread.setObjectName(f"{worker.name}Thread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() runs at once in the worker thread (it is thread-safe), not queued
        # behind whatever the GUI thread is doing.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._tasks[worker.name] = (thread, worker)
        thread.start()
        return True

    def cancel(self, name: str) -> None:
        entry = self._tasks.get(name)
        if entry:
            entry[1].cancel()

    @Slot()
    def _on_thread_finished(self) -> None:
        for name, (thread, _) in list(self._tasks.items()):
            if thread.isFinished():
                del self._tasks[name]
                thread.deleteLater()

    closed = False

    def close(self, timeout_ms: int = 5000) -> bool:
        """Stop every task and start no more; True when all have ended."""
        self.closed = True
        return self.stop_all(timeout_ms)

    def stop_all(self, timeout_ms: int = 5000) -> bool:
        """Cancel every task and wait for its thread; True when all have ended."""
        ok = True
        for _thread, worker in list(self._tasks.values()):
            worker.cancel()
        for name, (thread, _) in list(self._tasks.items()):
            thread.quit()
            if not thread.wait(timeout_ms):
                log.error("thread %s did not stop within %d ms", name, timeout_ms)
                # Never let Qt destroy a running QThread (it aborts the process): keep it
                # referenced until the process ends.
                _abandoned.append(self._tasks.pop(name))
                ok = False
                continue
            del self._tasks[name]
        return ok
