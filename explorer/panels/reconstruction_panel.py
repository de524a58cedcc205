"""Reconstruction and denoising: test images, the lab's noise, and what the AE and VAE make of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from core.latent import reconstruct
from explorer.panels.understanding_panel import pca_basis
from explorer.state.panels import ReconstructionState
from explorer.state.session import Session
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import ImageGrid
from resources import resource_path

COUNT = 10


def bundled_denoising_file() -> Path:
    """The denoising AE shipped with the app (resources/models/ae-denoising.safetensors)."""
    return Path(str(resource_path("models"))) / "ae-denoising.safetensors"


def training_noise(entry) -> float:
    """The noise level a model was trained with (0: plain training)."""
    config = entry.train_config
    return float(getattr(config, "train_noise", 0.0) or 0.0) if config is not None else 0.0


def is_plain(entry) -> bool:
    return training_noise(entry) == 0


def is_denoising(entry) -> bool:
    return training_noise(entry) > 0


class ReconstructionPanel(QWidget):
    """Test images, their noisy version and the models' reconstructions, bound to a
    ReconstructionState (models, noise level, which images)."""

    def __init__(
        self, session: Session, state: ReconstructionState | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reconstructionPanel")
        self.session = session
        self.state = state if state is not None else ReconstructionState(self)
        self.basis = pca_basis()  # the training split's principal axes, shipped with the app
        self.ae_picker = ModelPicker(session, "ae", accept=is_plain, objectName="reconstructionAeCombo")
        self.denoising_picker = ModelPicker(
            session, "ae", accept=is_denoising, objectName="reconstructionDenoisingCombo"
        )
        self.denoising_picker.setToolTip(
            self.tr(
                "An AE trained on noisy inputs with clean targets (Training → Denoising noise), shown "
                "under the plain AE on the same noisy images."
            )
        )
        self.vae_picker = ModelPicker(session, "vae", objectName="reconstructionVaeCombo")
        self.noise_slider = QSlider(Qt.Orientation.Horizontal, objectName="noiseLevelSlider")
        self.noise_slider.setRange(0, self.state.NOISE_STEPS)
        self.noise_slider.setValue(round(self.state.noise * self.state.NOISE_STEPS))
        self.noise_slider.setMinimumWidth(260)
        self.noise_slider.setToolTip(
            self.tr("The lab's noise: each pixel gets (U[0,1) − 0.5) × level, then is clipped to [0, 1].")
        )
        self.noise_label = QLabel(objectName="noiseLevelLabel")
        self.shuffle_button = QPushButton(self.tr("Other images"), objectName="shuffleImagesButton")
        self.grid = ImageGrid(objectName="reconstructionGrid")
        self.caption = QLabel(objectName="reconstructionCaption")
        self.caption.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("AE")))
        bar.addWidget(self.ae_picker)
        self.open_denoising_button = QPushButton(
            self.tr("Compare with a denoising AE"), objectName="openDenoisingButton"
        )
        self.open_denoising_button.setToolTip(
            self.tr("Open the denoising AE shipped with the app (trained with the lab's noise 0.5 on its inputs).")
        )
        self.open_denoising_button.clicked.connect(self._on_open_denoising_button_clicked)
        bar.addWidget(self.open_denoising_button)
        self.denoising_label = QLabel(self.tr("Denoising AE"))
        bar.addWidget(self.denoising_label)
        bar.addWidget(self.denoising_picker)
        bar.addWidget(QLabel(self.tr("VAE")))
        bar.addWidget(self.vae_picker)
        bar.addStretch(1)
        # The noise on a line of its own: three pickers and the slider on one line would widen
        # the window beyond a 1280-pixel projector.
        noise_bar = QHBoxLayout()
        noise_bar.addWidget(QLabel(self.tr("Noise level")))
        noise_bar.addWidget(self.noise_slider)
        noise_bar.addWidget(self.noise_label)
        noise_bar.addWidget(self.shuffle_button)
        noise_bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(noise_bar)
        layout.addWidget(self.caption)
        layout.addWidget(self.grid, 1)
        self.pickers = {"ae": self.ae_picker, "vae": self.vae_picker, "denoising": self.denoising_picker}
        for role, picker in self.pickers.items():
            self.state.set_model(role, picker.entry())
        # Widgets write the state; the state's signals move the widgets and redraw.
        self.noise_slider.valueChanged.connect(self._on_noise_slider_value_changed)
        self.shuffle_button.clicked.connect(self.state.other_images)
        for picker in self.pickers.values():
            picker.entryChanged.connect(self._on_picker_entry_changed)
        self.state.modelChanged.connect(self._on_state_model_changed)
        self.state.noiseChanged.connect(self._on_state_noise_changed)
        self.state.imagesChanged.connect(self._on_state_images_changed)
        session.modelsChanged.connect(self._on_session_models_changed)
        session.modelUpdated.connect(self._on_session_model_updated)
        session.datasetChanged.connect(self.redraw)
        self._on_session_models_changed()
        self.redraw()

    def _add_pca_row(self, d: int, inputs, originals, rows, labels, captions) -> None:
        """The honest baseline under the AE: PCA with as many dimensions, on the same inputs."""
        if self.basis is None or self.basis.n_components < d:
            return
        recon = self.basis.truncated(d).reconstruct(inputs)
        errors = ((recon - originals) ** 2).mean(axis=(1, 2))
        rows.append(np.clip(recon, 0, 1))
        labels.append(self.tr("PCA-{d}").format(d=d))
        captions.append([f"{e:.4f}" for e in errors])

    @property
    def noise_level(self) -> float:
        return self.state.noise

    @property
    def shuffle_seed(self) -> int:
        return self.state.images

    def indices(self) -> np.ndarray:
        split = self.session.dataset.test
        rng = np.random.default_rng(self.state.images)
        return np.sort(rng.choice(len(split), size=min(COUNT, len(split)), replace=False))

    @Slot(int)
    def _on_noise_slider_value_changed(self, value: int) -> None:
        self.state.set_noise(value / self.state.NOISE_STEPS)

    @Slot(object)
    def _on_picker_entry_changed(self, _entry) -> None:
        for role, picker in self.pickers.items():
            self.state.set_model(role, picker.entry())

    @Slot(str, object)
    def _on_state_model_changed(self, role: str, entry) -> None:
        picker = self.pickers[role]
        if not picker.show_entry(entry):
            self.state.set_model(role, picker.entry())  # not one it lists: the picker's stays
            return
        self.redraw()

    @Slot(float)
    def _on_state_noise_changed(self, level: float) -> None:
        self.noise_slider.setValue(round(level * self.state.NOISE_STEPS))
        self.redraw()

    @Slot(int)
    def _on_state_images_changed(self, _images: int) -> None:
        self.redraw()

    @Slot()
    def _on_session_models_changed(self) -> None:
        shown = self.denoising_picker.count() > 0  # only when the session holds a denoising AE
        self.denoising_label.setVisible(shown)
        self.denoising_picker.setVisible(shown)
        self.open_denoising_button.setVisible(not shown and bundled_denoising_file().is_file())

    @Slot()
    def _on_open_denoising_button_clicked(self) -> None:
        from core.checkpoint import CheckpointError, load_checkpoint
        from explorer.state.session import ModelEntry

        path = bundled_denoising_file()
        try:
            checkpoint = load_checkpoint(path)
        except CheckpointError as exc:
            self.caption.setText(str(exc))
            return
        self.session.add(
            ModelEntry(checkpoint.model, checkpoint.train_config, checkpoint.history, path, replay=checkpoint.replay)
        )

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        if entry_id in {e.id for e in self.state.models.values() if e}:
            self.redraw()

    @Slot()
    def redraw(self) -> None:
        self.noise_label.setText(f"{self.noise_level:.2f}")
        data = self.session.dataset
        if data is None:
            self.grid.clear()
            self.caption.setText(
                self.tr("Reconstructions need the Fashion-MNIST test images (see the status bar).")
            )
            return
        images = data.test.images[torch.from_numpy(self.indices())]
        originals = images.float().numpy() / 255
        rows, labels, captions = [originals], [self.tr("test image")], [[""] * len(originals)]
        level = self.noise_level
        noisy = None
        inputs = None
        models = self.state.models
        for entry in (models["ae"], models["denoising"], models["vae"]):
            if entry is None:
                continue
            # Same seed: the same noise for both models and while the slider moves.
            generator = torch.Generator().manual_seed(1000 + self.state.images)
            inputs, recon = reconstruct(entry.model, images, level, generator)
            if level > 0 and noisy is None:
                noisy = inputs
            errors = ((recon - originals) ** 2).mean(axis=(1, 2))
            rows.append(recon)
            noise = training_noise(entry)
            if noise:
                labels.append(self.tr("denoising AE ({level:g})").format(level=noise))
            else:
                labels.append(entry.kind.upper())
            captions.append([f"{e:.4f}" for e in errors])
            if entry.kind == "ae" and not noise:
                self._add_pca_row(entry.model.latent_dim, inputs, originals, rows, labels, captions)
        if noisy is not None:
            noise_err = ((noisy - originals) ** 2).mean(axis=(1, 2))
            rows.insert(1, noisy)
            labels.insert(1, self.tr("noisy input"))
            captions.insert(1, [f"{e:.4f}" for e in noise_err])
        self.grid.set_images(np.stack(rows), labels, captions)
        if len(rows) == 1 + (noisy is not None):
            self.caption.setText(self.tr("Open or train an AE and a VAE to see their reconstructions."))
        else:
            numbers = self.tr(
                "Numbers: mean squared error per pixel against the clean image (PCA-d: the linear "
                "projection on d principal axes of the training images)."
            )
            if models["denoising"] is not None:
                story = self.tr("Only the denoising AE saw noisy inputs (with clean targets) in training.")
            elif bundled_denoising_file().is_file():
                story = self.tr(
                    "The models only ever saw clean images: press 'Compare with a denoising AE' to add one "
                    "trained on noisy inputs."
                )
            else:
                story = self.tr(
                    "The models only ever saw clean images; train an AE with Denoising noise 0.5 to compare."
                )
            means = [
                f"{label} {np.mean([float(c) for c in row_captions]):.4f}"
                for label, row_captions in zip(labels[1:], captions[1:], strict=True)
            ]
            summary = self.tr("Mean error over these images: {errors}.").format(errors=", ".join(means))
            self.caption.setText(numbers + " " + story + " " + summary)
