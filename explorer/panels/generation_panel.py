"""Generation: decode draws of z ~ N(0, scale² I) — and the same draws through the AE."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.latent import decode, sample_prior
from explorer.state.session import Session
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import ImageGrid

ROWS, COLS = 5, 10


class GenerationPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("generationPanel")
        self.session = session
        self.seed = 0
        self.codes: np.ndarray | None = None
        self.picker = ModelPicker(session, prefer="vae", objectName="generationModelCombo")
        self.scale_spin = QDoubleSpinBox(
            objectName="generationScaleSpin", minimum=0.1, maximum=3.0, singleStep=0.1, value=1.0, decimals=1
        )
        self.scale_spin.setToolTip(
            self.tr(
                "Temperature: z is drawn from N(0, scale² I). 1 is the prior the VAE was trained to match."
            )
        )
        self.generate_button = QPushButton(self.tr("New draws"), objectName="generateButton")
        self.generate_button.setShortcut("Ctrl+G")
        self.generate_button.setToolTip(self.tr("Draw new codes z from the prior and decode them (Ctrl+G)."))
        self.grid = ImageGrid(objectName="generationGrid")
        self.caption = QLabel(objectName="generationCaption")
        self.caption.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Model")))
        bar.addWidget(self.picker)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("Scale")))
        bar.addWidget(self.scale_spin)
        bar.addWidget(self.generate_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.caption)
        layout.addWidget(self.grid, 1)
        self.picker.entryChanged.connect(self._on_picker_entry_changed)
        self.generate_button.clicked.connect(self._on_generate_button_clicked)
        self.scale_spin.valueChanged.connect(self._on_scale_spin_value_changed)
        session.modelUpdated.connect(self._on_session_model_updated)
        self.redraw()

    @Slot()
    def _on_generate_button_clicked(self) -> None:
        self.seed += 1
        self.codes = None
        self.redraw()

    @Slot(float)
    def _on_scale_spin_value_changed(self, _value: float) -> None:
        self.redraw()

    @Slot(object)
    def _on_picker_entry_changed(self, _entry) -> None:
        self.redraw()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        entry = self.picker.entry()
        if entry is not None and entry.id == entry_id:
            self.redraw()

    def redraw(self) -> None:
        entry = self.picker.entry()
        self.generate_button.setEnabled(entry is not None)
        if entry is None:
            self.grid.clear()
            self.caption.setText(self.tr("Train a model or open one (File → Open model) to generate images."))
            return
        d = entry.model.latent_dim
        # The same draws for every model of the same latent size: switch to the AE to see why
        # its latent space does not generate.
        base = sample_prior(ROWS * COLS, d, 1.0, seed=self.seed)
        self.codes = base * self.scale_spin.value()
        images = decode(entry.model, self.codes)
        self.grid.set_images(images.reshape(ROWS, COLS, 28, 28))
        if entry.kind == "vae":
            text = self.tr(
                "{n} codes z drawn from N(0, I) × {s:g}, decoded by the VAE. Its KL term pulled the codes of "
                "real images towards this prior, so most draws decode to plausible clothes."
            )
        else:
            text = self.tr(
                "The same {n} draws z ~ N(0, I) × {s:g}, decoded by the AE. Nothing made its codes follow "
                "N(0, I): many draws fall in empty regions between its clusters and decode to blurs."
            )
        self.caption.setText(text.format(n=ROWS * COLS, s=self.scale_spin.value()))
