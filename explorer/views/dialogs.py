"""The main window's message boxes: errors, missing data, the recovery offer, About, the
language note and the questions asked at close.

Each box is window-modal and opened with ``open()``, so the event loop keeps running (training
goes on, workers deliver); what the user chose comes back as a signal. The one exception is
``ask``, which answers the close confirmation there and then (``closeEvent`` must decide at once).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from core import __version__
from core.paths import user_data_dir
from explorer.state import autosave
from explorer.views.shortcuts import ShortcutsDialog
from explorer.views.window_part import WindowPart

log = logging.getLogger(__name__)


class Dialogs(WindowPart):
    """The boxes the main window shows, parented to it (``window.findChild`` finds them)."""

    downloadRequested = Signal()  # the data-missing box's Download
    recoverRequested = Signal(list)  # the recovery offer's Recover: the autosaves (Paths)
    discardRequested = Signal(list)  # the recovery offer's Discard them

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.download_button: QAbstractButton | None = None
        self.recover_button: QAbstractButton | None = None
        self.discard_button: QAbstractButton | None = None
        self._recovery_files: list[Path] = []


    def _box(self, icon: QMessageBox.Icon, title: str, text: str, name: str) -> QMessageBox:
        box = QMessageBox(icon, title, text, parent=self.window)
        box.setObjectName(name)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return box

    def show_error(self, title: str, message: str) -> QMessageBox:
        """A non-blocking error dialog (the event loop keeps running)."""
        log.warning("%s: %s", title, message)
        box = self._box(QMessageBox.Icon.Warning, title, message, "errorDialog")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.open()
        return box

    def data_still_loading(self) -> QMessageBox:
        return self.show_error(self.tr("Fashion-MNIST"), self.tr("The dataset is still loading; try again in a moment."))

    def data_missing(self, damaged: bool, error: str) -> QMessageBox:
        """Training without the dataset: why, and an offer to download it (→ downloadRequested)."""
        box = self._box(QMessageBox.Icon.Warning, self.tr("No training data"), "", "dataMissingDialog")
        box.setText(
            self.tr(
                "Training needs Fashion-MNIST, whose files here cannot be used (see below). Until then "
                "the explorer shows the bundled models on a sample of the test images."
            )
            if damaged
            else self.tr(
                "Training needs Fashion-MNIST, which was not found on this computer. Until then the "
                "explorer shows the bundled models on a sample of the test images."
            )
        )
        box.setInformativeText(error)
        self.download_button = box.addButton(self.tr("Download (needs internet)"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.buttonClicked.connect(self._on_data_missing_box_clicked)
        box.open()
        return box

    @Slot(object)
    def _on_data_missing_box_clicked(self, button: QAbstractButton) -> None:
        if button is self.download_button:
            self.downloadRequested.emit()

    def offer_recovery(self, files: list[Path]) -> QMessageBox:
        """Offer back the autosaves of a crashed session (→ recoverRequested / discardRequested)."""
        box = self._box(QMessageBox.Icon.Question, self.tr("Recover unsaved models?"), "", "recoveryDialog")
        box.setText(
            self.tr(
                "Latent Explorer did not close normally. These models were saved automatically after "
                "their last finished epoch:"
            )
        )
        box.setInformativeText("\n".join("• " + autosave.describe(p) for p in files))
        self.recover_button = box.addButton(self.tr("Recover"), QMessageBox.ButtonRole.AcceptRole)
        self.discard_button = box.addButton(self.tr("Discard them"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Decide later"), QMessageBox.ButtonRole.RejectRole)
        self._recovery_files = files
        box.buttonClicked.connect(self._on_recovery_box_clicked)
        box.open()
        return box

    @Slot(object)
    def _on_recovery_box_clicked(self, button: QAbstractButton) -> None:
        files, self._recovery_files = self._recovery_files, []
        if button is self.discard_button:
            self.discardRequested.emit(files)
        elif button is self.recover_button:
            self.recoverRequested.emit(files)

    def language_chosen(self, code: str) -> QMessageBox:
        """The language takes effect at the next start: say so."""
        messages = {
            "en": self.tr("Latent Explorer will be in English the next time it starts."),
            "fr": self.tr("Latent Explorer will be in French the next time it starts."),
        }
        box = self._box(QMessageBox.Icon.Information, self.tr("Language"), messages[code], "languageDialog")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.open()
        return box

    @Slot()
    def about(self) -> None:
        QMessageBox.about(
            self.window,
            self.tr("About Latent Explorer"),
            self.tr(
                "<h3>Latent Explorer {version}</h3><p>Train an auto-encoder and a variational "
                "auto-encoder on Fashion-MNIST and explore their latent spaces.</p>"
                "<p>Free software under the MIT licence.</p>"
                "<p>Fashion-MNIST © 2017 Zalando SE, MIT licence; a sample of its test images and "
                "two models trained on it ship with the app. Built with PyTorch, scikit-learn, "
                "Qt (PySide6) and pyqtgraph.</p>"
                "<p>Settings and logs: {folder}</p>"
            ).format(version=__version__, folder=user_data_dir()),
        )

    def shortcuts(self, panels: int) -> None:
        dialog = ShortcutsDialog(self.window, panels)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # --- the close confirmation's questions: (title, text, buttons), the last button Cancel ---

    def training_running_question(self) -> tuple[str, str, list[str]]:
        return (
            self.tr("Training is running"),
            self.tr("A model is training. Stop training and quit?"),
            [self.tr("Stop, save and quit"), self.tr("Stop and quit without saving"), self.tr("Cancel")],
        )

    def unsaved_question(self, n: int) -> tuple[str, str, list[str]]:
        return (
            self.tr("Unsaved models"),
            self.tr("{n} trained model(s) have not been saved.").format(n=n),
            [self.tr("Save…"), self.tr("Quit without saving"), self.tr("Cancel")],
        )

    def ask(self, title: str, text: str, buttons: list[str]) -> int:
        """Ask a question; returns the index of the chosen button (the last one is Cancel).

        Modal with its own event loop: only the close confirmation uses it, since closeEvent
        must accept or ignore the close before it returns."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.window)
        added = [box.addButton(label, QMessageBox.ButtonRole.ActionRole) for label in buttons[:-1]]
        cancel = box.addButton(buttons[-1], QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        return added.index(clicked) if clicked in added else len(buttons) - 1
