"""The main window: panels in tabs, menus, the status bar, files in and out, clean shutdown."""

from __future__ import annotations

import logging
import re
from functools import partial
from pathlib import Path

import torch
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from core import __version__
from core.checkpoint import SUFFIX, CheckpointError, load_checkpoint, save_checkpoint
from core.data import load_fashion_mnist
from explorer import i18n
from explorer.compare_panel import ComparePanel
from explorer.generation_panel import GenerationPanel
from explorer.latent_panel import LatentPanel
from explorer.reconstruction_panel import ReconstructionPanel
from explorer.session import ModelEntry, Session
from explorer.settings import app_settings
from explorer.training_panel import TrainingPanel
from explorer.workers import TaskRunner, Worker
from resources import resource_path

log = logging.getLogger(__name__)
MAX_RECENT = 8
FILE_FILTER = QT_TRANSLATE_NOOP("MainWindow", "Latent Explorer models (*.safetensors)")


class MainWindow(QMainWindow):
    def __init__(self, data_dir: str | None = None, checkpoints: list[str] | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Latent Explorer"))
        self.setWindowIcon(QIcon(str(resource_path("icon.svg"))))
        self.data_dir = data_dir
        self.session = Session(self)
        self.runner = TaskRunner(self)
        self.data_worker: Worker | None = None
        # Questions at close time go through this, so scripts and tests can answer them.
        self.ask = self._ask_with_dialog

        self.tabs = QTabWidget(objectName="panelTabs")
        self.tabs.setDocumentMode(True)
        self.training_panel = TrainingPanel(self.session, self.runner)
        self.tabs.addTab(self.training_panel, self.tr("Training"))
        self.latent_panel = LatentPanel(self.session, self.runner)
        self.tabs.addTab(self.latent_panel, self.tr("Latent explorer"))
        self.generation_panel = GenerationPanel(self.session)
        self.tabs.addTab(self.generation_panel, self.tr("Generation"))
        self.reconstruction_panel = ReconstructionPanel(self.session)
        self.tabs.addTab(self.reconstruction_panel, self.tr("Reconstruction && denoising"))
        self.compare_panel = ComparePanel(self.session, self.runner)
        self.tabs.addTab(self.compare_panel, self.tr("AE vs VAE"))
        for index in range(self.tabs.count()):
            QShortcut(
                QKeySequence(f"Ctrl+{index + 1}"), self, activated=partial(self.tabs.setCurrentIndex, index)
            )
        self.setCentralWidget(self.tabs)

        self._build_menus()
        self._build_status_bar()
        self.training_panel.errorOccurred.connect(self._on_panel_error)
        self.training_panel.dataMissing.connect(self._on_panel_data_missing)
        self.session.modelsChanged.connect(self._on_session_models_changed)
        self.session.datasetChanged.connect(self._on_session_dataset_changed)

        self.resize(1600, 960)
        self._restore_geometry()
        for path in checkpoints or []:
            self.open_checkpoint(path)
        self.load_data()

    # --- menus and status bar ---------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.open_action = QAction(self.tr("&Open model…"), self, shortcut=QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self._on_open_action_triggered)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.recent_menu.setObjectName("recentMenu")
        self.save_action = QAction(self.tr("&Save model as…"), self, shortcut=QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self._on_save_action_triggered)
        file_menu.addAction(self.save_action)
        self.export_action = QAction(self.tr("&Export view as PNG…"), self, shortcut="Ctrl+E")
        self.export_action.triggered.connect(self._on_export_action_triggered)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.fullscreen_action = QAction(self.tr("&Full screen"), self, shortcut="F11", checkable=True)
        self.fullscreen_action.toggled.connect(self._on_fullscreen_action_toggled)
        view_menu.addAction(self.fullscreen_action)
        self.log_action = QAction(self.tr("&Log scale for losses"), self, shortcut="Ctrl+L", checkable=True)
        self.log_action.toggled.connect(self.training_panel.log_check.setChecked)
        self.training_panel.log_check.toggled.connect(self.log_action.setChecked)
        view_menu.addAction(self.log_action)
        self._build_language_menu(view_menu.addMenu(self.tr("&Language")))

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        shortcuts = QAction(self.tr("&Keyboard shortcuts"), self, shortcut="F1")
        shortcuts.triggered.connect(self._on_shortcuts_action_triggered)
        help_menu.addAction(shortcuts)
        about = QAction(self.tr("&About Latent Explorer"), self)
        about.triggered.connect(self._on_about_action_triggered)
        help_menu.addAction(about)
        self._refresh_recent_menu()

    def _build_language_menu(self, menu: QMenu) -> None:
        menu.setObjectName("languageMenu")
        group = QActionGroup(self)
        for code in i18n.LANGUAGES:
            action = QAction(i18n.LANGUAGE_NAMES[code], self, checkable=True, checked=code == i18n.language())
            action.setData(code)
            action.triggered.connect(self._on_language_action_triggered)
            group.addAction(action)
            menu.addAction(action)

    @Slot()
    def _on_language_action_triggered(self) -> None:
        code = self.sender().data()
        i18n.save_language(code)
        if code == i18n.language():
            return
        messages = {
            "en": self.tr("Latent Explorer will be in English the next time it starts."),
            "fr": self.tr("Latent Explorer will be in French the next time it starts."),
        }
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Language"),
            messages[code],
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("languageDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.device_label = QLabel(objectName="deviceStatusLabel")
        self.dataset_label = QLabel(objectName="datasetStatusLabel")
        self.models_label = QLabel(objectName="modelsStatusLabel")
        for label in (self.dataset_label, self.models_label, self.device_label):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)
        if torch.cuda.is_available():
            self.device_label.setText(self.tr("Device: {gpu}").format(gpu=torch.cuda.get_device_name(0)))
        else:
            self.device_label.setText(self.tr("Device: CPU"))
        self.dataset_label.setText(self.tr("Fashion-MNIST: looking…"))
        self._on_session_models_changed()

    @Slot()
    def _on_session_models_changed(self) -> None:
        entries = self.session.entries
        if not entries:
            self.models_label.setText(self.tr("Models: none yet"))
        else:
            kinds = ", ".join(
                (self.tr("{kind} ({n} ep.)") if e.saved else self.tr("{kind} ({n} ep., unsaved)")).format(
                    kind=e.kind.upper(), n=e.epochs
                )
                for e in entries
            )
            self.models_label.setText(self.tr("Models: {list}").format(list=kinds))

    # --- data ------------------------------------------------------------------------------

    def load_data(self, download: bool = False) -> None:
        """Find (or download) Fashion-MNIST in a worker; the status bar follows."""
        if self.runner.is_running("data"):
            return
        data_dir = self.data_dir
        self.data_worker = Worker(lambda worker: load_fashion_mnist(data_dir, download=download), "data")
        self.data_worker.finished.connect(self._on_data_worker_finished)
        self.data_worker.failed.connect(self._on_data_worker_failed)
        self.dataset_label.setText(
            self.tr("Fashion-MNIST: downloading…") if download else self.tr("Fashion-MNIST: loading…")
        )
        self.runner.start(self.data_worker)

    @Slot(object)
    def _on_data_worker_finished(self, dataset) -> None:
        self.data_worker = None
        self.session.set_dataset(dataset)

    @Slot(str)
    def _on_data_worker_failed(self, message: str) -> None:
        self.data_worker = None
        self.session.set_dataset(None, message)

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        data = self.session.dataset
        if data is None:
            self.dataset_label.setText(self.tr("Fashion-MNIST: not found"))
            self.dataset_label.setToolTip(self.session.dataset_error or "")
            self.dataset_label.setStyleSheet("color: #b00020;")
        else:
            self.dataset_label.setText(
                self.tr("Fashion-MNIST: {train} + {test} images").format(
                    train=i18n.format_count(len(data.train)), test=i18n.format_count(len(data.test))
                )
            )
            self.dataset_label.setToolTip(self.tr("From {source}").format(source=data.source))
            self.dataset_label.setStyleSheet("")

    @Slot()
    def _on_panel_data_missing(self) -> None:
        if self.runner.is_running("data"):
            self.show_error(
                self.tr("Fashion-MNIST"), self.tr("The dataset is still loading; try again in a moment.")
            )
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("No training data"), "", parent=self)
        box.setObjectName("dataMissingDialog")
        box.setText(self.tr("Fashion-MNIST was not found on this computer."))
        box.setInformativeText(self.session.dataset_error or "")
        download = box.addButton(self.tr("Download (needs internet)"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(self._on_data_missing_dialog_clicked)
        self._download_button = download
        box.open()

    @Slot(object)
    def _on_data_missing_dialog_clicked(self, button) -> None:
        if button is getattr(self, "_download_button", None):
            self.load_data(download=True)

    # --- files -----------------------------------------------------------------------------

    def open_checkpoint(self, path: str | Path) -> ModelEntry | None:
        """Open a model file into the session; errors go to a dialog. Returns the entry."""
        path = Path(path).expanduser()
        existing = self.session.find_path(path)
        if existing is not None:
            self.training_panel.select_entry(existing.id)
            return existing
        try:
            checkpoint = load_checkpoint(path)
        except CheckpointError as exc:
            self.show_error(self.tr("Cannot open model"), str(exc))
            self._forget_recent(path)
            return None
        entry = self.session.add(ModelEntry.from_checkpoint(checkpoint))
        self._remember_recent(path)
        if not self.training_panel.is_training:
            self.training_panel.select_entry(entry.id)
        self.statusBar().showMessage(self.tr("Opened {name}").format(name=path.name), 5000)
        return entry

    def save_entry(self, entry: ModelEntry, path: str | Path) -> bool:
        path = Path(path).expanduser()
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        if entry.training:
            self.show_error(
                self.tr("Cannot save"), self.tr("Stop or finish training before saving this model.")
            )
            return False
        try:
            save_checkpoint(path, entry.model, entry.train_config, entry.history, replay=entry.replay)
        except CheckpointError as exc:
            self.show_error(self.tr("Cannot save model"), str(exc))
            return False
        entry.path = path
        entry.saved = True
        self._remember_recent(path)
        self.session.modelsChanged.emit()
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 5000)
        return True

    @Slot()
    def _on_open_action_triggered(self) -> None:
        folder = app_settings().value("files/last_folder", str(Path.home()))
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Open models"), folder, self.tr(FILE_FILTER))
        for path in paths:
            self.open_checkpoint(path)

    @Slot()
    def _on_save_action_triggered(self) -> None:
        entry = self.training_panel.current_entry()
        if entry is None:
            self.show_error(self.tr("Nothing to save"), self.tr("Train a model or open one first."))
            return
        self.save_entry_with_dialog(entry)

    def save_entry_with_dialog(self, entry: ModelEntry) -> bool:
        folder = Path(app_settings().value("files/last_folder", str(Path.home())))
        suggested = (
            entry.path or folder / f"{entry.kind}-latent{entry.model.latent_dim}-{entry.epochs}ep{SUFFIX}"
        )
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save model as"), str(suggested), self.tr(FILE_FILTER)
        )
        return bool(path) and self.save_entry(entry, path)

    def export_view(self, path: str | Path) -> bool:
        """Save the current panel, as shown, to a PNG file."""
        path = Path(path).expanduser()
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        if not self.tabs.currentWidget().grab().save(str(path), "PNG"):
            self.show_error(self.tr("Cannot export"), self.tr("Could not write {path}.").format(path=path))
            return False
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 5000)
        return True

    @Slot()
    def _on_export_action_triggered(self) -> None:
        folder = Path(app_settings().value("files/last_folder", str(Path.home())))
        tab = self.tabs.tabText(self.tabs.currentIndex()).replace("&&", "")
        name = re.sub(r"[\W_]+", "-", tab).strip("-").lower()  # "reconstruction-débruitage"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export view"), str(folder / f"{name}.png"), self.tr("PNG images (*.png)")
        )
        if path:
            self.export_view(path)

    def _recent(self) -> list[str]:
        value = app_settings().value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in value or [] if isinstance(v, str)]

    def _remember_recent(self, path: Path) -> None:
        s = app_settings()
        text = str(path.resolve())
        recent = [text] + [p for p in self._recent() if p != text]
        s.setValue("files/recent", recent[:MAX_RECENT])
        s.setValue("files/last_folder", str(path.resolve().parent))
        self._refresh_recent_menu()

    def _forget_recent(self, path: Path) -> None:
        text = str(path.resolve())
        app_settings().setValue("files/recent", [p for p in self._recent() if p != text])
        self._refresh_recent_menu()

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        for index, path in enumerate(recent):
            action = self.recent_menu.addAction(f"&{index + 1}  {Path(path).name}")
            action.setData(path)
            action.setToolTip(path)
            action.triggered.connect(self._on_recent_action_triggered)
        self.recent_menu.setEnabled(bool(recent))

    @Slot()
    def _on_recent_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.open_checkpoint(action.data())

    # --- dialogs ---------------------------------------------------------------------------

    def show_error(self, title: str, message: str) -> QMessageBox:
        """A non-blocking error dialog (the event loop keeps running)."""
        log.warning("%s: %s", title, message)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    @Slot(str, str)
    def _on_panel_error(self, title: str, message: str) -> None:
        self.show_error(title, message)

    def _ask_with_dialog(self, title: str, text: str, buttons: list[str]) -> int:
        """Ask a question; returns the index of the chosen button (the last one is Cancel)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        added = [box.addButton(label, QMessageBox.ButtonRole.ActionRole) for label in buttons[:-1]]
        cancel = box.addButton(buttons[-1], QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        return added.index(clicked) if clicked in added else len(buttons) - 1

    @Slot()
    def _on_about_action_triggered(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Latent Explorer"),
            self.tr(
                "<h3>Latent Explorer {version}</h3><p>Train an auto-encoder and a variational "
                "auto-encoder on Fashion-MNIST and explore their latent spaces.</p>"
                "<p>Fashion-MNIST © Zalando SE, MIT licence. Built with PyTorch, Qt (PySide6) and "
                "pyqtgraph.</p>"
            ).format(version=__version__),
        )

    @Slot()
    def _on_shortcuts_action_triggered(self) -> None:
        QMessageBox.information(
            self,
            self.tr("Keyboard shortcuts"),
            self.tr(
                "Ctrl+1 … Ctrl+5\tswitch panels\nCtrl+E\texport the view as PNG\nCtrl+G\tnew draws (Generation)\n"
                "Ctrl+Enter\tstart training\nCtrl+O\topen models\nCtrl+S\tsave the selected model\n"
                "Ctrl+L\tlog scale for losses\nF11\tfull screen\nF1\tthis list\nCtrl+Q\tquit"
            ),
        )

    @Slot(bool)
    def _on_fullscreen_action_toggled(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    # --- shutdown ---------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = app_settings().value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._confirm_close():
            event.ignore()
            return
        self.training_panel.save_settings()
        app_settings().setValue("window/geometry", self.saveGeometry())
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop every worker and wait for its thread (also used by tests)."""
        if self.training_panel.process is not None:
            self.training_panel.process.request_stop()
        self.runner.stop_all()

    def _confirm_close(self) -> bool:
        panel = self.training_panel
        if panel.is_training:
            choice = self.ask(
                self.tr("Training is running"),
                self.tr("A model is training. Stop training and quit?"),
                [self.tr("Stop, save and quit"), self.tr("Stop and quit without saving"), self.tr("Cancel")],
            )
            if choice == 2:
                return False
            entry = panel.training_entry
            panel.process.request_stop()
            self.runner.stop_all()
            QApplication.processEvents()  # deliver the worker's last epoch and its result
            if choice == 0 and entry is not None:
                entry.training = False
                if not self._save_before_close(entry):
                    return False
            else:
                for e in self.session.unsaved():
                    e.saved = True  # the user chose to discard
        unsaved = self.session.unsaved()
        if unsaved:
            choice = self.ask(
                self.tr("Unsaved models"),
                self.tr("{n} trained model(s) have not been saved.").format(n=len(unsaved)),
                [self.tr("Save…"), self.tr("Quit without saving"), self.tr("Cancel")],
            )
            if choice == 2:
                return False
            if choice == 0:
                return all(self._save_before_close(e) for e in unsaved)
        return True

    def _save_before_close(self, entry: ModelEntry) -> bool:
        if entry.path is not None:
            return self.save_entry(entry, entry.path)
        return self.save_entry_with_dialog(entry)

    def panel(self) -> QWidget:
        return self.tabs.currentWidget()
