"""What a window built in stages shows and does before its panels: see MainWindow.build_panels_soon.

``latent-explorer`` shows the main window's frame (title, tabs, status bar) before PyTorch is
imported, then imports what the panels need on a thread, then builds them on the GUI thread.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QTabWidget

from resources import resource_path

# What the panels need that does not touch Qt, PyTorch first (1–2 s to import): a window built
# in stages imports these on a thread while its frame is on screen. The panels' own modules
# are imported on the GUI thread, where the Qt objects some of them make at import belong.
PANEL_IMPORTS = (
    "torch",
    "pyqtgraph",
    "core.training",
    "core.checkpoint",
    "core.analysis",
    "core.drawing",
    "core.reference",
    "core.tsne_stream",
    "core.tsne_process",
    "core.training_process",
)


class PanelImporter(QObject):
    """Imports PANEL_IMPORTS on a thread of its own; says when it is done, or what failed."""

    done = Signal(object)  # None, or the exception

    def start(self) -> None:
        # Not a daemon: an app closed within the first seconds waits for the import to end
        # instead of finalising Python under it.
        threading.Thread(target=self._run, name="panel-imports").start()

    def _run(self) -> None:
        error = None
        try:
            for name in PANEL_IMPORTS:
                importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 (reported on the GUI thread, as a start-up error)
            error = exc
        try:
            self.done.emit(error)
        except RuntimeError:  # the window went meanwhile (a test tearing down): nobody to tell
            pass


def loading_tabs(titles: list[str], text: str) -> QTabWidget:
    """The frame's tabs: the panels' titles, each page the app's icon and ``text``."""
    tabs = QTabWidget(objectName="loadingTabs")
    tabs.setDocumentMode(True)
    icon = Path(str(resource_path("icon-256.png"))).as_uri()
    for title in titles:
        page = QLabel(
            f'<p align="center"><img src="{icon}" width="128" height="128"></p><p align="center">{text}</p>',
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        tabs.addTab(page, title)
    return tabs
