"""Generation: decode draws of z ~ N(0, scale² I) — and the same draws through the AE."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.latent import decode, sample_prior
from explorer.state.panels import GenerationState
from explorer.state.session import Session
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import ImageGrid

ROWS, COLS = 5, 10


class GenerationPanel(QWidget):
    """A grid of decoded prior draws, bound to a GenerationState (model, scale, draw)."""

    def __init__(self, session: Session, state: GenerationState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("generationPanel")
        self.session = session
        self.state = state if state is not None else GenerationState(self)
        self.codes: np.ndarray | None = None
        self.picker = ModelPicker(session, prefer="vae", objectName="generationModelCombo")
        low, high = self.state.SCALE_RANGE
        self.scale_spin = QDoubleSpinBox(
            objectName="generationScaleSpin",
            minimum=low,
            maximum=high,
            singleStep=0.1,
            value=self.state.scale,
            decimals=self.state.SCALE_DECIMALS,
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
        self.state.set_model(self.picker.entry())
        # Widgets write the state; the state's signals move the widgets and redraw.
        self.picker.entryChanged.connect(self.state.set_model)
        self.generate_button.clicked.connect(self.state.new_draw)
        self.scale_spin.valueChanged.connect(self.state.set_scale)
        self.state.modelChanged.connect(self._on_state_model_changed)
        self.state.scaleChanged.connect(self._on_state_scale_changed)
        self.state.drawChanged.connect(self._on_state_draw_changed)
        session.modelUpdated.connect(self._on_session_model_updated)
        self.redraw()

    @property
    def seed(self) -> int:
        return self.state.draw

    @Slot(object)
    def _on_state_model_changed(self, entry) -> None:
        if not self.picker.show_entry(entry):
            self.state.set_model(self.picker.entry())  # not one it lists: the picker's stays
            return
        self.redraw()

    @Slot(float)
    def _on_state_scale_changed(self, scale: float) -> None:
        self.scale_spin.setValue(scale)
        self.redraw()

    @Slot(int)
    def _on_state_draw_changed(self, _draw: int) -> None:
        self.redraw()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        entry = self.state.model
        if entry is not None and entry.id == entry_id:
            self.redraw()

    def redraw(self) -> None:
        entry = self.state.model
        self.generate_button.setEnabled(entry is not None)
        if entry is None:
            self.grid.clear()
            self.caption.setText(self.tr("Train a model or open one (File → Open model) to generate images."))
            return
        d = entry.model.latent_dim
        # The same draws for every model of the same latent size: switch to the AE to see why
        # its latent space does not generate.
        base = sample_prior(ROWS * COLS, d, 1.0, seed=self.state.draw)
        self.codes = base * self.state.scale
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
        self.caption.setText(text.format(n=ROWS * COLS, s=self.state.scale))
