"""The Draw panel: strokes become the expected 28×28 image; the model's view of it is exact."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from core.data import to_float
from core.drawing import paint_segment
from core.images import open_image
from explorer.views.draw_canvas import DrawCanvas
from explorer.panels.training_panel import NEW_MODEL
from explorer.views.widgets import ImageGrid


@pytest.fixture
def canvas(qtbot):
    c = DrawCanvas()
    qtbot.addWidget(c)
    c.resize(280, 280)  # 10 screen pixels per image pixel
    c.show()
    qtbot.waitExposed(c)
    return c


def _stroke(qtbot, canvas, points, button=Qt.MouseButton.LeftButton):
    qpoints = [canvas.widget_point(x, y).toPoint() for x, y in points]
    qtbot.mousePress(canvas, button, pos=qpoints[0])
    for p in qpoints[1:]:
        qtbot.mouseMove(canvas, p)
    qtbot.mouseRelease(canvas, button, pos=qpoints[-1])


def test_a_scripted_stroke_gives_the_expected_image(qtbot, canvas):
    canvas.brush_size, canvas.softness = 2.0, 0.0  # a hard disc of radius 1
    _stroke(qtbot, canvas, [(5.5, 5.5), (12.5, 5.5), (20.5, 5.5)])
    expected = np.zeros((28, 28), dtype=np.float32)
    expected[4:7, 5:21] = 1  # rows within 1 of the line's row 5, its columns 5 … 20
    expected[5, [4, 21]] = 1  # and the round caps' tips
    assert np.array_equal(canvas.image, expected)
    # A soft brush: full ink at the centre, less towards the edge, none beyond.
    canvas.brush_size, canvas.softness = 4.0, 1.0
    _stroke(qtbot, canvas, [(14.5, 20.5)])
    assert canvas.image[20, 14] == 1 and 0 < canvas.image[20, 15] < 1 and canvas.image[20, 16] == 0
    assert canvas.image[20, 15] == pytest.approx(0.5)


def test_eraser_undo_and_clear(qtbot, canvas):
    canvas.brush_size, canvas.softness = 2.0, 0.0
    _stroke(qtbot, canvas, [(5.5, 5.5), (20.5, 5.5)])
    drawn = canvas.image.copy()
    _stroke(qtbot, canvas, [(10.5, 2.5), (10.5, 9.5)], button=Qt.MouseButton.RightButton)
    assert canvas.image[:, 10].sum() == 0 and canvas.image[5, 12] == 1
    canvas.undo()
    assert np.array_equal(canvas.image, drawn)
    canvas.clear()
    assert not canvas.image.any()
    canvas.undo()
    assert np.array_equal(canvas.image, drawn)


def test_paint_segment_matches_distance_to_the_segment():
    canvas = np.zeros((28, 28), dtype=np.float32)
    paint_segment(canvas, (3.0, 4.0), (20.0, 17.0), size=3.0, softness=0.0)
    ys, xs = np.mgrid[0:28, 0:28] + 0.5
    a, b = np.array([3.0, 4.0]), np.array([20.0, 17.0])
    p = np.stack([xs, ys], -1)
    t = np.clip(((p - a) @ (b - a)) / ((b - a) @ (b - a)), 0, 1)
    distance = np.linalg.norm(p - (a + t[..., None] * (b - a)), axis=-1)
    assert np.array_equal(canvas, (distance <= 1.5).astype(np.float32))


@pytest.fixture
def window(qtbot, models_window):
    qtbot.waitUntil(lambda: models_window.session.dataset is not None, timeout=20_000)
    models_window.tabs.setCurrentWidget(models_window.draw_panel)
    models_window.show()
    qtbot.waitExposed(models_window)
    return models_window


def _analysed(qtbot, panel, image):
    panel.canvas.set_image(image)
    qtbot.waitUntil(lambda: panel.reference is not None, timeout=20_000)
    qtbot.waitUntil(
        lambda: panel.analysis is not None and not panel._analyse_timer.isActive(), timeout=5_000
    )
    return panel.analysis


@pytest.mark.parametrize("kind", ["vae", "ae"])
def test_the_drawing_lands_on_the_pca_map_at_the_pca_of_its_code(qtbot, window, kind):
    panel = window.draw_panel
    entry = window.session.latest(kind)
    panel.picker.select(entry.id)
    image = window.session.dataset.test.images[3].numpy().astype(np.float32) / 255
    result = _analysed(qtbot, panel, image)
    model = entry.model.eval()
    with torch.no_grad():
        x = to_float(torch.from_numpy((image * 255).round().astype(np.uint8))[None])
        code = model.encode(x)[0].numpy()
        decoded = model.decode(torch.from_numpy(code)[None])[0, 0].numpy()
    assert np.allclose(result.code, code, atol=1e-5)
    expected_point = panel.reference.pca.transform(code[None])[0]
    assert np.allclose(result.point, expected_point, atol=1e-4)
    x, y = panel.marker.getData()
    assert np.allclose([x[0], y[0]], expected_point, atol=1e-4)
    grid = window.findChild(ImageGrid, "drawReconstruction")
    assert np.allclose(grid.images[0, 0], decoded, atol=1e-5)
    assert result.error == pytest.approx(float(np.mean((decoded - image) ** 2)), rel=1e-4)
    # How typical: the share of the reference's test losses below the drawing's.
    share = 100 * np.mean(panel.reference.losses < result.loss)
    assert result.percentile == pytest.approx(share)
    assert "typical than" in panel.typical_label.text() and "%" in panel.typical_label.text()
    if kind == "vae":
        assert result.ellipse is not None and result.ellipse.shape[1] == 2
        centre = result.ellipse[:-1].mean(0)  # the last point closes the curve
        assert np.allclose(centre, expected_point, atol=1e-3)
    else:
        assert result.ellipse is None
    # The explorer's sliders follow when they show the same model.
    window.latent_panel.picker.select(entry.id)
    panel.canvas.set_image(np.flipud(image))
    qtbot.waitUntil(lambda: not panel._analyse_timer.isActive(), timeout=5_000)
    assert np.allclose(window.latent_panel.state.z, panel.analysis.code, atol=1e-6)


def test_on_the_tsne_map_the_drawing_is_placed_by_transform_next_to_its_own_test_image(qtbot, window):
    panel = window.draw_panel
    panel.picker.select(window.session.latest("vae").id)
    qtbot.waitUntil(lambda: panel.reference is not None, timeout=20_000)
    panel.map_combo.setCurrentIndex(panel.map_combo.findData("tsne"))
    qtbot.waitUntil(lambda: panel.tsne_map is not None, timeout=60_000)
    coords = panel.tsne_map.coords.copy()
    assert np.allclose(panel.scatter.getData()[0], coords[:, 0])  # the map shows the formed layout
    row = 7
    index = int(panel.reference.indices[row])
    image = window.session.dataset.test.images[index].numpy().astype(np.float32) / 255
    panel.canvas.set_image(image)

    tolerance = 0.05 * np.ptp(coords, axis=0).max()  # 5 % of the map's extent

    def placed_near():
        x, y = panel.marker.getData()
        return len(x) == 1 and np.hypot(x[0] - coords[row, 0], y[0] - coords[row, 1]) < tolerance

    qtbot.waitUntil(placed_near, timeout=20_000)
    assert panel.ellipse.getData()[0] is None or len(panel.ellipse.getData()[0]) == 0  # posterior: PCA only
    assert np.array_equal(panel.tsne_map.coords, coords)  # placing the drawing moved no test image
    assert "transform" in panel.map_status.text()
    # Back to PCA: the exact projection again.
    panel.map_combo.setCurrentIndex(panel.map_combo.findData("pca"))
    x, y = panel.marker.getData()
    assert np.allclose([x[0], y[0]], panel.analysis.point, atol=1e-4)


def test_an_opened_picture_is_shown_then_used(qtbot, window, tmp_path):
    panel = window.draw_panel
    path = tmp_path / "shoe.png"
    gray = np.full((120, 200), 240, dtype=np.uint8)
    gray[60:100, 20:180] = 40
    Image.fromarray(gray, "L").save(path)
    dialog = panel.open_picture(path)
    assert dialog is not None and dialog.isVisible()
    assert np.array_equal(dialog.image, open_image(path))
    assert not panel.canvas.image.any()  # not used before it is accepted
    dialog.findChild(QPushButton, "drawPreviewUseButton").click()
    assert np.allclose(panel.canvas.image, open_image(path) / 255)
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff not really")
    with qtbot.waitSignal(panel.errorRaised, timeout=1000) as signal:
        assert panel.open_picture(bad) is None
    assert "broken.jpg" in signal.args[1]
    window.findChild(QPushButton, "drawClearButton").click()
    assert not panel.canvas.image.any()


def test_the_training_panel_trains_on_a_picture_folder_chosen_as_its_dataset(qtbot, window, tmp_path):
    from PySide6.QtWidgets import QComboBox

    from core.checkpoint import load_checkpoint
    from tests.helpers import picture_folder

    folder = picture_folder(tmp_path / "mine", n_per_class=14)
    (folder / "hats" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n no more")
    combo = window.findChild(QComboBox, "datasetCombo")
    assert combo.currentData() == "fashion-mnist"
    combo.datasetRequested.emit(str(folder))
    qtbot.waitUntil(lambda: window.session.dataset.info.name == "mine", timeout=30_000)
    data = window.session.dataset
    assert data.info.class_names == ("boots", "hats") and len(data.test) == 4
    assert combo.currentData() == str(folder.resolve())
    assert "mine: 24 + 4 images" in window.dataset_label.text()
    assert data.skipped and data.skipped[0].startswith("hats/broken.png")
    # A model of Fashion-MNIST is not compared with these pictures.
    panel = window.draw_panel
    fashion = window.session.latest("vae")
    panel.picker.select(fashion.id)
    qtbot.waitUntil(lambda: "learnt Fashion-MNIST" in panel.map_status.text(), timeout=5_000)
    assert panel.reference is None
    # Train a new AE on them for one epoch, through the training panel.
    training = window.training_panel
    training.target_combo.setCurrentIndex(training.target_combo.findData(NEW_MODEL))
    training.kind_combo.setCurrentIndex(training.kind_combo.findData("ae"))
    training.latent_spin.setValue(2)
    training.epochs_spin.setValue(1)
    training.batch_spin.setValue(8)
    training.device_combo.setCurrentIndex(training.device_combo.findData("cpu"))
    with qtbot.waitSignal(training.trainingEnded, timeout=60_000):
        assert training.start_training()
    entry = window.session.entries[-1]
    assert entry.dataset == data.info and entry.epochs == 1
    path = tmp_path / "mine.safetensors"
    assert window.save_entry(entry, path)
    assert load_checkpoint(path).dataset.class_names == ("boots", "hats")
    # The drawing panel compares with the folder's pictures and names its classes.
    panel.picker.select(entry.id)
    _analysed(qtbot, panel, data.test.images[0].numpy() / 255)
    qtbot.waitUntil(lambda: panel.reference is not None and len(panel.reference.labels) == 4, timeout=20_000)
    assert "are boots" in panel.place_label.text() or "are hats" in panel.place_label.text()
    # Continuing the Fashion-MNIST model on these pictures is refused.
    training.select_entry(fashion.id)
    with qtbot.waitSignal(training.errorOccurred, timeout=1_000) as error:
        assert not training.start_training()
    assert "learnt Fashion-MNIST" in error.args[1]


def test_a_scene_remembers_the_drawing_and_its_model(qtbot, window, make_window, model_files, tmp_path):
    panel = window.draw_panel
    ae = window.session.latest("ae")
    panel.picker.select(ae.id)
    image = np.zeros((28, 28), dtype=np.float32)
    paint_segment(image, (4, 4), (24, 20), 3.0, 0.6)
    panel.canvas.set_image(image)
    path = tmp_path / "lesson.scene.json"
    assert window.save_scene(path)
    other = make_window()
    qtbot.waitUntil(lambda: other.session.dataset is not None, timeout=20_000)
    assert other.open_scene(path)
    assert other.tabs.currentWidget() is other.draw_panel
    assert np.allclose(other.draw_panel.canvas.image, image, atol=1e-4)
    assert other.draw_panel.picker.entry().path == model_files["ae"]


def test_the_open_button_never_blocks(qtbot, window, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    window.findChild(QPushButton, "drawOpenButton").click()  # returns: the dialog is window-modal
    dialog = window.findChild(QFileDialog, "drawOpenDialog")
    assert dialog is not None and dialog.isVisible()
    path = tmp_path / "bar.png"
    gray = np.full((40, 40), 255, dtype=np.uint8)
    gray[10:30, 18:22] = 0
    Image.fromarray(gray, "L").save(path)
    dialog.fileSelected.emit(str(path))
    assert window.draw_panel.preview_dialog.isVisible()
    dialog.reject()


def test_the_sliders_follow_strokes_only(qtbot, window):
    panel = window.draw_panel
    entry = window.session.latest("vae")
    panel.picker.select(entry.id)
    window.latent_panel.picker.select(entry.id)
    z = np.full(entry.model.latent_dim, 0.5, dtype=np.float32)
    window.latent_panel.state.set_code(z)
    panel.restore_image(np.eye(28, dtype=np.float32))  # a scene's drawing
    window.session.mark_updated(entry)  # e.g. an epoch ended: the drawing is analysed again
    qtbot.waitUntil(lambda: not panel._analyse_timer.isActive(), timeout=5_000)
    assert np.array_equal(window.latent_panel.state.z, z)
