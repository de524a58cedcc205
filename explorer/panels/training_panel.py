"""The Training panel: settings, Start / Pause / Stop, the live loss plot, reconstructions
sharpening epoch by epoch, the VAE's KL per dimension and a table of per-epoch metrics.

A view of explorer.state.training_run.TrainingRun: the panel reads its settings into a
TrainConfig and asks the run to start, pause or stop; the run changes the model entry and
signals, and the panel redraws from the entry.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.datasets import describe
from core.models import ModelConfig
from core.reference import lab_reference
from core.training import TrainConfig
from core.training_process import Batches, Epoch
from explorer.state.session import ModelEntry, Session
from explorer.state.training_run import TrainingRun
from explorer.training_task import preview_indices, reconstruct
from explorer.views.loss_plot import KlBox, LossPlot
from explorer.views.metrics_table import MetricsTable, format_metric
from explorer.views.training_form import TrainingForm
from explorer.views.widgets import ImageGrid, VerticalScrollArea, select_data, shrinkable
from explorer.workers import TaskRunner

NEW_MODEL = -1


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TrainingPanel(QWidget):
    """Trains a new model or continues one of the session's, through a TrainingRun."""

    trainingStarted = Signal(int)  # entry id
    trainingEnded = Signal(int)
    trainingPaused = Signal(int)  # the child honoured Pause after this many batches of the run
    errorOccurred = Signal(str, str)  # title, message
    dataMissing = Signal()
    datasetRequested = Signal(str)  # the dataset combo asks for a dataset (a name or a folder)
    logScaleToggled = Signal(bool)

    def __init__(
        self,
        session: Session,
        runner: TaskRunner,
        run: TrainingRun | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.session = session
        self.run = run if run is not None else TrainingRun(session, runner, self)
        self._build()
        self._load_settings()
        session.modelsChanged.connect(self._on_session_models_changed)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        self.run.started.connect(self._on_run_started)
        self.run.pathKnown.connect(self._on_run_path_known)
        self.run.batches.connect(self._on_run_batches)
        self.run.epoch.connect(self._on_run_epoch)
        self.run.paused.connect(self._on_run_paused)
        self.run.finished.connect(self._on_run_finished)
        self.run.failed.connect(self._on_run_failed)
        self.run.queuedChanged.connect(self._on_run_queued_changed)
        self.run.refused.connect(self._on_run_refused)
        self.run.dataMissing.connect(self.dataMissing)
        self._on_session_models_changed()
        self._on_target_changed()

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.form = TrainingForm(self.session)
        for name in TrainingForm.CONTROLS:  # the controls, by the names scripts and tests know
            setattr(self, name, getattr(self.form, name))

        # The shortcut belongs to an action: a button's setText resets a shortcut set on it.
        self.start_action = QAction(self.tr("Start"), self, objectName="startTrainingAction")
        self.start_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.start_action.setToolTip(self.tr("Start training (Ctrl+Enter)"))
        self.addAction(self.start_action)  # active while the panel shows
        self.start_button = QPushButton(self.tr("Start"), objectName="startTrainingButton")
        self.start_button.setToolTip(self.start_action.toolTip())
        self.start_action.enabledChanged.connect(self.start_button.setEnabled)
        self.pause_button = QPushButton(self.tr("Pause"), objectName="pauseTrainingButton")
        self.pause_button.setCheckable(True)
        self.stop_button = QPushButton(self.tr("Stop"), objectName="stopTrainingButton")
        self.stop_button.setToolTip(self.tr("Stop after the current batch; what was trained is kept."))
        for b in (self.start_button, self.pause_button, self.stop_button):
            b.setMinimumHeight(36)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button, 2)
        buttons.addWidget(self.pause_button, 1)
        buttons.addWidget(self.stop_button, 1)
        self.progress = QProgressBar(objectName="trainingProgress")
        self.progress.setTextVisible(True)
        self.progress.setFormat(self.tr("Ready"))
        self.progress.setValue(0)
        self.progress_label = shrinkable(QLabel(objectName="trainingStatusLabel"))
        self.progress_label.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(self.form)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.progress_label)
        left.addStretch(1)
        settings_widget = QWidget()
        settings_widget.setLayout(left)
        # Scrolls when the screen is short (presentation mode's large text on a 720p projector).
        left_widget = VerticalScrollArea(settings_widget, objectName="trainingSettingsScroll")
        left_widget.setMaximumWidth(480)

        self.plot = LossPlot()
        self.log_check = QCheckBox(self.tr("Log scale"), objectName="logScaleCheck")
        self.terms_check = QCheckBox(
            self.tr("Show BCE and KL terms"), objectName="showTermsCheck", checked=True
        )
        self.terms_check.setToolTip(
            self.tr("The VAE loss is a sum: reconstruction error (BCE) + β × KL divergence. Show each part.")
        )
        self.reference_label = shrinkable(QLabel(objectName="referenceLabel"))
        self.reference_label.setStyleSheet("color: #555;")
        plot_bar = QHBoxLayout()
        plot_bar.addWidget(self.log_check)
        plot_bar.addWidget(self.terms_check)
        plot_bar.addStretch(1)
        plot_bar.addWidget(self.reference_label)
        plot_box = QWidget()
        pl = QVBoxLayout(plot_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addLayout(plot_bar)
        pl.addWidget(self.plot, 1)

        self.preview = ImageGrid(objectName="trainingPreview")
        self.preview.setToolTip(
            self.tr("Eight fixed test images (top) and the model's reconstructions, after each epoch.")
        )
        preview_box = QGroupBox(self.tr("Reconstructions after each epoch"))
        QVBoxLayout(preview_box).addWidget(self.preview)
        self.kl_box = KlBox()
        self.kl_bars, self.kl_warning = self.kl_box.bars, self.kl_box.warning
        self.table = MetricsTable()
        table_box = QGroupBox(self.tr("Per-epoch metrics"))
        QVBoxLayout(table_box).addWidget(self.table)

        bottom = self.bottom_splitter = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(preview_box)
        bottom.addWidget(self.kl_box)
        bottom.addWidget(table_box)
        # The reconstructions get the most room: the back row must see them sharpen.
        bottom.setSizes([900, 300, 500])
        bottom.setStretchFactor(0, 2)
        right = self.right_splitter = QSplitter(Qt.Orientation.Vertical, objectName="trainingSplitter")
        right.addWidget(plot_box)
        right.addWidget(bottom)
        right.setSizes([560, 420])

        layout = QHBoxLayout(self)
        layout.addWidget(left_widget)
        layout.addWidget(right, 1)

        self.target_combo.currentIndexChanged.connect(self._on_target_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.start_action.triggered.connect(self._on_start_action_triggered)
        self.start_button.clicked.connect(self.start_action.trigger)
        self.dataset_combo.datasetRequested.connect(self.datasetRequested)
        self.pause_button.toggled.connect(self._on_pause_button_toggled)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.defaults_button.clicked.connect(self._on_defaults_button_clicked)
        self.log_check.toggled.connect(self.plot.set_log_scale)
        self.log_check.toggled.connect(self.logScaleToggled)
        self.terms_check.toggled.connect(self.plot.set_show_terms)
        for spin in (self.latent_spin, self.batch_spin, self.images_spin):
            spin.valueChanged.connect(self._update_reference)
        for spin in (self.lr_spin, self.wd_spin, self.beta_spin):
            spin.valueChanged.connect(self._update_reference)
        self._set_running(False)

    def set_presentation(self, on: bool) -> None:
        """In presentation mode the reconstructions get half the height (larger text takes
        the rest): they are what the back row must see sharpen."""
        total = sum(self.right_splitter.sizes()) or 980
        share = 0.5 if on else 0.43
        self.right_splitter.setSizes([round(total * (1 - share)), round(total * share)])

    # --- settings --------------------------------------------------------------------------

    def config(self) -> TrainConfig:
        """The panel's settings as one TrainConfig."""
        return self.form.config()

    def set_config(self, config: TrainConfig) -> None:
        self.form.set_config(config)

    def model_config(self) -> ModelConfig:
        return self.form.model_config()

    def _load_settings(self) -> None:
        self.form.load_settings()

    def save_settings(self) -> None:
        self.form.save_settings()

    # --- which model --------------------------------------------------------------------------

    def current_entry(self) -> ModelEntry | None:
        entry_id = self.target_combo.currentData()
        return self.session.entry(entry_id) if entry_id not in (None, NEW_MODEL) else None

    def select_entry(self, entry_id: int) -> None:
        select_data(self.target_combo, entry_id)

    _reminded: ModelEntry | None = None  # the model the status line asks to save
    _ended_text = ""

    @Slot()
    def _on_session_models_changed(self) -> None:
        if self._reminded is not None and self._reminded.saved:
            self.progress_label.setText(self._ended_text + " " + self.tr("Saved."))
            self._reminded = None
        ids = [self.target_combo.itemData(i) for i in range(1, self.target_combo.count())]
        if self.target_combo.count() and ids == [e.id for e in self.session.entries]:
            # Same models: only their names changed (epochs, unsaved star); keep the views.
            for i, entry in enumerate(self.session.entries, start=1):
                self.target_combo.setItemText(i, entry.name)
            return
        current = self.target_combo.currentData()
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        self.target_combo.addItem(self.tr("New model"), NEW_MODEL)
        for entry in self.session.entries:
            self.target_combo.addItem(entry.name, entry.id)
        self.target_combo.blockSignals(False)
        if current is not None and not select_data(self.target_combo, current):
            self.target_combo.setCurrentIndex(0)
        self._on_target_changed()

    @Slot()
    def _on_target_changed(self) -> None:
        entry = self.current_entry()
        running = self.is_training
        if entry is not None:
            select_data(self.kind_combo, entry.kind)
            self.latent_spin.setValue(entry.model.latent_dim)
            if entry.train_config and not running:
                # Continuing uses the settings the model was trained with; only epochs stay.
                epochs = self.epochs_spin.value()
                self.set_config(entry.train_config)
                self.epochs_spin.setValue(epochs)
        self.kind_combo.setEnabled(entry is None and not running)
        self.latent_spin.setEnabled(entry is None and not running)
        self._show_start_text()
        self._show_entry(entry)

    def _show_start_text(self) -> None:
        """The button says what a click does now: never "Continue training" while a run (of a
        brand-new model, too) is going on."""
        if self.run.start_queued:
            text = self.tr("Loading data…")
        elif self.is_training:
            text = self.tr("Training…")
        else:
            text = self.tr("Continue training") if self.current_entry() else self.tr("Start")
        self.start_button.setText(text)

    @Slot()
    def _on_kind_changed(self) -> None:
        is_vae = self.kind_combo.currentData() == "vae"
        self.beta_spin.setEnabled(is_vae)
        self.beta_label.setEnabled(is_vae)
        self.terms_check.setEnabled(is_vae)
        self.kl_box.setVisible(is_vae)
        if self.current_entry() is None:
            self.plot.set_kind(self.kind_combo.currentData())
        self._update_reference()

    def _show_entry(self, entry: ModelEntry | None) -> None:
        """Draw an entry's curves, table, KL bars and reconstructions (or clear them)."""
        kind = entry.kind if entry else self.kind_combo.currentData()
        self.plot.set_kind(kind)
        # The plot keeps the entry's own lists and draws from them: no copy here or there.
        self.plot.set_data(entry.batch_losses if entry else [], entry.history if entry else [])
        self.table.set_history(entry.history if entry else [])
        last = entry.history[-1] if entry and entry.history else None
        self._show_kl(last.test.get("kl_per_dim") if last else None)
        self._on_kind_changed()
        self._show_preview(entry)

    def _show_preview(self, entry: ModelEntry | None, recon: np.ndarray | None = None) -> None:
        data = self.session.dataset
        if data is None:
            self.preview.clear()
            return
        idx = preview_indices(data.test)
        originals = data.test.images[idx].float().numpy() / 255
        if recon is None and entry is not None and not entry.training:
            recon = reconstruct(entry.model, data.test.images[idx])
        rows = [originals] if recon is None else [originals, recon]
        labels = [self.tr("test image")] + ([self.tr("reconstruction")] if recon is not None else [])
        self.preview.set_images(np.stack(rows), labels, wrap=True)  # pairs in bands when that draws them larger

    def _show_kl(self, kl_per_dim: list[float] | None) -> None:
        self.kl_box.set_values(kl_per_dim)

    @Slot()
    def _update_reference(self) -> None:
        entry = self.current_entry()
        kind = entry.kind if entry else self.kind_combo.currentData()
        try:
            config = self.config()
        except ValueError:
            config = None
        reference = lab_reference(kind, self.latent_spin.value(), config)
        self.plot.set_reference(reference)
        if reference:
            last = max(reference)
            self.reference_label.setText(
                self.tr("Dashed line: the lab's own code, same settings, after {n} epochs.").format(n=last)
            )
        else:
            self.reference_label.setText(self.tr("(The lab's reference appears with the lab's settings.)"))

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        self._show_preview(self.current_entry())
        data = self.session.dataset
        if data is not None and data.sample and not self.is_training:
            self.progress_label.setText(
                self.tr(
                    "Only the bundled sample of test images is here: training needs the full "
                    "Fashion-MNIST (Start says how to get it)."
                )
            )

    @Slot()
    def _on_defaults_button_clicked(self) -> None:
        self.set_config(TrainConfig())
        if self.current_entry() is None:
            self.latent_spin.setValue(10)

    @Slot(bool)
    def set_log_scale(self, on: bool) -> None:
        self.log_check.setChecked(on)

    # --- running: requests to the run -----------------------------------------------------------

    @property
    def is_training(self) -> bool:
        return self.run.is_running

    @property
    def process(self):
        """The run's child process (None between runs)."""
        return self.run.process

    @property
    def paused_at(self) -> int | None:
        return self.run.paused_at

    @property
    def start_queued(self) -> bool:
        return self.run.start_queued

    @property
    def training_entry(self) -> ModelEntry | None:
        return self.run.entry

    @Slot()
    def _on_start_action_triggered(self) -> None:
        self.start_training()

    def start_training(self) -> bool:
        """Start (or continue) training with the panel's settings; False if it could not."""
        if not self.run.can_start:
            return False
        try:
            config = self.config()
        except ValueError as exc:
            self.errorOccurred.emit(self.tr("Invalid settings"), str(exc))
            return False
        self._reminded = None
        return self.run.start(config, self.current_entry(), self.model_config())

    @Slot(bool)
    def _on_pause_button_toggled(self, paused: bool) -> None:
        if self.run.process is None:
            return
        if paused:
            self.run.pause()
            self.pause_button.setText(self.tr("Resume"))
            self.progress.setFormat(self.tr("Paused — ") + self.progress.format())
        else:
            self.run.resume()
            self.pause_button.setText(self.tr("Pause"))

    @Slot()
    def _on_stop_button_clicked(self) -> None:
        self.stop_training()

    def stop_training(self) -> None:
        if self.run.is_running:
            self.run.stop()
            self.progress.setFormat(self.tr("Stopping…"))

    def _set_running(self, running: bool) -> None:
        self.start_action.setEnabled(self.run.can_start)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.form.set_running(running)
        if not running:
            self.pause_button.blockSignals(True)
            self.pause_button.setChecked(False)
            self.pause_button.setText(self.tr("Pause"))
            self.pause_button.blockSignals(False)
            self._on_target_changed()
        else:
            self._show_start_text()
            self.kind_combo.setEnabled(False)
            self.latent_spin.setEnabled(False)
            self.beta_spin.setEnabled(False)

    # --- running: what the run says ---------------------------------------------------------------

    @Slot(bool)
    def _on_run_queued_changed(self, queued: bool) -> None:
        self.start_action.setEnabled(self.run.can_start)
        self._show_start_text()

    @Slot(str, object)
    def _on_run_refused(self, reason: str, detail) -> None:
        if reason == "dataset":
            message = self.tr("This model learnt {name}: choose it as the dataset to continue training it.")
            self.errorOccurred.emit(self.tr("Cannot train"), message.format(name=describe(detail)))
        else:
            self.errorOccurred.emit(self.tr("Cannot train"), detail)

    @Slot(str)
    def _on_run_path_known(self, path: str) -> None:
        self.progress_label.setText(self.tr("Training on {path}.").format(path=path))

    @Slot(int)
    def _on_run_started(self, entry_id: int) -> None:
        run = self.run
        self.select_entry(entry_id)
        self.progress.setRange(0, run.steps)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("Starting…"))
        self.progress_label.setText(
            self.tr("Training on {device}, {precision}.").format(device=run.device, precision=run.precision)
        )
        self.plot.set_planned_epochs(run.entry.epochs + run.config.epochs)
        self._set_running(True)
        self.save_settings()
        self.trainingStarted.emit(entry_id)

    @Slot(object)
    def _on_run_batches(self, message: Batches) -> None:
        if self.current_entry() is self.run.entry:
            self.plot.redraw_batches()  # from the entry's batch losses, which the run extended
        if message.run_step:
            self.progress.setValue(message.run_step)
            fraction = message.run_step / message.run_steps
            eta = message.elapsed * (1 - fraction) / fraction if fraction else 0
            text = self.tr("Epoch {e} · %p% · {eta} left").format(e=message.epoch, eta=format_duration(eta))
            if self.run.is_paused:
                text = self.tr("Paused — ") + text
            if not self.run.stopping:
                self.progress.setFormat(text)

    @Slot(int)
    def _on_run_paused(self, run_step: int) -> None:
        self.trainingPaused.emit(run_step)

    @Slot(object)
    def _on_run_epoch(self, message: Epoch) -> None:
        record = message.record
        entry = self.run.entry
        if self.current_entry() is entry:
            self.plot.redraw_epochs()
            self.table.add_record(record)
            self._show_kl(record.test.get("kl_per_dim"))
            self._show_preview(entry, message.reconstructions)
        self.progress_label.setText(
            self.tr("Epoch {e} of {n}: test loss {loss}.").format(
                e=record.epoch, n=message.last_epoch, loss=format_metric(record.test["test_loss"])
            )
        )

    @Slot(int, bool)
    def _on_run_finished(self, entry_id: int, stopped: bool) -> None:
        entry = self.session.entry(entry_id)
        self._set_running(False)
        self.progress.setValue(self.progress.maximum() if not stopped else self.progress.value())
        self.progress.setFormat(self.tr("Stopped") if stopped else self.tr("Done — %p%"))
        epochs = entry.epochs if entry is not None else 0
        self._ended_text = (
            self.tr("Stopped after {e} epoch(s).") if stopped else self.tr("Finished: {e} epoch(s) trained.")
        ).format(e=epochs)
        self.progress_label.setText(self._ended_text + " " + self.tr("File → Save model as… keeps it."))
        self._reminded = entry
        self.trainingEnded.emit(entry_id)

    @Slot(int, str, bool)
    def _on_run_failed(self, entry_id: int, message: str, killed: bool) -> None:
        message = message or self.tr("Training ended without a result.")
        self._set_running(False)
        self.progress.setFormat(self.tr("Failed"))
        self.progress_label.setText(message)
        if entry_id:
            self.trainingEnded.emit(entry_id)
        if not killed:
            self.errorOccurred.emit(self.tr("Training stopped"), message)
