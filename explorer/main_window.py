"""The main window: panels in tabs, menus, the status bar, dialogs and a clean close.

Its menus are explorer/views/menus.py, its message boxes explorer/views/dialogs.py; model files
and exports go through explorer/file_flow.py, scenes through explorer/scene_flow.py, and both
to the session (explorer/state/session.py). What stays here is the window itself: the tabs, the
status bar, which dialog answers what, and the close.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QTabWidget, QWidget

from explorer.platform.settings import app_settings
from explorer.state.scene import PANEL_KEYS
from explorer.window_loading import PanelImporter, loading_tabs
from resources import resource_path

if TYPE_CHECKING:
    from explorer.state.scene import SceneSection
    from explorer.state.session import ModelEntry

class MainWindow(QMainWindow):
    PANEL_KEYS = PANEL_KEYS

    # The panels are built (build_panels); before that the window is its frame only.
    panelsBuilt = Signal()
    # Building the panels failed (a staged window): the exception, for a start-up error dialog.
    buildFailed = Signal(object)

    def __init__(
        self,
        data_dir: str | None = None,
        checkpoints: list[str] | None = None,
        open_bundled: bool = True,
        staged: bool = False,
    ) -> None:
        """The window with its panels; with ``staged``, its frame only (title, tabs, status bar:
        no PyTorch yet), to show at once and fill with ``build_panels_soon()``."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Latent Explorer"))
        self.setWindowIcon(QIcon(str(resource_path("icon.svg"))))
        self.data_dir = data_dir
        self._to_open = (checkpoints or [], open_bundled)
        self.built = False
        self.imported = False  # what the panels need (build_panels_soon)
        self._closed = False
        self._frame_tabs = loading_tabs(self._tab_titles(), self.tr("Loading PyTorch and the panels…"))
        self.setCentralWidget(self._frame_tabs)
        for title in ("&File", "&View", "&Help"):  # WindowMenus' own, in place until they come
            self.menuBar().addMenu(QCoreApplication.translate("WindowMenus", title)).setEnabled(False)
        self.statusBar().showMessage(self.tr("Loading PyTorch…"))
        self.resize(1600, 960)
        self._restore_geometry()
        if not staged:
            self.build_panels()

    def _tab_titles(self) -> list[str]:
        return [
            self.tr("Training"),
            self.tr("Latent explorer"),
            self.tr("Generation"),
            self.tr("Reconstruction && denoising"),
            self.tr("AE vs VAE"),
            self.tr("Understanding"),
            self.tr("Your drawing"),
        ]

    def build_panels_soon(self) -> None:
        """Import what the panels need on a thread, then build them here (a shown frame stays
        drawn and movable meanwhile). ``panelsBuilt`` or ``buildFailed`` follows."""
        self._importer = PanelImporter(self)
        self._importer.done.connect(self._on_importer_done)
        self._importer.start()

    @Slot(object)
    def _on_importer_done(self, error: BaseException | None) -> None:
        self.imported = True
        if self._closed:
            return
        if error is None:
            try:
                self.build_panels()
            except Exception as exc:  # noqa: BLE001 (the app cannot start: a dialog says why)
                error = exc
        if error is not None:
            self.buildFailed.emit(error)

    def build_panels(self) -> None:
        """The session, the panels, the menus and the status bar; then the models and the data."""
        import pyqtgraph as pg

        from core.training import single_threaded
        from explorer.file_flow import FileFlow
        from explorer.panels.compare_panel import ComparePanel
        from explorer.panels.draw_panel import DrawPanel
        from explorer.panels.generation_panel import GenerationPanel
        from explorer.panels.latent_panel import LatentPanel
        from explorer.panels.reconstruction_panel import ReconstructionPanel
        from explorer.panels.training_panel import TrainingPanel
        from explorer.panels.understanding_panel import UnderstandingPanel
        from explorer.scene_flow import SceneFlow
        from explorer.state import autosave
        from explorer.state.data_loader import DataLoader
        from explorer.state.panels import DrawState, GenerationState, ReconstructionState, UnderstandingState
        from explorer.state.session import Session
        from explorer.state.training_run import TrainingRun
        from explorer.views.dialogs import Dialogs
        from explorer.views.status_labels import StatusLabels
        from explorer.workers import TaskRunner

        # The GUI thread decodes single images; workers train and encode with every core. Keeping
        # torch to one thread here stops OpenMP from throttling the workers (see use_all_threads).
        single_threaded()
        pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
        self.session = Session(self)
        self.runner = TaskRunner(self)
        self.data_loader = DataLoader(self.session, self.runner, self.data_dir, self)
        self.dialogs = Dialogs(self)
        # Questions at close time go through this, so scripts and tests can answer them.
        self.ask = self.dialogs.ask
        self.files = FileFlow(self)
        self.scenes = SceneFlow(self)
        # The dataset is read on a worker while the panels are built: what it finds reaches them
        # through the event loop, after this method.
        self.status_labels = StatusLabels(self.statusBar(), self.session, self.data_loader, self)
        # (tests and scripts read these)
        self.dataset_label, self.models_label = self.status_labels.dataset, self.status_labels.models
        self.device_label = self.status_labels.device
        self.data_loader.problem.connect(self._on_panel_error)
        self.load_data()

        # What the user set in the panels; made before the panels, so that the window, which
        # destroys its children in order, cuts their bindings before any widget goes.
        self.generation_state = GenerationState(self)
        self.reconstruction_state = ReconstructionState(self)
        self.understanding_state = UnderstandingState(self)
        self.draw_state = DrawState(self)
        self.tabs = QTabWidget(objectName="panelTabs")
        self.tabs.setDocumentMode(True)
        titles = self._tab_titles()
        self.training_run = TrainingRun(self.session, self.runner, self)
        self.training_panel = TrainingPanel(self.session, self.runner, self.training_run)
        self.tabs.addTab(self.training_panel, titles[0])
        self.latent_panel = LatentPanel(self.session, self.runner)
        self.tabs.addTab(self.latent_panel, titles[1])
        self.generation_panel = GenerationPanel(self.session, self.generation_state)
        self.tabs.addTab(self.generation_panel, titles[2])
        self.reconstruction_panel = ReconstructionPanel(self.session, self.reconstruction_state)
        self.tabs.addTab(self.reconstruction_panel, titles[3])
        self.compare_panel = ComparePanel(self.session, self.runner)
        self.tabs.addTab(self.compare_panel, titles[4])
        self.understanding_panel = UnderstandingPanel(
            self.session, self.runner, self.latent_panel.state, self.understanding_state
        )
        self.tabs.addTab(self.understanding_panel, titles[5])
        self.draw_panel = DrawPanel(self.session, self.runner, self.draw_state)
        self.tabs.addTab(self.draw_panel, titles[6])
        for index in range(self.tabs.count()):
            QShortcut(
                QKeySequence(f"Ctrl+{index + 1}"), self, activated=partial(self.tabs.setCurrentIndex, index)
            )
        # The frame's tabs go (the tab the user picked meanwhile stays picked), the panels come.
        self.tabs.setCurrentIndex(self._frame_tabs.currentIndex())
        frame_tabs = self.takeCentralWidget()
        frame_tabs.setParent(None)
        frame_tabs.deleteLater()
        self.setCentralWidget(self.tabs)
        self.statusBar().clearMessage()

        self._build_menus()
        self.status_labels.follow(self.training_run)
        self.training_panel.errorOccurred.connect(self._on_panel_error)
        autosave.notifier.failed.connect(self._on_panel_error)  # crash protection is off
        self.training_panel.dataMissing.connect(self._on_panel_data_missing)
        self.draw_panel.errorRaised.connect(self._on_panel_error)
        self.training_panel.datasetRequested.connect(self._on_dataset_requested)
        self.draw_panel.codeChanged.connect(self._on_draw_panel_code_changed)
        self.session.problem.connect(self._on_panel_error)
        self.session.message.connect(self._on_session_message)
        self.session.alreadyOpen.connect(self._on_session_already_open)
        self.session.recentChanged.connect(self._on_session_recent_changed)
        self.dialogs.downloadRequested.connect(self._on_dialogs_download_requested)
        self.dialogs.recoverRequested.connect(self._on_dialogs_recover_requested)
        self.dialogs.discardRequested.connect(self._on_dialogs_discard_requested)

        checkpoints, open_bundled = self._to_open
        for path in checkpoints:
            self.open_checkpoint(path)
        if not checkpoints and open_bundled and not self.reopen_last_models():
            self.open_bundled_models()
        # Autosaves of a session that crashed: offered once the window is up (non-blocking).
        self._recovery_timer = QTimer(self, singleShot=True, interval=0)
        self._recovery_timer.timeout.connect(self.offer_recovery)
        self._recovery_timer.start()
        self.built = True
        self.panelsBuilt.emit()

    # --- menus and status bar ---------------------------------------------------------------

    def _build_menus(self) -> None:
        from explorer.views.menus import WindowMenus

        self.menuBar().clear()  # the frame's placeholders
        self.menus = menus = WindowMenus(self, self.dialogs, self.tabs.count())
        # The actions scripts and tests reach on the window, as before the menus had a module.
        self.open_action, self.save_action = menus.open_action, menus.save_action
        self.open_scene_action, self.save_scene_action = menus.open_scene_action, menus.save_scene_action
        self.export_action, self.log_action = menus.export_action, menus.log_action
        self.presentation_action, self.fullscreen_action = menus.presentation_action, menus.fullscreen_action
        self.log_folder_action, self.recent_menu = menus.log_folder_action, menus.recent_menu
        self.open_action.triggered.connect(self.files.open_with_dialog)
        self.save_action.triggered.connect(self.files.save_current_with_dialog)
        self.open_scene_action.triggered.connect(self.scenes.open_with_dialog)
        self.save_scene_action.triggered.connect(self.scenes.save_with_dialog)
        self.export_action.triggered.connect(self.files.export_with_dialog)
        menus.recentChosen.connect(self._on_menus_recent_chosen)
        self.log_action.toggled.connect(self.training_panel.set_log_scale)
        self.training_panel.logScaleToggled.connect(self.log_action.setChecked)
        self._on_session_recent_changed()

    # --- data ------------------------------------------------------------------------------

    def load_data(self, download: bool = False, spec: str | None = None) -> None:
        """Find (or download) Fashion-MNIST — or the dataset spec names — in a worker; the status
        bar follows."""
        self.data_loader.load(download, spec)

    @Slot(str)
    def _on_dataset_requested(self, spec: str) -> None:
        self.load_data(spec=spec)

    @Slot()
    def _on_panel_data_missing(self) -> None:
        if self.data_loader.loading:
            self.dialogs.data_still_loading()
        else:
            self.dialogs.data_missing(self.data_loader.damaged, self.session.dataset_error or "")

    @Slot()
    def _on_dialogs_download_requested(self) -> None:
        self.load_data(download=True)

    # --- files: through the session and the file flow; these stay for scripts and tests -------

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

    def save_entry_with_dialog(self, entry: ModelEntry) -> bool:
        return self.files.save_with_dialog(entry)

    def export_view(self, path: str | Path) -> bool:
        """Save the current panel, as shown, to a PNG file."""
        return self.files.export_view(path)

    def _recent(self) -> list[str]:
        return self.session.recent()

    @Slot(int)
    def _on_session_already_open(self, entry_id: int) -> None:
        self.training_panel.select_entry(entry_id)

    @Slot(str, int)
    def _on_session_message(self, text: str, milliseconds: int) -> None:
        self.statusBar().showMessage(text, milliseconds)

    @Slot()
    def _on_session_recent_changed(self) -> None:
        self.menus.refresh_recent(self.session.recent())

    @Slot(str)
    def _on_menus_recent_chosen(self, path: str) -> None:
        self.open_checkpoint(path)

    # --- recovery of autosaved models -----------------------------------------------------

    @Slot()
    def offer_recovery(self) -> QMessageBox | None:
        """Offer back the models a crashed session was training (autosaved after each epoch)."""
        from explorer.state import autosave

        files = autosave.orphans()
        return self.dialogs.offer_recovery(files) if files else None

    @property
    def _recover_button(self):  # the offer's buttons, for tests
        return self.dialogs.recover_button

    @property
    def _discard_button(self):
        return self.dialogs.discard_button

    @Slot(list)
    def _on_dialogs_recover_requested(self, files: list[Path]) -> None:
        self.recover(files)

    @Slot(list)
    def _on_dialogs_discard_requested(self, files: list[Path]) -> None:
        for path in files:
            path.unlink(missing_ok=True)

    def recover(self, files: list[Path]) -> list[ModelEntry]:
        """Open autosaved models as unsaved models of this session (their autosave moves to it)."""
        entries = self.session.recover(files)
        if entries:
            self.training_panel.select_entry(entries[-1].id)
        return entries

    # --- scenes: explorer/scene_flow.py ------------------------------------------------------

    def scene(self, scene_dir: Path) -> tuple[dict, list[str]]:
        """The current view as a scene, and the names of the models it cannot hold."""
        return self.scenes.scene(scene_dir)

    def scene_states(self) -> dict[str, SceneSection]:
        return self.scenes.states()

    def save_scene(self, path: str | Path) -> bool:
        return self.scenes.save(path)

    def open_scene(self, path: str | Path) -> bool:
        return self.scenes.open(path)

    def apply_scene(self, scene: dict, scene_dir: Path) -> list[str]:
        """Bring back a (checked) scene; returns the models that could not be opened."""
        return self.scenes.apply(scene, scene_dir)

    @property
    def presentation(self) -> bool:
        return self.menus.presentation

    def set_presentation(self, on: bool) -> None:
        """Presentation mode on or off (remembered): large fonts and plots, high contrast, full screen."""
        self.menus.set_presentation(on)

    # --- dialogs ---------------------------------------------------------------------------

    def show_error(self, title: str, message: str) -> QMessageBox:
        """A non-blocking error dialog (the event loop keeps running)."""
        return self.dialogs.show_error(title, message)

    @Slot(str, str)
    def _on_panel_error(self, title: str, message: str) -> None:
        self.show_error(title, message)

    @Slot(int, object)
    def _on_draw_panel_code_changed(self, entry_id: int, code) -> None:
        # The explorer's sliders follow the drawing while they show the same model.
        entry = self.latent_panel.entry
        if entry is not None and entry.id == entry_id:
            self.latent_panel.state.set_code(code)

    # --- shutdown ---------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = app_settings().value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self.built:  # closed while PyTorch loads: nothing to save or to stop yet
            self._closed = True
            event.accept()
            return
        from explorer.state import autosave

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
            choice = self.ask(*self.dialogs.training_running_question())
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
                self.session.release(entry)
                if not self._save_before_close(entry):
                    return False
            else:
                self.session.discard_unsaved()
        unsaved = self.session.unsaved()
        if unsaved:
            choice = self.ask(*self.dialogs.unsaved_question(len(unsaved)))
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
