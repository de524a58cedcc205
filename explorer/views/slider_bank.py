"""One slider per latent dimension, with its range's ends and its value: a view of a code."""

from __future__ import annotations

from functools import partial

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSlider, QVBoxLayout, QWidget

from core.latent import LatentStats
from explorer.views.widgets import ImageGrid


SLIDER_STEPS = 1000
PRIOR_RANGE = (-3.0, 3.0)


def slider_ranges(stats: LatentStats | None, kind: str | None, d: int) -> list[tuple[float, float]]:
    """Each dimension's range: the test codes' mean ± 3σ; for the VAE widened to the prior
    N(0, 1) ± 3 and symmetric, so a handle at the centre reads 0. Without codes of this latent
    size yet (still the previous model's while the new one's are encoded): the prior's."""
    if stats is None or len(stats.low) != d:
        return [PRIOR_RANGE] * d
    ranges = []
    for low, high in zip(stats.low.tolist(), stats.high.tolist()):
        if kind == "vae":
            reach = max(-low, high, 3.0)
            low, high = -reach, reach
        ranges.append((low, high))
    return ranges


class SliderBank(QScrollArea):
    """Rows ``z{i}  low  [slider latentSlider{i}]  high  value``; ``valueEdited(i, value)`` when
    the user moves slider i; ``show_code(z)`` puts the sliders where a code is."""

    valueEdited = Signal(int, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        box = QWidget()
        self._grid = QGridLayout(box)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.setWidget(box)
        self.sliders: list[QSlider] = []
        self.value_labels: list[QLabel] = []
        self.range_labels: list[list[QLabel]] = []
        self.ranges: list[tuple[float, float]] = []

    def set_dims(self, d: int) -> None:
        """One row per dimension (rebuilt only when the latent size changes)."""
        if d == len(self.sliders):
            return
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.sliders, self.value_labels, self.range_labels = [], [], []
        self.ranges = [PRIOR_RANGE] * d
        for i in range(d):
            slider = QSlider(Qt.Orientation.Horizontal, objectName=f"latentSlider{i}")
            slider.setRange(0, SLIDER_STEPS)
            slider.setValue(SLIDER_STEPS // 2)
            # The row's index comes with its signal, never from sender() (a GUI-thread signal:
            # a partial is safe here).
            slider.valueChanged.connect(partial(self._on_slider_value_changed, i))
            value = QLabel("0.00", objectName=f"latentValue{i}")
            value.setMinimumWidth(52)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            # The range's ends, small and grey, either side of the slider.
            ends = [QLabel(objectName=f"latentRange{side}{i}") for side in ("Low", "High")]
            for end in ends:
                end.setStyleSheet("color: #666;")
                end.setAlignment(Qt.AlignmentFlag.AlignCenter)
            for column, widget in enumerate((QLabel(f"z{i}"), ends[0], slider, ends[1], value)):
                self._grid.addWidget(widget, i, column)
            self.sliders.append(slider)
            self.value_labels.append(value)
            self.range_labels.append(ends)

    def set_ranges(self, ranges: list[tuple[float, float]]) -> None:
        self.ranges = list(ranges)
        for labels, ends in zip(self.range_labels, self.ranges):
            for label, end in zip(labels, ends):
                label.setText(f"{end:.1f}")

    def value(self, i: int) -> float:
        """The value slider i stands for."""
        low, high = self.ranges[i]
        return low + (high - low) * self.sliders[i].value() / SLIDER_STEPS

    def show_code(self, z: np.ndarray) -> None:
        for i, slider in enumerate(self.sliders[: len(z)]):
            low, high = self.ranges[i]
            position = int(round((z[i] - low) / (high - low) * SLIDER_STEPS))
            slider.setValue(max(0, min(SLIDER_STEPS, position)))
            self.value_labels[i].setText(f"{z[i]:+.2f}")

    def _on_slider_value_changed(self, i: int, _position: int) -> None:
        value = self.value(i)
        self.value_labels[i].setText(f"{value:+.2f}")
        self.valueEdited.emit(i, value)


class CodePane(QWidget):
    """The decoded image over the sliders, with Random, Reset and From selected image."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.decoded = ImageGrid(objectName="decodedImage")
        self.decoded.setMinimumSize(200, 200)
        self.random_button = QPushButton(self.tr("Random"), objectName="randomCodeButton")
        self.random_button.setToolTip(
            self.tr("A random code: from N(0, I) for the VAE, from the codes' spread for the AE.")
        )
        self.reset_button = QPushButton(self.tr("Reset"), objectName="resetCodeButton")
        self.reset_button.setToolTip(self.tr("Every slider to the mean of the test images' codes."))
        self.from_selection_button = QPushButton(self.tr("From selected image"), objectName="fromSelectionButton")
        buttons = QHBoxLayout()
        for b in (self.random_button, self.reset_button, self.from_selection_button):
            buttons.addWidget(b)
        self.bank = SliderBank()
        self.slider_note = QLabel(objectName="sliderNoteLabel")
        self.slider_note.setWordWrap(True)
        left = QVBoxLayout(self)
        left.addWidget(self.decoded, 3)
        left.addLayout(buttons)
        left.addWidget(self.slider_note)
        left.addWidget(self.bank, 4)
