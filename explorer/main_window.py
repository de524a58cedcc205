"""The main window: panels in tabs, menus, the status bar, files in and out, clean shutdown."""

from __future__ import annotations

import logging
import re
from functools import partial
from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Slot
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
from core.checkpoint import SUFFIX
from core.datasets import DEFAULT, describe
from core.paths import user_data_dir
from explorer.panels.compare_panel import ComparePanel
from explorer.panels.draw_panel import DrawPanel
from explorer.panels.generation_panel import GenerationPanel
from explorer.panels.latent_panel import LatentPanel
from explorer.panels.reconstruction_panel import ReconstructionPanel
from explorer.panels.training_panel import TrainingPanel
from explorer.platform import crash, i18n
from explorer.platform.settings import app_settings
from explorer.state import autosave
from explorer.state.data_loader import DataLoader
from explorer.state.scene import SUFFIX as SCENE_SUFFIX
from explorer.state.panels import DrawState, GenerationState, ReconstructionState, UnderstandingState
from explorer.state.scene import (
    SceneError,
    SceneSection,
    apply_sections,
    entry_finder,
    get_choice,
    get_float,
    get_int,
    get_vector,
    load_scene,
    save_scene,
    scene_models,
    sections_to_scene,
)
from explorer.state.session import ModelEntry, Session
from explorer.state.training_run import TrainingRun
from explorer.views.presentation import apply_presentation
from explorer.views.shortcuts import ShortcutsDialog
from explorer.views.widgets import shrinkable
from explorer.panels.understanding_panel import UnderstandingPanel
from explorer.workers import TaskRunner
from resources import resource_path

log = logging.getLogger(__name__)


FILE_FILTER = QT_TRANSLATE_NOOP("MainWindow", "Latent Explorer models (*.safetensors)")


class MainWindow(QMainWindow):
    def __init__(
        self,
        data_dir: str | None = None,
        checkpoints: list[str] | None = None,
        open_bundled: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Latent Explorer"))
        self.setWindowIcon(QIcon(str(resource_path("icon.svg"))))
        self.data_dir = data_dir
        self.session = Session(self)
        self.runner = TaskRunner(self)
        self.data_loader = DataLoader(self.session, self.runner, data_dir, self)
        # Questions at close time go through this, so scripts and tests can answer them.
        self.ask = self._ask_with_dialog

        # What the user set in the panels; made before the panels, so that the window, which
        # destroys its children in order, cuts their bindings before any widget goes.
        self.generation_state = GenerationState(self)
        self.reconstruction_state = ReconstructionState(self)
        self.understanding_state = UnderstandingState(self)
        self.draw_state = DrawState(self)
        self.tabs = QTabWidget(objectName="panelTabs")
        self.tabs.setDocumentMode(True)
        self.training_run = TrainingRun(self.session, self.runner, self)
        self.training_panel = TrainingPanel(self.session, self.runner, self.training_run)
        self.tabs.addTab(self.training_panel, self.tr("Training"))
        self.latent_panel = LatentPanel(self.session, self.runner)
        self.tabs.addTab(self.latent_panel, self.tr("Latent explorer"))
        self.generation_panel = GenerationPanel(self.session, self.generation_state)
        self.tabs.addTab(self.generation_panel, self.tr("Generation"))
        self.reconstruction_panel = ReconstructionPanel(self.session, self.reconstruction_state)
        self.tabs.addTab(self.reconstruction_panel, self.tr("Reconstruction && denoising"))
        self.compare_panel = ComparePanel(self.session, self.runner)
        self.tabs.addTab(self.compare_panel, self.tr("AE vs VAE"))
        self.understanding_panel = UnderstandingPanel(
            self.session, self.runner, self.latent_panel.state, self.understanding_state
        )
        self.tabs.addTab(self.understanding_panel, self.tr("Understanding"))
        self.draw_panel = DrawPanel(self.session, self.runner, self.draw_state)
        self.tabs.addTab(self.draw_panel, self.tr("Your drawing"))
        for index in range(self.tabs.count()):
            QShortcut(
                QKeySequence(f"Ctrl+{index + 1}"), self, activated=partial(self.tabs.setCurrentIndex, index)
            )
        self.setCentralWidget(self.tabs)

        self._build_menus()
        self._build_status_bar()
        self.training_panel.errorOccurred.connect(self._on_panel_error)
        autosave.notifier.failed.connect(self._on_panel_error)  # crash protection is off
        self.training_panel.dataMissing.connect(self._on_panel_data_missing)
        self.draw_panel.errorRaised.connect(self._on_panel_error)
        self.training_panel.datasetRequested.connect(self._on_dataset_requested)
        self.draw_panel.codeChanged.connect(self._on_draw_panel_code_changed)
        self.session.modelsChanged.connect(self._on_session_models_changed)
        self.session.datasetChanged.connect(self._on_session_dataset_changed)
        self.session.problem.connect(self._on_panel_error)
        self.session.message.connect(self._on_session_message)
        self.session.alreadyOpen.connect(self._on_session_already_open)
        self.session.recentChanged.connect(self._refresh_recent_menu)
        self.data_loader.started.connect(self._on_data_loader_started)
        self.data_loader.progress.connect(self._on_data_loader_progress)
        self.data_loader.problem.connect(self._on_panel_error)

        self.resize(1600, 960)
        self._restore_geometry()
        for path in checkpoints or []:
            self.open_checkpoint(path)
        if not checkpoints and open_bundled and not self.reopen_last_models():
            self.open_bundled_models()
        self.load_data()
        # Autosaves of a session that crashed: offered once the window is up (non-blocking).
        self._recovery_timer = QTimer(self, singleShot=True, interval=0)
        self._recovery_timer.timeout.connect(self.offer_recovery)
        self._recovery_timer.start()

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
        file_menu.addSeparator()
        self.open_scene_action = QAction(self.tr("Open &scene…"), self, shortcut="Ctrl+Shift+O")
        self.open_scene_action.setToolTip(self.tr("Bring back a view saved with Save scene"))
        self.open_scene_action.triggered.connect(self._on_open_scene_action_triggered)
        file_menu.addAction(self.open_scene_action)
        self.save_scene_action = QAction(self.tr("Save s&cene as…"), self, shortcut="Ctrl+Shift+S")
        self.save_scene_action.setToolTip(
            self.tr("Save this exact view (models, panel, selection, sliders) to show it in class")
        )
        self.save_scene_action.triggered.connect(self._on_save_scene_action_triggered)
        file_menu.addAction(self.save_scene_action)
        file_menu.addSeparator()
        self.export_action = QAction(self.tr("&Export view as PNG…"), self, shortcut="Ctrl+E")
        self.export_action.triggered.connect(self._on_export_action_triggered)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.presentation_action = QAction(
            self.tr("&Presentation mode"),
            self,
            shortcut="F5",
            checkable=True,
            objectName="presentationAction",
        )
        self.presentation_action.setToolTip(
            self.tr("Large text, thick lines and high contrast for a projector; full screen")
        )
        self.presentation_action.toggled.connect(self._on_presentation_action_toggled)
        view_menu.addAction(self.presentation_action)
        self.fullscreen_action = QAction(self.tr("&Full screen"), self, shortcut="F11", checkable=True)
        self.fullscreen_action.toggled.connect(self._on_fullscreen_action_toggled)
        view_menu.addAction(self.fullscreen_action)
        self.log_action = QAction(self.tr("&Log scale for losses"), self, shortcut="Ctrl+L", checkable=True)
        self.log_action.toggled.connect(self.training_panel.set_log_scale)
        self.training_panel.logScaleToggled.connect(self.log_action.setChecked)
        view_menu.addAction(self.log_action)
        self._build_language_menu(view_menu.addMenu(self.tr("&Language")))

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        shortcuts = QAction(self.tr("&Keyboard shortcuts"), self, shortcut="F1")
        shortcuts.triggered.connect(self._on_shortcuts_action_triggered)
        help_menu.addAction(shortcuts)
        self.log_folder_action = QAction(self.tr("Open &log folder"), self, objectName="openLogFolderAction")
        self.log_folder_action.triggered.connect(self._on_log_folder_action_triggered)
        help_menu.addAction(self.log_folder_action)
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
            bar.addPermanentWidget(shrinkable(label))
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

    def load_data(self, download: bool = False, spec: str | None = None) -> None:
        """Find (or download) Fashion-MNIST — or the dataset spec names — in a worker; the status
        bar follows."""
        self.data_loader.load(download, spec)

    @Slot(bool)
    def _on_data_loader_started(self, download: bool) -> None:
        self.dataset_label.setText(
            self.tr("Fashion-MNIST: downloading…") if download else self.tr("Fashion-MNIST: loading…")
        )

    @Slot(int, int)
    def _on_data_loader_progress(self, done: int, total: int) -> None:
        self.dataset_label.setText(self.tr("Converting pictures: {done} of {total}…").format(done=done, total=total))

    @Slot(str)
    def _on_dataset_requested(self, spec: str) -> None:
        self.load_data(spec=spec)

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        data = self.session.dataset
        if data is None:
            self.dataset_label.setText(self.tr("Fashion-MNIST: not found"))
            self.dataset_label.setToolTip(self.session.dataset_error or "")
            self.dataset_label.setStyleSheet("color: #b00020;")
        elif data.sample:
            self.dataset_label.setText(
                (
                    self.tr("Fashion-MNIST is damaged: using the bundled sample ({n} test images)")
                    if self.data_loader.damaged
                    else self.tr("Fashion-MNIST not found: using the bundled sample ({n} test images)")
                ).format(n=i18n.format_count(len(data.test)))
            )
            self.dataset_label.setToolTip(
                self.tr("Training needs the full dataset. {why}").format(why=self.session.dataset_error or "")
            )
            self.dataset_label.setStyleSheet("color: #8a5a00;")
        elif data.info.spec != DEFAULT:
            self.dataset_label.setText(
                self.tr("{name}: {train} + {test} images").format(
                    name=describe(data.info.spec),
                    train=i18n.format_count(len(data.train)),
                    test=i18n.format_count(len(data.test)),
                )
            )
            self.dataset_label.setToolTip(self.tr("From {source}").format(source=data.source))
            self.dataset_label.setStyleSheet("")
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
        if self.data_loader.loading:
            self.show_error(
                self.tr("Fashion-MNIST"), self.tr("The dataset is still loading; try again in a moment.")
            )
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("No training data"), "", parent=self)
        box.setObjectName("dataMissingDialog")
        box.setText(
            self.tr(
                "Training needs Fashion-MNIST, whose files here cannot be used (see below). Until then "
                "the explorer shows the bundled models on a sample of the test images."
            )
            if self.data_loader.damaged
            else self.tr(
                "Training needs Fashion-MNIST, which was not found on this computer. Until then the "
                "explorer shows the bundled models on a sample of the test images."
            )
        )
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

    # Files go through the session (explorer.state.session); these stay for scripts and tests.

    def reopen_last_models(self) -> bool:
        """The models open when the app last closed (saved ones only), if they still exist."""
        return self.session.reopen_last()

    def open_bundled_models(self, kinds: tuple[str, ...] | list[str] = ("ae", "vae")) -> list[ModelEntry]:
        """The pretrained AE and VAE shipped with the app, so the explorer works at once."""
        return self.session.open_bundled(kinds)

    def open_checkpoint(self, path: str | Path, select: bool = True) -> ModelEntry | None:
        """Open a model file into the session; errors go to a dialog. Returns the entry."""
        known = {e.id for e in self.session.entries}
        entry = self.session.open_checkpoint(path)
        if select and entry is not None and entry.id not in known and not self.training_run.is_running:
            self.training_panel.select_entry(entry.id)
        return entry

    def save_entry(self, entry: ModelEntry, path: str | Path) -> bool:
        return self.session.save_entry(entry, path)

    @Slot(int)
    def _on_session_already_open(self, entry_id: int) -> None:
        self.training_panel.select_entry(entry_id)

    @Slot(str, int)
    def _on_session_message(self, text: str, milliseconds: int) -> None:
        self.statusBar().showMessage(text, milliseconds)

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
        return self.session.recent()

    @Slot()
    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.session.recent()
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

    # --- recovery of autosaved models -----------------------------------------------------

    @Slot()
    def offer_recovery(self) -> QMessageBox | None:
        """Offer back the models a crashed session was training (autosaved after each epoch)."""
        files = autosave.orphans()
        if not files:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Recover unsaved models?"), "", parent=self)
        box.setObjectName("recoveryDialog")
        box.setText(
            self.tr(
                "Latent Explorer did not close normally. These models were saved automatically after "
                "their last finished epoch:"
            )
        )
        box.setInformativeText("\n".join("• " + autosave.describe(p) for p in files))
        self._recover_button = box.addButton(self.tr("Recover"), QMessageBox.ButtonRole.AcceptRole)
        self._discard_button = box.addButton(self.tr("Discard them"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Decide later"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._recovery_files = files
        box.buttonClicked.connect(self._on_recovery_dialog_clicked)
        box.open()
        return box

    @Slot(object)
    def _on_recovery_dialog_clicked(self, button) -> None:
        files, self._recovery_files = self._recovery_files, []
        if button is self._discard_button:
            for path in files:
                path.unlink(missing_ok=True)
        elif button is self._recover_button:
            self.recover(files)

    def recover(self, files: list[Path]) -> list[ModelEntry]:
        """Open autosaved models as unsaved models of this session (their autosave moves to it)."""
        entries = self.session.recover(files)
        if entries:
            self.training_panel.select_entry(entries[-1].id)
        return entries

    # --- scenes ----------------------------------------------------------------------------

    PANEL_KEYS = ("training", "latent", "generation", "reconstruction", "compare", "understanding", "draw")

    def _panels(self) -> dict[str, QWidget]:
        return {
            "training": self.training_panel,
            "latent": self.latent_panel,
            "generation": self.generation_panel,
            "reconstruction": self.reconstruction_panel,
            "compare": self.compare_panel,
            "understanding": self.understanding_panel,
            "draw": self.draw_panel,
        }

    def scene(self, scene_dir: Path) -> tuple[dict, list[str]]:
        """The current view as a scene (see explorer.state.scene), and the names of the models it
        cannot hold (never saved, or changed since)."""
        refs, at, left_out = scene_models(self.session.entries, scene_dir)
        panel = next((k for k, w in self._panels().items() if w is self.tabs.currentWidget()), "training")
        scene = {
            "models": refs,
            "panel": panel,
            "presentation": self.presentation,
            **sections_to_scene(self.scene_states(), at),
            "dataset": self.session.dataset.info.spec if self.session.dataset is not None else DEFAULT,
        }
        return scene, left_out

    def scene_states(self) -> dict[str, SceneSection]:
        """The states that write a section of a scene, in the order a scene is applied."""
        return {
            "latent": self.latent_panel.state,
            "compare": self.compare_panel.state,
            "generation": self.generation_state,
            "reconstruction": self.reconstruction_state,
            "understanding": self.understanding_state,
            "draw": self.draw_state,
        }

    def save_scene(self, path: str | Path) -> bool:
        path = Path(path).expanduser()
        if not path.name.endswith(".json"):
            path = path.with_name(path.name + SCENE_SUFFIX)
        scene, left_out = self.scene(path.parent)
        try:
            save_scene(path, scene)
        except SceneError as exc:
            self.show_error(self.tr("Cannot save scene"), str(exc))
            return False
        app_settings().setValue("files/last_scene_folder", str(path.resolve().parent))
        if left_out:
            self.show_error(
                self.tr("Scene saved without some models"),
                self.tr(
                    "These models are not saved, so the scene cannot name them: {names}. Save them, then save the scene again."
                ).format(names="; ".join(left_out)),
            )
        self.statusBar().showMessage(self.tr("Saved scene {path}").format(path=path), 5000)
        return True

    def open_scene(self, path: str | Path) -> bool:
        """Restore the view a scene describes; its missing models are named in one dialog."""
        path = Path(path).expanduser()
        try:
            document = load_scene(path)
        except SceneError as exc:
            self.show_error(self.tr("Cannot open scene"), str(exc))
            return False
        app_settings().setValue("files/last_scene_folder", str(path.resolve().parent))
        missing = self.apply_scene(document, path.parent)
        if missing:
            self.show_error(
                self.tr("Models of the scene not found"),
                self.tr(
                    "The scene {scene} uses models that could not be opened:\n{list}\nThe rest of the scene is shown."
                ).format(scene=path.name, list="\n".join(missing)),
            )
        self.statusBar().showMessage(self.tr("Opened scene {name}").format(name=path.name), 5000)
        return True

    def apply_scene(self, scene: dict, scene_dir: Path) -> list[str]:
        """Bring back a (checked) scene; returns the models that could not be opened."""
        entries, missing = self.session.open_scene_models(scene.get("models", []), scene_dir)
        entry_at = entry_finder(entries)
        if isinstance(scene.get("presentation"), bool):
            self.set_presentation(scene["presentation"])

        apply_sections(scene, self.scene_states(), entry_at)
        spec = scene.get("dataset")
        current = self.session.dataset.info.spec if self.session.dataset is not None else DEFAULT
        if isinstance(spec, str) and 0 < len(spec) <= 4096 and spec != current:
            self.load_data(spec=spec)  # in a worker; every panel follows when it is there

        panel = get_choice(scene, "panel", self.PANEL_KEYS)
        if panel is not None:
            self.tabs.setCurrentWidget(self._panels()[panel])
        return missing

    @Slot()
    def _on_open_scene_action_triggered(self) -> None:
        folder = app_settings().value("files/last_scene_folder", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open scene"), folder, self.tr("Lesson scenes (*.scene.json *.json)")
        )
        if path:
            self.open_scene(path)

    @Slot()
    def _on_save_scene_action_triggered(self) -> None:
        folder = Path(app_settings().value("files/last_scene_folder", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save scene as"),
            str(folder / f"lesson{SCENE_SUFFIX}"),
            self.tr("Lesson scenes (*.scene.json)"),
        )
        if path:
            self.save_scene(path)

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

    @Slot(int, object)
    def _on_draw_panel_code_changed(self, entry_id: int, code) -> None:
        # The explorer's sliders follow the drawing while they show the same model.
        entry = self.latent_panel.entry
        if entry is not None and entry.id == entry_id:
            self.latent_panel.state.set_code(code)

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
                "<p>Free software under the MIT licence.</p>"
                "<p>Fashion-MNIST © 2017 Zalando SE, MIT licence; a sample of its test images and "
                "two models trained on it ship with the app. Built with PyTorch, scikit-learn, "
                "Qt (PySide6) and pyqtgraph.</p>"
                "<p>Settings and logs: {folder}</p>"
            ).format(version=__version__, folder=user_data_dir()),
        )

    @Slot()
    def _on_shortcuts_action_triggered(self) -> None:
        dialog = ShortcutsDialog(self, self.tabs.count())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def _on_log_folder_action_triggered(self) -> None:
        if not crash.open_log_folder():
            self.show_error(
                self.tr("Open log folder"),
                self.tr("No file manager could open {folder}").format(folder=crash.log_path().parent),
            )

    @Slot(bool)
    def _on_fullscreen_action_toggled(self, on: bool) -> None:
        state = self.windowState()
        if on:
            self.setWindowState(state | Qt.WindowState.WindowFullScreen)
        else:
            self.setWindowState(state & ~Qt.WindowState.WindowFullScreen)

    @property
    def presentation(self) -> bool:
        return self.presentation_action.isChecked()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode on or off (remembered): large fonts and plots, high contrast, full screen."""
        if self.presentation_action.isChecked() != on:
            self.presentation_action.setChecked(on)  # → _on_presentation_action_toggled
        else:
            self._on_presentation_action_toggled(on)

    @Slot(bool)
    def _on_presentation_action_toggled(self, on: bool) -> None:
        apply_presentation(self, on)
        self.fullscreen_action.setChecked(on)
        app_settings().setValue("view/presentation", on)

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
        self.session.remember_models()
        autosave.remove_all_of_this_session()  # each model was saved or deliberately discarded
        app_settings().setValue("window/geometry", self.saveGeometry())
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop every worker and wait for its thread (also used by tests)."""
        self.training_run.shutdown()  # kills its child, waits for its autosaves
        self.latent_panel.shutdown()  # t-SNE children
        self.compare_panel.shutdown()
        self.data_loader.stop()
        self.runner.close()

    def _confirm_close(self) -> bool:
        run = self.training_run
        if run.is_running:
            choice = self.ask(
                self.tr("Training is running"),
                self.tr("A model is training. Stop training and quit?"),
                [self.tr("Stop, save and quit"), self.tr("Stop and quit without saving"), self.tr("Cancel")],
            )
            if choice == 2:
                return False
            entry = run.entry
            if choice == 0:
                run.stop()  # ends after this batch, with its weights
            else:
                run.kill()  # nothing to keep: do not wait for the batch
            self.runner.stop_all(timeout_ms=60_000 if choice == 0 else 5000)
            QApplication.processEvents()  # deliver the worker's last epoch and its result
            run.settle()  # its autosaves on disk before this session's are removed
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
