"""Live t-SNE maps in the window: frames reach the scatter, stale ones never do, hover decodes
a blend on t-SNE, AE vs VAE shows PCA on the same axes by default, the map exports as CSV."""

import csv

import numpy as np
import psutil
import pytest

from core.latent import decode


@pytest.fixture
def window(qtbot, models_window):
    w = models_window
    w.resize(1600, 1000)
    w.show()
    w.tabs.setCurrentWidget(w.latent_panel)
    qtbot.waitUntil(lambda: w.latent_panel.pca is not None, timeout=20_000)
    return w


def test_method_combo_offers_the_three_maps(window):
    combo = window.latent_panel.map_combo
    assert combo.objectName() == "mapMethodCombo"
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert any("PCA" in t for t in texts) and sum("t-SNE" in t for t in texts) == 2
    assert any("scikit-learn" in t for t in texts)
    assert window.latent_panel.count_combo.objectName() == "mapPointsCombo"


def test_frames_arrive_and_change_the_scatter(qtbot, window):
    panel = window.latent_panel
    drawn = []  # (key, scatter data) each time a frame of the shown map was drawn

    def on_frame(live_key, frame):
        x, y = panel.scatter.getData()
        drawn.append((live_key[0], np.c_[x, y].copy(), frame.coords))

    assert panel.map_combo.currentData() == "tsne"
    panel.live.frame.connect(on_frame)
    qtbot.waitUntil(lambda: panel.tsne is not None, timeout=90_000)
    assert drawn, "no frame arrived"
    assert {key for key, _, _ in drawn} == {panel._key}
    # Each frame was on screen right after it arrived (the panel's slot runs first).
    assert all(np.allclose(shown, coords) for _, shown, coords in drawn)
    x, y = panel.scatter.getData()
    assert np.allclose(np.c_[x, y], panel.tsne.coords)
    assert not np.allclose(panel.tsne.coords, panel.pca.coords)


def test_a_stale_frame_of_a_switched_model_is_never_drawn(qtbot, window):
    panel = window.latent_panel
    panel.tsne_settings = type(panel.tsne_settings)(iterations=3000)  # still running when we switch
    panel.tsne = None
    panel._cache.clear()
    panel.set_entry(None)
    panel.picker.select(window.session.latest("vae").id)
    qtbot.waitUntil(lambda: panel.live.running((panel._key, "tsne")), timeout=20_000)
    vae_key = panel._key
    child = panel.live._runs[(vae_key, "tsne")].pid
    panel.tsne_settings = type(panel.tsne_settings)()
    seen = []
    panel.live.frame.connect(lambda live_key, frame: seen.append(live_key[0]))
    panel.picker.select(window.session.latest("ae").id)
    assert not panel.live.running((vae_key, "tsne"))  # nobody shows the VAE's map: cancelled
    assert not psutil.pid_exists(child)
    qtbot.waitUntil(lambda: panel.tsne is not None and panel.codes.shape[1] == 3, timeout=90_000)
    assert vae_key not in seen
    x, y = panel.scatter.getData()
    assert np.allclose(np.c_[x, y], panel.tsne.coords)


def test_hover_on_tsne_decodes_a_blend_with_a_sign_of_trust(qtbot, window):
    panel = window.latent_panel
    qtbot.waitUntil(lambda: panel.tsne is not None, timeout=90_000)
    x, y = panel.tsne.coords[9]
    panel.decode_blend(float(x), float(y))  # exactly on a real point, as if between points
    assert np.allclose(panel.hover.images[0, 0], decode(panel.entry.model, panel.codes[9])[0], atol=1e-6)
    assert "close to real points" in panel.hover_label.text()
    far = panel.tsne.coords.max(0) + 10 * np.ptp(panel.tsne.coords, axis=0)
    panel.decode_blend(float(far[0]), float(far[1]))
    assert "guess" in panel.hover_label.text()


def test_pause_and_resume_the_forming_map(qtbot, window):
    panel = window.latent_panel
    panel.tsne_settings = type(panel.tsne_settings)(seed=5, iterations=5000)  # long: paused mid-run
    panel.tsne = None
    panel._maybe_start_tsne()
    live_key = (panel._key, "tsne")
    qtbot.waitUntil(lambda: panel.live.running(live_key), timeout=20_000)
    qtbot.waitUntil(lambda: panel.tsne_progress.isVisible(), timeout=20_000)
    assert "iteration" in panel.tsne_progress.label.text()
    panel.tsne_progress.button.click()
    assert panel.live.paused(live_key) and panel.tsne_progress.button.text() == "Resume"
    panel.tsne_progress.button.click()
    assert not panel.live.paused(live_key)
    child = panel.live._runs[live_key].pid
    window.shutdown()
    assert not psutil.pid_exists(child)


def test_export_map_as_csv(qtbot, window, tmp_path):
    panel = window.latent_panel
    panel.map_combo.setCurrentIndex(panel.map_combo.findData("pca"))
    path = tmp_path / "map.csv"
    panel.export_csv(str(path))
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0] == ["x", "y", "label", "class", "test_index"] and len(rows) == 129
    assert float(rows[5][0]) == pytest.approx(panel.pca.coords[4, 0], rel=1e-4)
    assert int(rows[5][4]) == int(panel.indices[4]) and int(rows[5][2]) == int(panel.labels[4])


def test_ae_vs_vae_shows_pca_on_the_same_axes_by_default(qtbot, window):
    panel = window.compare_panel
    window.tabs.setCurrentWidget(panel)
    assert panel.method_combo.currentData() == "pca"
    qtbot.waitUntil(lambda: all(panel.projection(k) is not None for k in ("ae", "vae")), timeout=20_000)
    ranges = [panel.maps[k].getViewBox().viewRange() for k in ("ae", "vae")]
    assert np.allclose(ranges[0], ranges[1])  # one scale for both
    assert "same axes" in panel.method_note.text()
    assert panel.maps["vae"].getPlotItem().getAxis("bottom").labelText == "principal axis 1"
    panel.method_combo.setCurrentIndex(panel.method_combo.findData("tsne"))
    assert "mean nothing" in panel.method_note.text()
    qtbot.waitUntil(lambda: all(panel.projection(k).method == "tsne" for k in ("ae", "vae")), timeout=90_000)
    assert "no unit" in panel.maps["ae"].getPlotItem().getAxis("bottom").labelText


def test_map_seed_and_perplexity_are_settings_the_user_gets_back(qtbot, window, tmp_path):
    """Issue 14, item 8: same seed → the same map; another seed or perplexity → a new map, in
    every panel that shows it; scenes keep them."""
    from PySide6.QtWidgets import QSpinBox

    from core.tsne import TsneSettings, run_tsne

    panel = window.latent_panel
    seed_spin = window.findChild(QSpinBox, "mapSeedSpin")
    perplexity_spin = window.findChild(QSpinBox, "mapPerplexitySpin")
    assert (seed_spin.value(), perplexity_spin.value()) == (42, 30)
    qtbot.waitUntil(lambda: panel.tsne is not None, timeout=90_000)
    first = panel.tsne.coords.copy()
    seed_spin.setValue(7)
    assert panel.state.tsne_seed == 7 and panel.maps.settings.seed == 7
    assert panel.tsne is None  # the seed-42 map is dropped, a seed-7 one forms
    qtbot.waitUntil(lambda: panel.tsne is not None, timeout=90_000)
    seven = panel.tsne.coords.copy()
    assert not np.allclose(seven, first)
    # The map is the one core.tsne computes with these settings: same seed, same map.
    expected = run_tsne(panel.codes, TsneSettings(seed=7))
    assert np.allclose(seven, expected, atol=1e-3)
    perplexity_spin.setValue(10)
    assert panel.maps.settings.perplexity == 10.0 and panel.tsne is None
    # A scene keeps them; opening it brings them back (and the state moves the spins).
    scene_path = tmp_path / "lesson.scene.json"
    assert window.save_scene(scene_path)
    seed_spin.setValue(3)
    perplexity_spin.setValue(40)
    assert window.open_scene(scene_path)
    assert (seed_spin.value(), perplexity_spin.value()) == (7, 10)
    assert (panel.maps.settings.seed, panel.maps.settings.perplexity) == (7, 10.0)
