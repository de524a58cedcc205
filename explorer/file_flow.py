"""Model files and PNG exports of the main window, through file dialogs.

The session opens and saves (explorer.state.session); this module asks where, in the folder
used last, and exports the panel shown as a picture.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Slot
from PySide6.QtWidgets import QFileDialog

from core.checkpoint import SUFFIX
from explorer.platform.settings import app_settings
from explorer.state.entry import ModelEntry
from explorer.views.window_part import WindowPart

FILE_FILTER = QT_TRANSLATE_NOOP("FileFlow", "Latent Explorer models (*.safetensors)")


class FileFlow(WindowPart):
    """File → Open, Save and Export of ``window`` (explorer.main_window.MainWindow)."""


    def _folder(self) -> Path:
        return Path(app_settings().value("files/last_folder", str(Path.home())))

    @Slot()
    def open_with_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, self.tr("Open models"), str(self._folder()), self.tr(FILE_FILTER)
        )
        for path in paths:
            self.window.open_checkpoint(path)

    @Slot()
    def save_current_with_dialog(self) -> None:
        """Save the model the training panel shows."""
        entry = self.window.training_panel.current_entry()
        if entry is None:
            self.window.show_error(self.tr("Nothing to save"), self.tr("Train a model or open one first."))
            return
        self.save_with_dialog(entry)

    def save_with_dialog(self, entry: ModelEntry) -> bool:
        suggested = (
            entry.path or self._folder() / f"{entry.kind}-latent{entry.model.latent_dim}-{entry.epochs}ep{SUFFIX}"
        )
        path, _ = QFileDialog.getSaveFileName(
            self.window, self.tr("Save model as"), str(suggested), self.tr(FILE_FILTER)
        )
        return bool(path) and self.window.save_entry(entry, path)

    def export_view(self, path: str | Path) -> bool:
        """Save the current panel, as shown, to a PNG file."""
        path = Path(path).expanduser()
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        if not self.window.tabs.currentWidget().grab().save(str(path), "PNG"):
            self.window.show_error(self.tr("Cannot export"), self.tr("Could not write {path}.").format(path=path))
            return False
        self.window.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 5000)
        return True

    @Slot()
    def export_with_dialog(self) -> None:
        tabs = self.window.tabs
        tab = tabs.tabText(tabs.currentIndex()).replace("&&", "")
        name = re.sub(r"[\W_]+", "-", tab).strip("-").lower()  # "reconstruction-débruitage"
        path, _ = QFileDialog.getSaveFileName(
            self.window, self.tr("Export view"), str(self._folder() / f"{name}.png"), self.tr("PNG images (*.png)")
        )
        if path:
            self.export_view(path)
