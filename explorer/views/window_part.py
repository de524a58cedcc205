"""A part of the main window (its menus, dialogs, file and scene flows) that reaches the window
through ``parent()``."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget


class WindowPart(QObject):
    """A QObject child of the window. It keeps no attribute pointing back at the window: such a
    reference cycle would leave the window's end to Python's garbage collector, which may run
    at any moment, even inside a later paint (a segfault)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)

    @property
    def window(self):
        """The window this belongs to."""
        return self.parent()
