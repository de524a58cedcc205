"""The Qt binding in use keeps None's reference count intact (PySide6 6.12.0 does not on Python
< 3.12: every setter call drops a reference to None, and the interpreter aborts once the count
reaches zero — pyproject.toml excludes it there)."""

import gc
import sys

from PySide6.QtCore import QTimer


def test_qt_setters_do_not_drop_references_to_none(qapp):
    timer = QTimer()
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(1000):
        timer.setInterval(3)
    gc.collect()
    if sys.version_info >= (3, 12):
        return  # None is immortal: its count means nothing, and nothing can go wrong
    assert sys.getrefcount(None) - before > -100
