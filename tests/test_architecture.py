"""The house's walks, checked: a slider value goes widget → state → decoder → image, and
Random, a map click, α and a scene take the same route (the state's one setter and signal)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QSlider

import explorer.panels.latent_panel as latent_panel_module
from core.latent import decode
from explorer.views.widgets import ImageGrid


@pytest.fixture
def explorer(qtbot, models_window, monkeypatch):
    """The explorer on screen with its PCA map, the decoder calls it makes and the state's signal."""
    w = models_window
    w.resize(1600, 1000)
    w.show()
    w.tabs.setCurrentWidget(w.latent_panel)
    panel = w.latent_panel
    qtbot.waitUntil(lambda: panel.pca is not None, timeout=20_000)
    panel.map_combo.setCurrentIndex(panel.map_combo.findData("pca"))
    decoded: list[np.ndarray] = []

    def spy_decode(model, z):
        decoded.append(np.array(z, copy=True))
        return decode(model, z)

    monkeypatch.setattr(latent_panel_module, "decode", spy_decode)
    changes: list[np.ndarray] = []
    panel.state.codeChanged.connect(lambda: changes.append(panel.state.z.copy()))
    return panel, decoded, changes


def _walked(qtbot, panel, decoded, changes, expected: np.ndarray) -> None:
    """The state's signal carried ``expected``; the decoder got it; the image and sliders show it."""
    assert changes and np.allclose(changes[-1], expected, atol=1e-6)
    image = panel.findChild(ImageGrid, "decodedImage")
    qtbot.waitUntil(lambda: any(z.ndim == 1 and np.allclose(z, expected, atol=1e-6) for z in decoded), timeout=2_000)
    assert np.allclose(image.images[0], decode(panel.entry.model, expected), atol=1e-6)
    for i, slider in enumerate(panel.sliders):
        low, high = panel.slider_range(i)
        position = round((np.clip(expected[i], low, high) - low) / (high - low) * 1000)
        assert slider.value() == position
    star = panel.here.getData()
    assert np.allclose([star[0][0], star[1][0]], panel.pca.position(expected), atol=1e-5)


def test_walk_slider_widget_state_decoder_image(qtbot, explorer):
    panel, decoded, changes = explorer
    before = panel.findChild(ImageGrid, "decodedImage").images.copy()
    panel.findChild(QSlider, "latentSlider1").setValue(880)
    expected = panel.state.z.copy()
    assert expected[1] == pytest.approx(panel.slider_value(1))
    _walked(qtbot, panel, decoded, changes, expected)
    assert not np.allclose(panel.findChild(ImageGrid, "decodedImage").images, before)


def test_walk_slider_random_goes_through_the_state(qtbot, explorer):
    panel, decoded, changes = explorer
    panel.random_button.click()
    assert len(changes) == 1
    _walked(qtbot, panel, decoded, changes, panel.state.z.copy())


def test_walk_slider_map_click_goes_through_the_state(qtbot, explorer):
    panel, decoded, changes = explorer
    from PySide6.QtCore import QPointF, Qt

    qtbot.wait(50)  # the PCA view settled
    x, y = panel.pca.coords[17]
    scene = panel.map.getViewBox().mapViewToScene(QPointF(float(x), float(y)))
    qtbot.mouseClick(panel.map.viewport(), Qt.MouseButton.LeftButton, pos=panel.map.mapFromScene(scene))
    qtbot.waitUntil(lambda: panel.state.selected is not None, timeout=2_000)
    _walked(qtbot, panel, decoded, changes, panel.codes[panel.state.selected])


def test_walk_slider_alpha_goes_through_the_state(qtbot, explorer):
    from core.latent import path_points

    panel, decoded, changes = explorer
    panel.set_endpoint_from_point("A", 3)
    panel.set_endpoint_from_point("B", 40)
    panel.findChild(QSlider, "alphaSlider").setValue(25)
    assert panel.state.alpha == pytest.approx(0.25)
    _walked(qtbot, panel, decoded, changes, path_points(panel.codes[3], panel.codes[40], 0.25))


def test_walk_slider_scene_apply_goes_through_the_state(qtbot, explorer):
    panel, decoded, changes = explorer
    code = [0.5, -0.25, 1.0, 0.125]
    panel.state.apply_scene({"code": code, "alpha": 0.4, "steps": 7}, lambda section, key: None)
    assert panel.steps_spin.value() == 7 and panel.findChild(QSlider, "alphaSlider").value() == 40
    _walked(qtbot, panel, decoded, changes, np.array(code, dtype=np.float32))
    # Only the state's signal moved the sliders: nothing wrote a slider's rounding back into it.
    assert np.array_equal(panel.state.z, np.array(code, dtype=np.float32))
