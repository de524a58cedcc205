"""The Training panel: settings, Start / Pause / Stop, the live loss plot, reconstructions
sharpening epoch by epoch, the VAE's KL per dimension and a table of per-epoch metrics."""

from __future__ import annotations

import math

import numpy as np
import torch
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import limits
from core.datasets import describe
from core.models import LATENT_MAX, LATENT_MIN, ModelConfig
from core.reference import lab_reference
from core.training import (
    Paused,
    TrainConfig,
    cpu_has_native_bf16,
    new_model,
    resolve_device,
    resolve_precision,
)
from core.training_process import Batches, Epoch, Failed, TrainingProcess, load_numpy_state
from explorer.platform.settings import app_settings
from explorer.state import autosave
from explorer.state.session import ModelEntry, Session
from explorer.training_task import preview_indices, reconstruct, training_task
from explorer.views.dataset_combo import DatasetCombo
from explorer.views.loss_plot import KlBars, LossPlot
from explorer.views.widgets import ImageGrid, VerticalScrollArea, select_data, shrinkable, shrinkable_combo
from explorer.workers import TaskRunner, Worker

TASK = "training"
NEW_MODEL = -1


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TrainingPanel(QWidget):
    """Trains a new model or continues one of the session's, in a worker thread."""

    trainingStarted = Signal(int)  # entry id
    trainingEnded = Signal(int)
    trainingPaused = Signal(int)  # the child honoured Pause after this many batches of the run
    errorOccurred = Signal(str, str)  # title, message
    dataMissing = Signal()

    def __init__(self, session: Session, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.session = session
        self.runner = runner
        self.process: TrainingProcess | None = None
        self.paused_at: int | None = None  # batches of the run when the child confirmed Pause
        self.start_queued = False  # Start was pressed while the dataset loaded
        self.worker: Worker | None = None
        self.training_entry: ModelEntry | None = None
        self._stopping = False
        self._build()
        self._load_settings()
        session.modelsChanged.connect(self._on_session_models_changed)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        self._on_session_models_changed()
        self._on_target_changed()

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.target_combo = QComboBox(objectName="trainTargetCombo")
        shrinkable_combo(self.target_combo)  # long model names must not widen the column
        self.target_combo.setToolTip(
            self.tr("Train a new model, or continue training one the session holds.")
        )
        self.kind_combo = QComboBox(objectName="modelKindCombo")
        self.kind_combo.addItem(self.tr("VAE (variational)"), "vae")
        self.kind_combo.addItem(self.tr("AE (classic auto-encoder)"), "ae")
        self.latent_spin = QSpinBox(
            objectName="latentDimSpin", minimum=LATENT_MIN, maximum=LATENT_MAX, value=10
        )
        self.latent_spin.setToolTip(
            self.tr("Size of the code z: 784 pixels are squeezed into this many numbers.")
        )

        self.epochs_spin = QSpinBox(objectName="epochsSpin", minimum=1, maximum=limits.EPOCHS[1], value=10)
        self.batch_spin = QSpinBox(objectName="batchSizeSpin", minimum=1, maximum=limits.BATCH_SIZE[1], value=128)
        self.lr_spin = QDoubleSpinBox(
            objectName="learningRateSpin",
            decimals=5,
            minimum=0.00001,
            maximum=limits.LEARNING_RATE[1],
            singleStep=0.0001,
            value=0.001,
        )
        self.lr_spin.setToolTip(
            self.tr("Adam's step size. Too large and the loss explodes (the app stops and says so).")
        )
        self.wd_spin = QDoubleSpinBox(
            objectName="weightDecaySpin",
            decimals=6,
            minimum=0.0,
            maximum=limits.WEIGHT_DECAY[1],
            singleStep=0.00001,
            value=0.00001,
        )
        self.wd_spin.setToolTip(self.tr("Adam's L2 penalty on the weights (the lab uses 1e-5)."))
        self.beta_spin = QDoubleSpinBox(
            objectName="betaSpin", decimals=2, minimum=0.0, maximum=limits.BETA[1], singleStep=0.5, value=1.0
        )
        self.beta_spin.setToolTip(
            self.tr(
                "β weighs the KL term of the VAE loss (β = 1: the classic VAE; larger: a smoother, blurrier code)."
            )
        )
        self.noise_spin = QDoubleSpinBox(
            objectName="trainNoiseSpin", decimals=2, minimum=0.0, maximum=1.0, singleStep=0.1, value=0.0
        )
        self.noise_spin.setSpecialValueText(self.tr("none"))
        self.noise_spin.setToolTip(
            self.tr(
                "Denoising: train on inputs with the lab's noise at this level (0.5 in the lab), the clean "
                "image as target. 'none': the lab's plain training."
            )
        )
        self.seed_spin = QSpinBox(objectName="seedSpin", minimum=0, maximum=limits.SEED[1], value=0)
        self.seed_spin.setToolTip(self.tr("Same seed, same settings: the same model, every time."))
        self.images_spin = QSpinBox(
            objectName="trainingImagesSpin", minimum=0, maximum=60_000, singleStep=1000
        )
        self.images_spin.setSpecialValueText(self.tr("all"))
        self.images_spin.setToolTip(
            self.tr("Train on the first N training images only (quick demos); 'all' uses 60,000.")
        )
        self.precision_combo = QComboBox(objectName="precisionCombo")
        shrinkable_combo(self.precision_combo)
        self.precision_combo.addItem(self.tr("Auto (bf16 where native)"), "auto")
        self.precision_combo.addItem(self.tr("bf16 (faster)"), "bf16")
        self.precision_combo.addItem(self.tr("fp32 (exact)"), "fp32")
        self.device_combo = QComboBox(objectName="deviceCombo")
        shrinkable_combo(self.device_combo)
        if torch.cuda.is_available():
            self.device_combo.addItem(
                self.tr("Auto — {gpu}").format(gpu=torch.cuda.get_device_name(0)), "auto"
            )
            self.device_combo.addItem(self.tr("CPU"), "cpu")
            self.device_combo.addItem(self.tr("CUDA GPU"), "cuda")
        else:
            self.device_combo.addItem(self.tr("Auto — CPU (no CUDA GPU found)"), "auto")
            self.device_combo.addItem(self.tr("CPU"), "cpu")
        if not cpu_has_native_bf16() and not torch.cuda.is_available():
            self.precision_combo.model().item(1).setEnabled(False)

        model_box = QGroupBox(self.tr("Model"))
        form = QFormLayout(model_box)
        form.addRow(self.tr("Train"), self.target_combo)
        self.dataset_combo = DatasetCombo(self.session, objectName="datasetCombo")
        form.addRow(self.tr("Dataset"), self.dataset_combo)
        form.addRow(self.tr("Kind"), self.kind_combo)
        form.addRow(self.tr("Latent size"), self.latent_spin)
        train_box = QGroupBox(self.tr("Training"))
        form2 = QFormLayout(train_box)
        form2.addRow(self.tr("Epochs"), self.epochs_spin)
        form2.addRow(self.tr("Batch size"), self.batch_spin)
        form2.addRow(self.tr("Learning rate"), self.lr_spin)
        form2.addRow(self.tr("Weight decay"), self.wd_spin)
        self.beta_label = QLabel(self.tr("β (KL weight)"))
        form2.addRow(self.beta_label, self.beta_spin)
        form2.addRow(self.tr("Denoising noise"), self.noise_spin)
        form2.addRow(self.tr("Seed"), self.seed_spin)
        form2.addRow(self.tr("Training images"), self.images_spin)
        form2.addRow(self.tr("Precision"), self.precision_combo)
        form2.addRow(self.tr("Device"), self.device_combo)
        self.defaults_button = QPushButton(self.tr("Lab defaults"), objectName="labDefaultsButton")
        self.defaults_button.setToolTip(self.tr("Reset every setting to the lab's values."))
        form2.addRow("", self.defaults_button)

        self.start_button = QPushButton(self.tr("Start"), objectName="startTrainingButton")
        self.start_button.setShortcut("Ctrl+Return")
        self.start_button.setToolTip(self.tr("Start training (Ctrl+Enter)"))
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
        left.addWidget(model_box)
        left.addWidget(train_box)
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
        self.kl_bars = KlBars()
        self.kl_warning = QLabel(objectName="klWarningLabel")
        self.kl_warning.setWordWrap(True)
        self.kl_box = QGroupBox(self.tr("KL per dimension (VAE)"))
        kl_layout = QVBoxLayout(self.kl_box)
        kl_layout.addWidget(self.kl_bars, 1)
        kl_layout.addWidget(self.kl_warning)
        self.table = QTableWidget(0, 7, objectName="metricsTable")
        self.table.setMinimumWidth(180)  # it scrolls; its columns must not widen the window
        # Short headers, their units in tooltips; every column as wide as its header and its
        # numbers (the table scrolls sideways rather than cut "MSE / pixel" to "ISE / pixe").
        for col, (header, tip) in enumerate(
            (
                (self.tr("Epoch"), self.tr("Epoch; “(stopped)” when it was cut short")),
                (self.tr("Train", "table header: training loss"), self.tr("Training loss, mean over the epoch's batches")),
                (self.tr("Test"), self.tr("Loss on the 10,000 test images")),
                (self.tr("MSE"), self.tr("Mean squared error per pixel, pixels in [0, 1]")),
                (self.tr("BCE"), self.tr("Binary cross-entropy, nats per image (summed over its pixels)")),
                (self.tr("KL"), self.tr("KL divergence, nats per image")),
                (self.tr("s"), self.tr("Seconds the epoch took")),
            )
        ):
            item = QTableWidgetItem(header)
            item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(col, item)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip(
            self.tr(
                "Test loss: on the 10,000 test images, never seen in training. BCE and KL are sums per image "
                "(nats); MSE is per pixel, with pixels in [0, 1]."
            )
        )
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
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.pause_button.toggled.connect(self._on_pause_button_toggled)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.defaults_button.clicked.connect(self._on_defaults_button_clicked)
        self.log_check.toggled.connect(self.plot.set_log_scale)
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
        return TrainConfig(
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            learning_rate=self.lr_spin.value(),
            weight_decay=self.wd_spin.value(),
            beta=self.beta_spin.value(),
            train_noise=self.noise_spin.value(),
            seed=self.seed_spin.value(),
            device=self.device_combo.currentData(),
            precision=self.precision_combo.currentData(),
            limit=self.images_spin.value() or None,
        )

    def set_config(self, config: TrainConfig) -> None:
        self.epochs_spin.setValue(config.epochs)
        self.batch_spin.setValue(config.batch_size)
        self.lr_spin.setValue(config.learning_rate)
        self.wd_spin.setValue(config.weight_decay)
        self.beta_spin.setValue(config.beta)
        self.noise_spin.setValue(config.train_noise)
        self.seed_spin.setValue(config.seed)
        self.images_spin.setValue(config.limit or 0)
        select_data(self.device_combo, config.device)
        select_data(self.precision_combo, config.precision)

    def model_config(self) -> ModelConfig:
        return ModelConfig(self.kind_combo.currentData(), self.latent_spin.value())

    def _load_settings(self) -> None:
        s = app_settings()
        try:
            stored = s.value("training/config")
            if stored:
                import json

                self.set_config(TrainConfig.from_dict(json.loads(stored)))
            select_data(self.kind_combo, s.value("training/kind", "vae"))
            self.latent_spin.setValue(int(s.value("training/latent_dim", 10)))
        except (ValueError, TypeError):
            pass  # a damaged settings file is ignored: defaults apply

    def save_settings(self) -> None:
        import json

        s = app_settings()
        try:
            s.setValue("training/config", json.dumps(self.config().to_dict()))
        except ValueError:
            return
        s.setValue("training/kind", self.kind_combo.currentData())
        s.setValue("training/latent_dim", self.latent_spin.value())

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
        if not running:
            self.start_button.setText(self.tr("Continue training") if entry else self.tr("Start"))
        self._show_entry(entry)

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
        self.plot.set_data(entry.batch_losses if entry else [], entry.history if entry else [])
        history = entry.history if entry else []
        self.table.setUpdatesEnabled(False)  # one layout for a whole history (10,000 epochs took 19 s)
        self.table.setRowCount(0)
        self.table.setRowCount(len(history))
        for row, record in enumerate(history):
            self._fill_table_row(row, record)
        self.table.setUpdatesEnabled(True)
        self.table.scrollToBottom()
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
        self.preview.set_images(np.stack(rows), labels)

    def _show_kl(self, kl_per_dim: list[float] | None) -> None:
        active, total = self.kl_bars.set_values(kl_per_dim)
        if not total:
            self.kl_warning.setText(self.tr("Appears after the first epoch."))
            self.kl_warning.setStyleSheet("")
        elif active * 2 < total:
            self.kl_warning.setText(
                self.tr(
                    "Only {a} of {n} dimensions carry information: the others match the prior and "
                    "the decoder ignores them (posterior collapse). A smaller β gives the code room."
                ).format(a=active, n=total)
            )
            self.kl_warning.setStyleSheet("color: #b00020; font-weight: bold;")
        else:
            self.kl_warning.setText(
                self.tr("{a} of {n} dimensions carry information.").format(a=active, n=total)
            )
            self.kl_warning.setStyleSheet("")

    def _add_table_row(self, record) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._fill_table_row(row, record)
        self.table.scrollToBottom()

    def _fill_table_row(self, row: int, record) -> None:
        if not hasattr(self, "_cell"):
            self._cell = QTableWidgetItem()
            self._cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        t = record.test
        epoch = str(record.epoch) + ("" if record.complete else self.tr(" (stopped)"))
        values = [
            epoch,
            _fmt(record.train_loss),
            _fmt(t.get("test_loss")),
            _fmt(t.get("test_mse"), 5),
            _fmt(t.get("test_bce")),
            _fmt(t.get("test_kl")),
            f"{record.seconds:.1f}",
        ]
        for col, text in enumerate(values):
            item = self._cell.clone()  # a copy keeps the alignment: setTextAlignment costs 10 µs
            item.setText(text)
            self.table.setItem(row, col, item)

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
        if self.start_queued:
            self.start_queued = False
            self.start_button.setEnabled(True)
            self._on_target_changed()  # the button's own text again
            self.start_training()  # or says why it cannot, now that the data has come
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

    # --- running --------------------------------------------------------------------------

    @property
    def is_training(self) -> bool:
        # Until our finished/failed slot has run, the run is ours, even if its thread is done.
        return self.worker is not None

    @Slot()
    def _on_start_button_clicked(self) -> None:
        self.start_training()

    def start_training(self) -> bool:
        """Start (or continue) training with the panel's settings; False if it could not."""
        if self.is_training:
            return False
        data = self.session.dataset
        if (data is None or data.sample) and self.runner.is_running("data"):
            # Pressed while the dataset still loads: the run starts by itself when it is here.
            self.start_queued = True
            self.start_button.setEnabled(False)
            self.start_button.setText(self.tr("Loading data…"))
            return True
        if data is None or data.sample:  # the bundled sample has no training images
            self.dataMissing.emit()
            return False
        try:
            config = self.config()
        except ValueError as exc:
            self.errorOccurred.emit(self.tr("Invalid settings"), str(exc))
            return False
        entry = self.current_entry()
        if entry is not None and entry.dataset.class_names != data.info.class_names:
            self.errorOccurred.emit(
                self.tr("Cannot train"),
                self.tr("This model learnt {name}: choose it as the dataset to continue training it.").format(
                    name=describe(entry.dataset.spec)
                ),
            )
            return False
        if entry is None:
            model = new_model(self.model_config(), config.seed)
            entry = self.session.add(ModelEntry(model, config, saved=False, dataset=data.info))
            self.select_entry(entry.id)
        try:
            device = resolve_device(config.device)
            precision = resolve_precision(config.precision, device)
        except ValueError as exc:
            self.errorOccurred.emit(self.tr("Cannot train"), str(exc))
            return False
        entry.train_config = config
        entry.training = True
        self.training_entry = entry
        self._reminded = None
        preview = data.test.images[preview_indices(data.test)]
        replay = entry.replay
        if replay is not None and (
            len(replay.indices) == 0 or int(replay.indices.max()) >= len(data.test) or not entry.history
        ):
            replay = None  # recorded on another test set, or a model never trained: start anew
        self.process = TrainingProcess(entry.model, config, data, entry.history, preview, replay)
        self.worker = Worker(training_task(self.process), TASK)
        self.worker.progress.connect(self._on_worker_progress)
        self.worker.finished.connect(self._on_worker_finished)
        self.worker.failed.connect(self._on_worker_failed)
        self._stopping = False
        self.progress.setRange(
            0, config.epochs * math.ceil(len(data.train.head(config.limit)) / config.batch_size)
        )
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("Starting…"))
        self.progress_label.setText(
            self.tr("Training on {device}, {precision}.").format(
                device=device.type.upper(), precision=precision
            )
        )
        self.plot.set_planned_epochs(entry.epochs + config.epochs)
        self.runner.start(self.worker)
        self._set_running(True)
        self.save_settings()
        self.trainingStarted.emit(entry.id)
        return True

    @Slot(bool)
    def _on_pause_button_toggled(self, paused: bool) -> None:
        if self.process is None:
            return
        if paused:
            self.paused_at = None  # until the child confirms
            self.process.pause()
            self.pause_button.setText(self.tr("Resume"))
            self.progress.setFormat(self.tr("Paused — ") + self.progress.format())
        else:
            self.process.resume()
            self.pause_button.setText(self.tr("Pause"))

    @Slot()
    def _on_stop_button_clicked(self) -> None:
        self.stop_training()

    def stop_training(self) -> None:
        if self.worker is not None:
            self._stopping = True
            self.worker.cancel()
            self.progress.setFormat(self.tr("Stopping…"))

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.target_combo.setEnabled(not running)
        for w in (
            self.epochs_spin,
            self.batch_spin,
            self.lr_spin,
            self.wd_spin,
            self.beta_spin,
            self.noise_spin,
            self.seed_spin,
            self.images_spin,
            self.precision_combo,
            self.device_combo,
            self.defaults_button,
        ):
            w.setEnabled(not running)
        if not running:
            self.pause_button.blockSignals(True)
            self.pause_button.setChecked(False)
            self.pause_button.setText(self.tr("Pause"))
            self.pause_button.blockSignals(False)
            self._on_target_changed()
        else:
            self.start_button.setText(self.tr("Training…"))  # not "Continue" for a brand-new model
            self.kind_combo.setEnabled(False)
            self.latent_spin.setEnabled(False)
            self.beta_spin.setEnabled(False)

    @Slot(object)
    def _on_worker_progress(self, message) -> None:
        entry = self.training_entry
        if entry is None:
            return
        if isinstance(message, Batches):
            entry.batch_losses.extend(message.points)
            if self.current_entry() is entry:
                self.plot.add_batches(message.points)
            if message.run_step:
                self.progress.setValue(message.run_step)
                fraction = message.run_step / message.run_steps
                eta = message.elapsed * (1 - fraction) / fraction if fraction else 0
                text = self.tr("Epoch {e} · %p% · {eta} left").format(
                    e=message.epoch, eta=format_duration(eta)
                )
                if self.process is not None and self.process.paused:
                    text = self.tr("Paused — ") + text
                if not self._stopping:
                    self.progress.setFormat(text)
        elif isinstance(message, Paused):
            self.paused_at = message.run_step
            self.trainingPaused.emit(message.run_step)
        elif isinstance(message, Epoch):
            record = message.record
            load_numpy_state(entry.model, message.state)
            entry.history.append(record)
            if message.replay is not None:
                entry.replay = message.replay
            entry.saved = False
            autosave.write(entry)  # a crash now costs at most this epoch
            if self.current_entry() is entry:
                self.plot.add_epoch(record)
                self._add_table_row(record)
                self._show_kl(record.test.get("kl_per_dim"))
                self._show_preview(entry, message.reconstructions)
            self.progress_label.setText(
                self.tr("Epoch {e} of {n}: test loss {loss}.").format(
                    e=record.epoch, n=message.last_epoch, loss=_fmt(record.test["test_loss"])
                )
            )
            self.session.mark_updated(entry)

    @Slot(object)
    def _on_worker_finished(self, result) -> None:
        entry = self.training_entry
        if isinstance(result, Failed) or result is None:
            message = result.message if result is not None else self.tr("Training ended without a result.")
            if entry is not None and result is not None:
                if result.state is not None:
                    load_numpy_state(entry.model, result.state)
                if result.history:
                    entry.history = list(result.history)
            self._on_worker_failed(message)
            return
        entry = self._end_run()
        if entry is None:
            return
        load_numpy_state(entry.model, result.state)
        entry.history = list(result.history)
        if result.replay is not None:
            entry.replay = result.replay
        stopped = result.stopped
        autosave.write(entry)
        self.progress.setValue(self.progress.maximum() if not stopped else self.progress.value())
        self.progress.setFormat(self.tr("Stopped") if stopped else self.tr("Done — %p%"))
        self._ended_text = (
            self.tr("Stopped after {e} epoch(s).") if stopped else self.tr("Finished: {e} epoch(s) trained.")
        ).format(e=entry.epochs)
        self.progress_label.setText(self._ended_text + " " + self.tr("File → Save model as… keeps it."))
        self._reminded = entry
        self.session.mark_updated(entry)
        self.trainingEnded.emit(entry.id)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        killed = self.process is not None and self.process.killed  # the user chose to discard
        entry = self._end_run()
        self.progress.setFormat(self.tr("Failed"))
        self.progress_label.setText(message)
        if entry is not None:
            self.session.mark_updated(entry)
            self.trainingEnded.emit(entry.id)
        if not killed:
            self.errorOccurred.emit(self.tr("Training stopped"), message)

    def _end_run(self) -> ModelEntry | None:
        entry = self.training_entry
        if entry is not None:
            entry.training = False
            entry.model.eval()
        self.training_entry = None
        self.process = None
        self.worker = None
        self._set_running(False)
        if entry is not None and self.current_entry() is entry:
            self._show_preview(entry)
        return entry


def _fmt(value, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if abs(value) < 0.1:
        return f"{value:.{digits}f}"
    return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:.1f}"
