"""The Training panel's settings form: which model, the dataset, the model's shape and the
training settings, read as one TrainConfig (and one ModelConfig) and remembered between runs."""

from __future__ import annotations

import json

import torch
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core import limits
from core.models import LATENT_MAX, LATENT_MIN, ModelConfig
from core.training import TrainConfig, cpu_has_native_bf16
from explorer.platform.settings import app_settings
from explorer.state.session import Session
from explorer.views.dataset_combo import DatasetCombo
from explorer.views.widgets import select_data, shrinkable_combo


class TrainingForm(QWidget):
    """The settings' controls, by the object names of design.md; ``config()`` reads them."""

    # The controls a run freezes (the model's kind and size follow the chosen model instead).
    RUN_SETTINGS = (
        "epochs_spin",
        "batch_spin",
        "lr_spin",
        "wd_spin",
        "beta_spin",
        "noise_spin",
        "seed_spin",
        "images_spin",
        "precision_combo",
        "device_combo",
        "defaults_button",
    )
    CONTROLS = ("target_combo", "dataset_combo", "kind_combo", "latent_spin", "beta_label", *RUN_SETTINGS)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.target_combo = QComboBox(objectName="trainTargetCombo")
        shrinkable_combo(self.target_combo)  # long model names must not widen the column
        self.target_combo.setToolTip(
            self.tr("Train a new model, or continue training one the session holds.")
        )
        self.kind_combo = shrinkable_combo(QComboBox(objectName="modelKindCombo"))
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
            # Short, so that it is whole in presentation mode on a 720p projector; the why in the tooltip.
            self.device_combo.addItem(self.tr("Auto (CPU)"), "auto")
            self.device_combo.addItem(self.tr("CPU"), "cpu")
            self.device_combo.setToolTip(self.tr("No CUDA GPU was found: training runs on the CPU."))
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(model_box)
        layout.addWidget(train_box)

    def set_running(self, running: bool) -> None:
        self.target_combo.setEnabled(not running)
        for name in self.RUN_SETTINGS:
            getattr(self, name).setEnabled(not running)

    def config(self) -> TrainConfig:
        """The form's settings as one TrainConfig."""
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

    def load_settings(self) -> None:
        s = app_settings()
        try:
            stored = s.value("training/config")
            if stored:
                self.set_config(TrainConfig.from_dict(json.loads(stored)))
            select_data(self.kind_combo, s.value("training/kind", "vae"))
            self.latent_spin.setValue(int(s.value("training/latent_dim", 10)))
        except (ValueError, TypeError):
            pass  # a damaged settings file is ignored: defaults apply

    def save_settings(self) -> None:
        s = app_settings()
        try:
            s.setValue("training/config", json.dumps(self.config().to_dict()))
        except ValueError:
            return
        s.setValue("training/kind", self.kind_combo.currentData())
        s.setValue("training/latent_dim", self.latent_spin.value())
