"""Reconstruction and denoising: test images, the lab's noise, and what the AE and VAE make of them."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from core.latent import reconstruct
from explorer.panels.understanding_panel import pca_basis
from explorer.state.session import Session
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import ImageGrid

COUNT = 10


class ReconstructionPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reconstructionPanel")
        self.session = session
        self.shuffle_seed = 0
        self.basis = pca_basis()  # the training split's principal axes, shipped with the app
        self.ae_picker = ModelPicker(session, "ae", objectName="reconstructionAeCombo")
        self.vae_picker = ModelPicker(session, "vae", objectName="reconstructionVaeCombo")
        self.noise_slider = QSlider(Qt.Orientation.Horizontal, objectName="noiseLevelSlider")
        self.noise_slider.setRange(0, 100)
        self.noise_slider.setValue(50)
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
        bar.addWidget(QLabel(self.tr("VAE")))
        bar.addWidget(self.vae_picker)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("Noise level")))
        bar.addWidget(self.noise_slider)
        bar.addWidget(self.noise_label)
        bar.addWidget(self.shuffle_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.caption)
        layout.addWidget(self.grid, 1)
        self.noise_slider.valueChanged.connect(self._on_noise_slider_value_changed)
        self.shuffle_button.clicked.connect(self._on_shuffle_button_clicked)
        self.ae_picker.entryChanged.connect(self._on_picker_entry_changed)
        self.vae_picker.entryChanged.connect(self._on_picker_entry_changed)
        session.modelUpdated.connect(self._on_session_model_updated)
        session.datasetChanged.connect(self.redraw)
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
        return self.noise_slider.value() / 100

    def indices(self) -> np.ndarray:
        split = self.session.dataset.test
        rng = np.random.default_rng(self.shuffle_seed)
        return np.sort(rng.choice(len(split), size=min(COUNT, len(split)), replace=False))

    @Slot(int)
    def _on_noise_slider_value_changed(self, _value: int) -> None:
        self.redraw()

    @Slot()
    def _on_shuffle_button_clicked(self) -> None:
        self.shuffle_seed += 1
        self.redraw()

    @Slot(object)
    def _on_picker_entry_changed(self, _entry) -> None:
        self.redraw()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        if entry_id in {e.id for e in (self.ae_picker.entry(), self.vae_picker.entry()) if e}:
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
        for entry in (self.ae_picker.entry(), self.vae_picker.entry()):
            if entry is None:
                continue
            # Same seed: the same noise for both models and while the slider moves.
            generator = torch.Generator().manual_seed(1000 + self.shuffle_seed)
            inputs, recon = reconstruct(entry.model, images, level, generator)
            if level > 0 and noisy is None:
                noisy = inputs
            errors = ((recon - originals) ** 2).mean(axis=(1, 2))
            rows.append(recon)
            labels.append(entry.kind.upper())
            captions.append([f"{e:.4f}" for e in errors])
            if entry.kind == "ae":
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
            self.caption.setText(
                self.tr(
                    "Numbers: mean squared error per pixel against the clean test image. The models only ever "
                    "saw clean images: the noise does not survive the small code, and neither does fine detail. "
                    "Compare each row's error with the noisy input's. PCA-d: the linear projection on "
                    "as many principal axes of the training images as the AE has dimensions."
                )
            )
