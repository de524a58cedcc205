"""Python's cyclic garbage collector, run in the GUI thread only.

Why: the collector runs in whichever thread happens to allocate when a generation fills up. A
closed window's widgets that sit in reference cycles (pyqtgraph's plot menus, for one) were
collected in a worker thread, which then destroyed a QMenu there: its destructor took a Qt
mutex and waited for the GIL, while the GUI thread, holding the GIL, waited for that mutex.
The app (and the test suite: three stalls, one in CI) froze for good. Seen with py-spy: a
worker importing openTSNE, ``gc_collect_main`` → ``QMenu::~QMenu`` → ``Shiboken::GilState::acquire``;
the GUI thread in ``QObject::~QObject`` → ``QBasicMutex::lockInternal``.

So automatic collection is turned off and a timer in the GUI thread collects instead, each
generation when it has filled as far as the automatic collector would have waited (the same
thresholds), as pyqtgraph's own ``GarbageCollector`` does. Reference counting still frees
everything that is not in a cycle at once, in any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

__all__ = ["collect_in_gui_thread"]

INTERVAL_MS = 500


class _Collector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("guiThreadGarbageCollector")
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(INTERVAL_MS)

    def collect(self) -> None:
        counts = gc.get_count()
        generation = -1
        for level in range(3):
            if counts[level] <= self.thresholds[level]:
                break
            generation = level
        if generation >= 0:
            gc.collect(generation)


def collect_in_gui_thread() -> QObject:
    """Turn off automatic collection and collect from a timer of the application's (GUI) thread
    instead; once per application. Returns the collector."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("collect_in_gui_thread needs a QApplication")
    existing = app.findChild(_Collector, "guiThreadGarbageCollector")
    if existing is not None:
        return existing
    collector = _Collector(app)
    gc.disable()
    return collector
