import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QSlider, QSpinBox

from core.checkpoint import save_checkpoint
from core.latent import decode, interpolate
from core.models import ModelConfig
from core.training import new_model
from explorer.views.widgets import ImageGrid


@pytest.fixture
def window(qtbot, models_window):
    w = models_window
    w.resize(1600, 1000)
    w.show()
    w.tabs.setCurrentWidget(w.latent_panel)
    qtbot.waitUntil(lambda: w.latent_panel.pca is not None, timeout=20_000)
    return w


def test_sliders_drive_the_decoder(qtbot, window):
    panel = window.latent_panel
    assert panel.entry.kind == "vae"
    sliders = [window.findChild(QSlider, f"latentSlider{i}") for i in range(4)]
    assert all(sliders) and window.findChild(QSlider, "latentSlider4") is None
    image = window.findChild(ImageGrid, "decodedImage")
    before = image.images.copy()
    sliders[1].setValue(900)
    sliders[3].setValue(120)
    qtbot.wait(20)  # the coalesced decode runs on the next event-loop turn
    z = np.array([panel.slider_value(i) for i in range(4)], dtype=np.float32)
    assert np.allclose(panel.state.z, z)
    assert not np.allclose(image.images, before)
    assert np.allclose(image.images[0], decode(panel.entry.model, z), atol=1e-6)


def test_vae_slider_ranges_cover_the_prior(qtbot, window):
    panel = window.latent_panel
    for i in range(4):
        low, high = panel.slider_range(i)
        assert low <= -3 and high >= 3


def test_map_shows_pca_then_tsne(qtbot, window):
    panel = window.latent_panel
    assert panel.pca is not None and panel.pca.coords.shape == (128, 2)  # all 128 tiny test images
    qtbot.waitUntil(lambda: panel.tsne is not None, timeout=90_000)
    assert panel.projection is panel.tsne
    x, y = panel.scatter.getData()
    assert np.allclose(np.c_[x, y], panel.tsne.coords)
    panel.map_combo.setCurrentIndex(panel.map_combo.findData("pca"))
    x, y = panel.scatter.getData()
    assert np.allclose(np.c_[x, y], panel.pca.coords)


def test_clicking_a_point_sets_the_sliders_to_its_code(qtbot, window):
    panel = window.latent_panel
    panel.map_combo.setCurrentIndex(panel.map_combo.findData("pca"))
    qtbot.wait(50)
    point = 17
    view_xy = panel.pca.coords[point]
    scene = panel.map.getViewBox().mapViewToScene(QPointF(float(view_xy[0]), float(view_xy[1])))
    widget_pos = panel.map.mapFromScene(scene)
    qtbot.mouseClick(panel.map.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    qtbot.waitUntil(lambda: panel.state.selected is not None, timeout=2_000)
    chosen = panel.state.selected
    assert np.allclose(panel.state.z, panel.codes[chosen])
    values = np.array([panel.slider_value(i) for i in range(4)])
    assert np.allclose(
        values, panel.codes[chosen], atol=(panel.slider_range(0)[1] - panel.slider_range(0)[0]) / 900
    )
    assert np.allclose(panel.pca.coords[chosen], view_xy, atol=1.0)
    assert window.findChild(ImageGrid, "selectionImages").images.shape == (2, 1, 28, 28)


def test_you_are_here_follows_the_sliders(qtbot, window):
    panel = window.latent_panel
    panel.map_combo.setCurrentIndex(panel.map_combo.findData("pca"))
    before = panel.here.getData()
    window.findChild(QSlider, "latentSlider0").setValue(1000)
    after = panel.here.getData()
    assert (before[0][0], before[1][0]) != (after[0][0], after[1][0])
    assert np.allclose([after[0][0], after[1][0]], panel.pca.position(panel.state.z), atol=1e-5)


@pytest.mark.parametrize("steps", [4, 10])
def test_interpolation_strip(qtbot, window, steps):
    panel = window.latent_panel
    panel.set_endpoint_from_point("A", 3)
    panel.set_endpoint_from_point("B", 40)
    window.findChild(QSpinBox, "interpolationStepsSpin").setValue(steps)
    strip = window.findChild(ImageGrid, "interpolationStrip")
    assert strip.images.shape == (1, steps + 1, 28, 28)
    model = panel.entry.model
    assert np.allclose(strip.images[0, 0], decode(model, panel.codes[3])[0], atol=1e-6)
    assert np.allclose(strip.images[0, -1], decode(model, panel.codes[40])[0], atol=1e-6)
    _, codes = interpolate(panel.codes[3], panel.codes[40], steps, "linear")
    assert np.allclose(strip.images[0, steps // 2], decode(model, codes[steps // 2])[0], atol=1e-6)
    x, _ = panel.path_item.getData()
    assert len(x) == steps + 1


def test_switching_model_drops_the_stale_tsne(qtbot, window):
    panel = window.latent_panel
    vae_key = panel._key
    panel.picker.select(window.session.latest("ae").id)
    assert panel.entry.kind == "ae" and panel._key != vae_key
    qtbot.waitUntil(lambda: panel.pca is not None and panel.codes.shape[1] == 3, timeout=20_000)
    qtbot.waitUntil(lambda: panel.tsne is not None, timeout=90_000)
    assert panel.tsne.codes.shape[1] == 3  # the AE's map, never the VAE's late result
    assert window.findChild(QSlider, "latentSlider2") is not None
    assert window.findChild(QSlider, "latentSlider3") is None


def test_ae_vs_vae_maps_side_by_side(qtbot, window):
    panel = window.compare_panel
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: all(panel.projection(k) is not None for k in ("ae", "vae")), timeout=20_000)
    panel.method_combo.setCurrentIndex(panel.method_combo.findData("tsne"))
    qtbot.waitUntil(lambda: all(panel.projection(k).method == "tsne" for k in ("ae", "vae")), timeout=90_000)
    ae_codes = panel.projection("ae").codes
    vae_codes = panel.projection("vae").codes
    assert ae_codes.shape == (128, 3) and vae_codes.shape == (128, 4)  # the same 128 test images
    for kind in ("ae", "vae"):
        x, _ = panel.scatters[kind].getData()
        assert len(x) == 128
    assert "distance" in panel.status["vae"].text()


def test_export_view(qtbot, window, tmp_path):
    assert window.export_view(tmp_path / "map")
    from PySide6.QtGui import QImage

    image = QImage(str(tmp_path / "map.png"))
    assert not image.isNull() and image.width() > 100
    # One strip alone (its context menu's "Save these images as PNG…"); the maps export through
    # pyqtgraph's own context menu.
    strip = window.findChild(ImageGrid, "interpolationStrip")
    assert strip.save_png(tmp_path / "strip.png")
    image = QImage(str(tmp_path / "strip.png"))
    assert (image.width(), image.height()) == (strip.width(), strip.height())


def test_new_weights_redraw_the_strip(qtbot, window):
    panel = window.latent_panel
    strip = window.findChild(ImageGrid, "interpolationStrip")
    entry = panel.entry
    with torch.no_grad():
        for p in entry.model.decoder.parameters():
            p.mul_(0.5)
    window.session.mark_updated(entry)  # what a training epoch does
    _, codes = interpolate(panel.state.endpoints["A"], panel.state.endpoints["B"], panel.steps_spin.value())
    assert np.allclose(strip.images[0], decode(entry.model, codes), atol=1e-6)


def test_alpha_scrubber_walks_the_path(qtbot, window):
    from core.latent import path_points

    panel = window.latent_panel
    panel.set_endpoint_from_point("A", 3)
    panel.set_endpoint_from_point("B", 40)
    slider = window.findChild(QSlider, "alphaSlider")
    slider.setValue(30)
    expected = path_points(panel.codes[3], panel.codes[40], 0.3)
    assert np.allclose(panel.state.z, expected, atol=1e-6)
    qtbot.wait(20)
    assert np.allclose(
        window.findChild(ImageGrid, "decodedImage").images[0], decode(panel.entry.model, expected), atol=1e-6
    )
    panel.animate_button.setChecked(True)
    qtbot.waitUntil(lambda: slider.value() != 30, timeout=2_000)
    panel.animate_button.setChecked(False)


def test_training_replay_shows_one_frame_per_epoch(qtbot, window):
    from core.latent import aligned_replay

    panel = window.latent_panel
    replay = panel.entry.replay
    assert len(replay.frames) == 3 and len(replay.indices) == 64
    slider = window.findChild(QSlider, "replaySlider")
    assert slider.isEnabled() and slider.maximum() == 2  # before training, epochs 1 and 2
    maps = aligned_replay(replay.frames)
    for frame in (1, 0, 2):
        slider.setValue(frame)
        x, y = panel.scatter.getData()
        assert np.allclose(np.c_[x, y], maps[frame])
    assert "after epoch 2" in panel.replay_label.text()
    slider.setValue(0)
    panel.replay_button.setChecked(True)
    qtbot.waitUntil(lambda: slider.value() == 2, timeout=5_000)
    qtbot.waitUntil(lambda: not panel.replay_button.isChecked(), timeout=5_000)
    panel.live_button.click()
    assert not panel.replaying
    x, _ = panel.scatter.getData()
    assert len(x) == 128  # the live map again


def test_endpoints_from_test_image_indices(qtbot, window):
    from core.training import encode_split

    panel = window.latent_panel
    spin = window.findChild(QSpinBox, "endpointIndexSpin")
    assert spin.maximum() == 127
    spin.setValue(12)
    panel.set_a_button.click()
    spin.setValue(99)
    panel.set_b_button.click()
    codes = encode_split(panel.entry.model, window.session.dataset.test).numpy()
    assert np.allclose(panel.state.endpoints["A"], codes[12], atol=1e-5)
    assert np.allclose(panel.state.endpoints["B"], codes[99], atol=1e-5)
    assert "test image 12" in panel.endpoint_label.text() and "test image 99" in panel.endpoint_label.text()
    strip = window.findChild(ImageGrid, "interpolationStrip")
    assert np.allclose(strip.images[0, 0], decode(panel.entry.model, codes[12])[0], atol=1e-5)


def test_a_replay_recorded_on_another_test_set_still_plays(qtbot, window, tmp_path):
    """A model trained on the full test set (indices up to 9999), opened with the 128 images
    of this one: the replay shows its points, uncoloured, instead of raising IndexError."""
    from core.training import Replay

    frames = [np.random.default_rng(i).normal(size=(64, 2)).astype(np.float16) for i in range(3)]
    replay = Replay(np.arange(5000, 5064), frames)
    model = new_model(ModelConfig("ae", 2))
    path = save_checkpoint(tmp_path / "full.safetensors", model, history=[], replay=replay)
    entry = window.open_checkpoint(path)
    panel = window.latent_panel
    panel.picker.select(entry.id)
    assert panel.entry is entry
    slider = window.findChild(QSlider, "replaySlider")
    slider.setValue(2)
    x, _ = panel.scatter.getData()
    assert len(x) == 64 and "after epoch 2" in panel.replay_label.text()


def test_switching_model_resets_everything_of_the_previous_one(qtbot, window):
    """Issue 17, item 3: the replay label, the image under the cursor, α, the selection and the
    sliders all belong to the model shown; a switch resets them together."""
    panel = window.latent_panel
    panel.findChild(QSlider, "replaySlider").setValue(2)
    assert "after epoch 2" in panel.replay_label.text()
    panel.live_button.click()
    panel.map.hovered.emit(0.0, 0.0, 5)  # over point 5: its test image
    assert panel.hover.images.size and panel.hover_label.text()
    panel.findChild(QSlider, "replaySlider").setValue(1)  # replaying again when the switch comes
    panel.set_endpoint_from_point("A", 3)
    panel.set_endpoint_from_point("B", 40)
    panel.findChild(QSlider, "alphaSlider").setValue(58)
    panel.select_test_image(int(panel.indices[9]))
    assert panel.state.alpha == pytest.approx(0.58) and panel.state.selected == 9

    panel.picker.select(window.session.latest("ae").id)
    assert panel.entry.kind == "ae" and not panel.replaying
    assert "epoch" not in panel.replay_label.text()
    assert panel.findChild(QSlider, "replaySlider").value() == 0
    assert panel.hover.images.size == 0 and panel.hover_label.text() == ""
    assert panel.state.alpha == 0 and panel.findChild(QSlider, "alphaSlider").value() == 0
    assert panel.alpha_label.text() == "α = 0.00"
    assert panel.state.selected is None and panel.selected_test_index() is None
    assert np.array_equal(panel.state.z, np.zeros(3, dtype=np.float32))
    assert all(len(panel.state.endpoints[k]) == 3 for k in "AB")
    assert "random" in panel.endpoint_label.text()
    qtbot.waitUntil(lambda: panel.codes is not None and panel.codes.shape[1] == 3, timeout=20_000)
    for i in range(3):  # the sliders at 0 (or their nearest end) in the new model's ranges
        low, high = panel.slider_range(i)
        assert panel.slider_value(i) == pytest.approx(np.clip(0.0, low, high), abs=(high - low) / 900)


def test_the_approximate_star_stays_on_the_drawn_path(qtbot, window):
    """Issue 17, item 4: walking from A to B on t-SNE, the star sits on the path drawn."""
    panel = window.latent_panel
    qtbot.waitUntil(lambda: panel.tsne is not None, timeout=90_000)
    assert panel.projection is panel.tsne and not panel.projection.exact
    panel.set_endpoint_from_point("A", 3)
    panel.set_endpoint_from_point("B", 40)
    x, y = panel.path_item.getData()
    alphas = np.linspace(0, 1, len(x))
    for value in (30, 64, 100, 0):
        panel.findChild(QSlider, "alphaSlider").setValue(value)
        star = panel.here.getData()
        expected = [np.interp(value / 100, alphas, x), np.interp(value / 100, alphas, y)]
        assert np.allclose([star[0][0], star[1][0]], expected, atol=1e-5)
    assert "approximate" in panel.map.here_label.toPlainText()
