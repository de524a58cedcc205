"""A monkey test: a few hundred random actions on every control of every panel (clicks, slider
moves, combo and spin box changes, tab and model switches, training started and stopped), with a
fixed seed, on tiny models and data. pytest-qt fails the test if any exception reaches the
event loop; at the end the app must still answer and compute right."""

import os

import numpy as np
import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QMessageBox,
    QSpinBox,
)

from core.latent import decode

ACTIONS = 300


@pytest.fixture
def window(qtbot, models_window):
    w = models_window
    w.resize(1600, 1000)
    w.show()
    qtbot.waitUntil(lambda: w.session.dataset is not None, timeout=10_000)
    return w


def _controls(window):
    panel = window.tabs.currentWidget()
    kinds = (QAbstractButton, QAbstractSlider, QComboBox, QAbstractSpinBox)
    return [
        c
        for kind in kinds
        for c in panel.findChildren(kind)
        if c.isVisible() and c.isEnabled() and not isinstance(c.window(), QMessageBox)
    ]


def _act(rng, control) -> None:
    if isinstance(control, QAbstractButton):
        control.click()
    elif isinstance(control, QAbstractSlider):
        control.setValue(int(rng.integers(control.minimum(), control.maximum() + 1)))
    elif isinstance(control, QComboBox):
        if control.count():
            control.setCurrentIndex(int(rng.integers(control.count())))
    elif isinstance(control, QSpinBox):
        control.setValue(
            int(rng.integers(control.minimum(), min(control.maximum(), control.minimum() + 50) + 1))
        )
    elif isinstance(control, QDoubleSpinBox):
        control.setValue(float(rng.uniform(control.minimum(), min(control.maximum(), control.minimum() + 5))))


def test_random_actions_never_break_the_app(qtbot, window):
    rng = np.random.default_rng(int(os.environ.get("MONKEY_SEED", "2024")))  # other seeds: explore
    panel = window.training_panel
    panel.epochs_spin.setMaximum(3)  # keep the runs the monkey starts short
    panel.batch_spin.setMinimum(64)
    counts = {"tab": 0, "control": 0}
    for step in range(ACTIONS):
        if rng.random() < 0.1:
            window.tabs.setCurrentIndex(int(rng.integers(window.tabs.count())))
            counts["tab"] += 1
        else:
            controls = _controls(window)
            if controls:
                _act(rng, controls[int(rng.integers(len(controls)))])
                counts["control"] += 1
        qtbot.wait(int(rng.integers(0, 15)) if step % 10 else 60)  # let workers and timers run
        for box in window.findChildren(QMessageBox):  # an error said politely is fine: close it
            box.close()
    assert counts["tab"] > 10 and counts["control"] > 200

    # Still alive and still right: stop whatever runs, then the explorer decodes what it shows.
    if panel.is_training:
        with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
            panel.stop_button.click()
    latent = window.latent_panel
    window.tabs.setCurrentWidget(latent)
    latent.picker.setCurrentIndex(latent.picker.findData(window.session.latest("vae").id))
    qtbot.waitUntil(lambda: latent.entry is not None and latent.entry.kind == "vae", timeout=5000)
    latent.sliders[0].setValue(777)
    qtbot.waitUntil(
        lambda: np.allclose(latent.decoded.images[0], decode(latent.entry.model, latent.state.z), atol=1e-6),
        timeout=5000,
    )
