"""Latent Explorer's desktop application (the training and explorer panels come next)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


def build_window(argv: list[str]) -> QMainWindow:
    """Build the main window from command-line arguments, without starting the event loop."""
    window = QMainWindow()
    window.setObjectName("mainWindow")
    window.setWindowTitle("Latent Explorer")
    label = QLabel(window.tr("Latent Explorer: train models with latent-explorer-train."))
    window.setCentralWidget(label)
    window.resize(1280, 800)
    return window


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    window = build_window(argv)
    window.show()
    return app.exec()
