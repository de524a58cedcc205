"""Python's cyclic garbage collector runs in the GUI thread only (explorer.platform.collector):
a worker thread that collected a closed window's widgets froze the app for good."""

import gc
import threading

from explorer.platform.collector import collect_in_gui_thread


class _Cycle:
    """An object in a reference cycle, as a closed window's plot menus are: only the cyclic
    collector frees it, and it notes the thread that did."""

    def __init__(self, seen: list) -> None:
        self.me = self
        self.seen = seen

    def __del__(self) -> None:
        self.seen.append(threading.current_thread().name)


def test_cycles_dropped_in_a_worker_are_collected_in_the_gui_thread(qtbot, qapp):
    collector = collect_in_gui_thread()
    assert collect_in_gui_thread() is collector  # once per application
    assert not gc.isenabled()
    seen: list = []
    kept: list = []

    def worker() -> None:
        _Cycle(seen)  # garbage at once, in a cycle
        kept.append([[] for _ in range(20 * gc.get_threshold()[0])])  # would set the collector off

    thread = threading.Thread(target=worker, name="worker")
    thread.start()
    thread.join()
    assert seen == []  # not collected in the worker
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen == [threading.main_thread().name]


def test_a_window_turns_it_on(make_window, qapp):
    from PySide6.QtCore import QObject

    gc.enable()  # as in a process that never built a window
    collector = qapp.findChild(QObject, "guiThreadGarbageCollector")
    if collector is not None:
        collector.setParent(None)  # forget the earlier tests' collector
        collector.deleteLater()
    make_window()
    assert not gc.isenabled()
    assert qapp.findChild(QObject, "guiThreadGarbageCollector") is not None
