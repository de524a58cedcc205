"""The interpolation bar: its method and steps, its endpoints A and B, the α walk and the strip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget

from explorer.state.explorer import STEPS
from explorer.views.widgets import ImageGrid, shrinkable


class InterpolationBar(QWidget):
    """Method, steps, Random A and B, Test image # with Set as A / B; α with Animate; the strip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps_spin = QSpinBox(objectName="interpolationStepsSpin", minimum=STEPS[0], maximum=STEPS[1])
        self.method_combo = QComboBox(objectName="interpolationMethodCombo")
        self.method_combo.addItem(self.tr("linear (the lab's)"), "linear")
        self.method_combo.addItem(self.tr("spherical (slerp)"), "spherical")
        self.method_combo.setToolTip(self.tr("How the strip below interpolates from A to B"))
        self.random_ends_button = QPushButton(self.tr("Random A and B"), objectName="randomEndpointsButton")
        self.endpoint_label = shrinkable(QLabel(objectName="endpointLabel"))
        self.index_spin = QSpinBox(objectName="endpointIndexSpin", minimum=0, maximum=9999)
        self.index_spin.setPrefix(self.tr("Test image #"))
        self.index_spin.setToolTip(self.tr("A test image by its index (0–9,999), as in the lab's notebook."))
        self.set_a_button = QPushButton(self.tr("Set as A"), objectName="setEndpointAButton")
        self.set_b_button = QPushButton(self.tr("Set as B"), objectName="setEndpointBButton")
        self.alpha_slider = QSlider(Qt.Orientation.Horizontal, objectName="alphaSlider")
        self.alpha_slider.setRange(0, 100)
        self.alpha_slider.setMinimumWidth(100)
        self.alpha_slider.setToolTip(self.tr("Walk from A to B: the large image and the sliders follow."))
        self.alpha_label = QLabel("α = 0.00", objectName="alphaLabel")
        self.animate_button = QPushButton(self.tr("Animate"), objectName="animateButton", checkable=True)
        self.strip = ImageGrid(objectName="interpolationStrip")
        self.strip.setMinimumHeight(60)  # the walk row below the endpoints takes the rest
        steps_label = QLabel(self.tr("Steps A→B"))
        steps_label.setBuddy(self.steps_spin)
        # Two rows: the endpoints, then the walk between them (one row would not fit 1280×720).
        bar = QHBoxLayout()
        for widget in (self.method_combo, steps_label, self.steps_spin, self.random_ends_button, self.index_spin):
            bar.addWidget(widget)
        bar.addWidget(self.set_a_button)
        bar.addWidget(self.set_b_button)
        bar.addWidget(self.endpoint_label, 1)
        walk = QHBoxLayout()
        walk.addWidget(self.alpha_slider, 1)
        walk.addWidget(self.alpha_label)
        walk.addWidget(self.animate_button)
        bottom = QVBoxLayout(self)
        bottom.addLayout(bar)
        bottom.addLayout(walk)
        bottom.addWidget(self.strip, 1)
