"""Ready for class: bundled models and sample, first start offline, presentation mode, scenes."""

import json

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from core.checkpoint import load_checkpoint
from core.data import load_sample, sample_folder
from core.training import evaluate
from explorer.app import build_window
from explorer.state.scene import SceneError, load_scene
from resources import resource_path

BUNDLED = {kind: resource_path(f"models/{kind}.safetensors") for kind in ("ae", "vae")}


def _window(qtbot, argv):
    w = build_window(argv)
    qtbot.addWidget(w)
    w.ask = lambda *a: 1
    return w


# --- bundled sample and models -----------------------------------------------------------------


def test_the_sample_is_a_class_balanced_part_of_the_test_split():
    sample = load_sample()
    assert sample.sample and len(sample.train) == 0
    assert len(sample.test) == 2000
    assert sample.test.labels.bincount().tolist() == [200] * 10
    assert np.all(np.diff(sample.test_ids) > 0) and sample.test_ids.max() < 10_000
    assert (sample_folder() / "LICENSE").read_text().count("MIT") >= 1


@pytest.mark.realdata
def test_the_sample_holds_the_real_test_images(real_data):
    sample = load_sample()
    ids = sample.test_ids
    assert np.array_equal(sample.test.images.numpy(), real_data.test.images.numpy()[ids])
    assert np.array_equal(sample.test.labels.numpy(), real_data.test.labels.numpy()[ids])


def test_test_labels_at_maps_full_test_indices_into_the_sample():
    sample = load_sample()
    ids = sample.test_ids[[3, 500, 1999]]
    assert sample.test_labels_at(ids).tolist() == sample.test.labels[[3, 500, 1999]].tolist()
    missing = np.setdiff1d(np.arange(10_000), sample.test_ids)[:2]
    assert sample.test_labels_at(missing) is None


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_bundled_models_match_their_stored_metrics(kind):
    checkpoint = load_checkpoint(BUNDLED[kind])
    bundle = checkpoint.metadata["extra"]["bundle"]
    assert checkpoint.kind == kind and checkpoint.model.latent_dim == 10
    assert len(checkpoint.history) == 10
    config = checkpoint.train_config
    assert (config.batch_size, config.learning_rate, config.beta, config.limit) == (128, 1e-3, 1.0, None)
    fresh = evaluate(checkpoint.model, load_sample().test, config.beta)
    for key, stored in bundle["sample_metrics"].items():
        assert fresh[key] == pytest.approx(stored, rel=1e-4), key
    # Trained with the lab's settings, they reach the lab's figures on the full test split.
    full = bundle["test_metrics"]
    if kind == "ae":
        assert full["test_mse"] < 0.0145
    else:
        assert full["test_loss"] < 245
    assert checkpoint.replay is not None and len(checkpoint.replay.frames) == 11


LADDER = sorted((Path(BUNDLED["vae"]).parent / "ladder").glob("vae-beta*.safetensors"))


@pytest.mark.parametrize("path", LADDER, ids=[p.stem for p in LADDER])
def test_the_bundled_beta_ladder_matches_its_stored_figures(path):
    """Each rung: the lab's recipe but its β, and the figures the rate–distortion plot reads."""
    checkpoint = load_checkpoint(path)
    bundle = checkpoint.metadata["extra"]["bundle"]
    config = checkpoint.train_config
    assert checkpoint.kind == "vae" and checkpoint.model.latent_dim == 10 and len(checkpoint.history) == 10
    assert (config.batch_size, config.learning_rate, config.limit, config.seed) == (128, 1e-3, None, 0)
    assert path.stem == f"vae-beta{config.beta:g}"
    fresh = evaluate(checkpoint.model, load_sample().test, config.beta)
    for key, stored in bundle["sample_metrics"].items():
        assert fresh[key] == pytest.approx(stored, rel=1e-4), key
    assert 1 <= bundle["active_units"] <= 10


def test_the_ladder_trades_rate_for_distortion():
    points = []
    for path in LADDER:
        checkpoint = load_checkpoint(path)
        full = checkpoint.metadata["extra"]["bundle"]["test_metrics"]
        points.append((checkpoint.train_config.beta, full["test_kl"], full["test_bce"]))
    assert len(points) == 5
    points.sort()
    rates, distortions = [p[1] for p in points], [p[2] for p in points]
    assert rates == sorted(rates, reverse=True) and distortions == sorted(distortions)


# --- first start ---------------------------------------------------------------------------------


def test_first_start_offline_shows_a_ready_explorer(qtbot, tmp_path):
    """No checkpoint given, no dataset anywhere: the bundled models on the bundled sample."""
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    w = _window(qtbot, ["--data-dir", str(empty)])
    w.resize(1600, 1000)
    w.show()
    w.tabs.setCurrentWidget(w.latent_panel)
    assert sorted(e.kind for e in w.session.entries) == ["ae", "vae"]
    assert all(e.bundled and e.saved and e.path is None for e in w.session.entries)
    qtbot.waitUntil(lambda: w.session.dataset is not None, timeout=10_000)
    assert w.session.dataset.sample
    assert "sample" in w.dataset_label.text()
    assert "training needs the full" in w.training_panel.progress_label.text()
    panel = w.latent_panel
    qtbot.waitUntil(lambda: panel.pca is not None, timeout=20_000)
    assert panel.entry.kind == "vae" and len(panel.sliders) == 10
    assert len(panel.pca.coords) == len(panel.indices) > 0
    assert panel.decoded.images.size > 0
    # Training needs the full data: the dialog says so instead of training on the sample.
    assert w.training_panel.current_entry() is None  # "New model": bundled ones stay untouched
    assert not w.training_panel.start_training()
    qtbot.waitUntil(lambda: w.findChild(QMessageBox, "dataMissingDialog") is not None, timeout=2000)
    w.shutdown()


def test_no_bundled_models_option_starts_empty(qtbot, tiny_data_dir):
    w = _window(qtbot, ["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    assert w.session.entries == []
    combo = w.training_panel.target_combo
    assert combo.count() == 1 and combo.currentText() == "New model"
    w.shutdown()


# --- presentation mode ---------------------------------------------------------------------------


def test_presentation_mode_enlarges_fonts_and_plots_and_is_remembered(qtbot, model_files):
    app = QApplication.instance()
    w = _window(qtbot, ["--checkpoint", str(model_files["vae"])])
    base = app.font().pointSizeF()
    scatter = w.latent_panel.scatter
    size = scatter.opts["size"]
    tick = w.latent_panel.map.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF()
    w.presentation_action.trigger()  # F5
    assert w.presentation
    assert app.font().pointSizeF() >= 1.5 * base
    assert scatter.opts["size"] >= 1.5 * size
    assert w.latent_panel.map.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF() >= 1.5 * tick
    assert w.fullscreen_action.isChecked()
    w.shutdown()
    # Remembered: the next window starts in presentation mode.
    w2 = _window(qtbot, ["--checkpoint", str(model_files["vae"])])
    assert w2.presentation and app.font().pointSizeF() >= 1.5 * base
    w2.set_presentation(False)
    assert app.font().pointSizeF() == pytest.approx(base)
    assert w2.latent_panel.scatter.opts["size"] == pytest.approx(size)
    w2.shutdown()


def test_presentation_flag(qtbot, model_files):
    w = _window(qtbot, ["--presentation", "--checkpoint", str(model_files["ae"])])
    assert w.presentation
    w.set_presentation(False)
    w.shutdown()


# --- scenes --------------------------------------------------------------------------------------


def _ready(qtbot, w):
    w.resize(1600, 1000)
    w.show()
    w.tabs.setCurrentWidget(w.latent_panel)
    qtbot.waitUntil(lambda: w.latent_panel.pca is not None, timeout=20_000)


def test_a_saved_scene_reopens_the_same_view(qtbot, tmp_path, tiny_data_dir, model_files):
    argv = ["--data-dir", str(tiny_data_dir)]
    w = _window(
        qtbot, [*argv, "--checkpoint", str(model_files["ae"]), "--checkpoint", str(model_files["vae"])]
    )
    _ready(qtbot, w)
    panel = w.latent_panel
    panel.map_combo.setCurrentIndex(panel.map_combo.findData("pca"))
    target = int(panel.indices[7])
    assert panel.select_test_image(target)
    panel.sliders[2].setValue(830)
    panel.steps_spin.setValue(6)
    z = panel.state.z.copy()
    ends = {k: v.copy() for k, v in panel.state.endpoints.items()}
    w.reconstruction_panel.noise_slider.setValue(73)
    w.generation_panel.scale_spin.setValue(1.7)
    scene_path = tmp_path / "lesson.scene.json"
    assert w.save_scene(scene_path)
    w.shutdown()

    document = load_scene(scene_path)
    assert document["latent"]["selected"] == target
    assert document["models"][0]["path"].endswith("ae.safetensors")

    w2 = _window(qtbot, [*argv, str(scene_path)])
    assert [e.kind for e in w2.session.entries] == ["ae", "vae"]  # the scene's, not the bundled ones
    assert w2.tabs.currentWidget() is w2.latent_panel
    p2 = w2.latent_panel
    assert p2.entry.path == model_files["vae"]
    assert p2.map_combo.currentData() == "pca" and p2.steps_spin.value() == 6
    _ready(qtbot, w2)
    qtbot.waitUntil(lambda: p2.selected_test_index() == target, timeout=10_000)
    assert np.allclose(p2.state.z, z, atol=1e-6)
    for k in "AB":
        assert np.allclose(p2.state.endpoints[k], ends[k])
    assert w2.reconstruction_panel.noise_level == pytest.approx(0.73)
    assert w2.generation_panel.scale_spin.value() == pytest.approx(1.7)
    w2.shutdown()


def test_a_scene_names_its_missing_models(qtbot, tmp_path, tiny_data_dir):
    scene = {
        "format": "latent-explorer-scene",
        "version": 1,
        "models": [{"path": "gone/vae.safetensors"}, {"bundled": "ae"}],
        "panel": "generation",
        "generation": {"model": 1},
    }
    path = tmp_path / "s.scene.json"
    path.write_text(json.dumps(scene))
    w = _window(qtbot, ["--data-dir", str(tiny_data_dir), str(path)])
    box = w.findChild(QMessageBox, "errorDialog")
    assert box is not None and "gone/vae.safetensors" in box.text().replace("\\", "/")
    assert w.tabs.currentWidget() is w.generation_panel
    assert w.generation_panel.picker.entry().bundled  # the rest of the scene is restored
    w.shutdown()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x01", "not a scene file"),
        (b'{"format": "something else"}', "not a Latent Explorer scene"),
        (b'{"format": "latent-explorer-scene", "version": 99}', "newer"),
        (b'{"format": "latent-explorer-scene", "version": 1, "models": [{"path": 3}]}', "malformed"),
    ],
)
def test_bad_scene_files_are_refused_with_a_message(tmp_path, content, message):
    path = tmp_path / "bad.scene.json"
    path.write_bytes(content)
    with pytest.raises(SceneError, match=message):
        load_scene(path)


def test_the_next_start_reopens_the_models_open_at_close(qtbot, tiny_data_dir, model_files):
    w = _window(qtbot, ["--data-dir", str(tiny_data_dir), "--checkpoint", str(model_files["ae"])])
    w.close()
    w2 = _window(qtbot, ["--data-dir", str(tiny_data_dir)])
    assert [e.path for e in w2.session.entries] == [model_files["ae"]]
    w2.shutdown()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_presentation_mode_fits_a_720p_projector(qtbot, tiny_data_dir, model_files, lang):
    w = _window(
        qtbot,
        [
            "--lang",
            lang,
            "--presentation",
            "--data-dir",
            str(tiny_data_dir),
            "--checkpoint",
            str(model_files["ae"]),
            "--checkpoint",
            str(model_files["vae"]),
        ],
    )
    w.show()
    for i in range(w.tabs.count()):  # every panel laid out with its content
        w.tabs.setCurrentIndex(i)
        qtbot.wait(50)
    hint = w.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720, hint
    w.set_presentation(False)
    w.shutdown()
