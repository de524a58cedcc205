"""The Understanding tab: traversal atlas, rate–distortion plane, baselines."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QWidget

from core.analysis import summarise_dimensions, traversal_codes, traversal_scale
from core.checkpoint import load_checkpoint, save_checkpoint
from core.latent import decode
from core.models import ModelConfig
from core.training import TrainConfig, new_model
from explorer.views.rate_distortion import RateDistortionPlot, RatePoint
from explorer.views.traversal_grid import TraversalGrid


def _summary_for(d: int):
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(50, d)) * np.linspace(2, 0.01, d)
    return summarise_dimensions(mu, np.full((50, d), -1.0))


def test_traversal_grid_decodes_the_rows_most_used_first(qtbot):
    model = new_model(ModelConfig("vae", 4))
    grid = TraversalGrid()
    qtbot.addWidget(grid)
    summary = _summary_for(4)
    grid.set_model(model, summary, rows=3)
    center = np.array([0.2, -0.1, 0.4, 0.0], dtype=np.float32)
    grid.set_center(center)
    qtbot.waitUntil(lambda: np.allclose(grid.codes[:, 4], center))  # drawn on the next turn
    assert grid.dims.tolist() == summary.order[:3].tolist()
    expected_codes = traversal_codes(center, summary.order[:3], traversal_scale(summary), 9, 3.0)
    assert np.allclose(grid.codes, expected_codes)
    expected = decode(model, expected_codes.reshape(-1, 4)).reshape(3, 9, 28, 28)
    assert np.allclose(grid.images, expected, atol=0.02)  # bf16 where the CPU has it
    assert grid.row_labels[0] == f"z{summary.order[0]} · KL {summary.kl[summary.order[0]]:.2f}"


def test_clicking_a_traversal_cell_gives_its_dimension_and_value(qtbot):
    model = new_model(ModelConfig("ae", 3))
    grid = TraversalGrid()
    qtbot.addWidget(grid)
    grid.resize(600, 300)
    summary = summarise_dimensions(np.random.default_rng(1).normal(size=(40, 3)) * [1, 3, 0.5])
    grid.set_model(model, summary)
    grid.show()
    qtbot.waitExposed(grid)
    # find the pixel centre of row 1, column 7
    hit = next(
        (x, y) for y in range(0, 300, 2) for x in range(0, 600, 2) if grid.cell_at(x, y) == (1, 7)
    )
    with qtbot.waitSignal(grid.cellClicked) as blocker:
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(hit[0] + 3, hit[1] + 3))
    dim = int(summary.order[1])
    assert blocker.args[0] == dim
    assert blocker.args[1] == pytest.approx(float(grid.codes[1, 7, dim]))
    assert summary.kind == "ae" and dim == 1 or summary.variance[dim] <= summary.variance[summary.order[0]]


def _click_point(qtbot, plot: RateDistortionPlot, key) -> None:
    x, y = plot.point_position(key)
    scene = plot.getPlotItem().vb.mapViewToScene(QPointF(x, y))
    view = plot.mapFromScene(scene)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=view)


# pyqtgraph's scene takes a click on release; Qt notes that nothing accepted the press.
CLICK_NOTE = pytest.mark.qt_log_ignore("Mouse event .* not accepted by receiving widget")


@CLICK_NOTE
def test_rate_distortion_plot_click_gives_the_points_key(qtbot):
    plot = RateDistortionPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 400)
    plot.show()
    qtbot.waitExposed(plot)
    points = [RatePoint("a", 0.5, 250.0, 30.0, 10), RatePoint("b", 1.0, 260.0, 20.0, 9), RatePoint("c", 4.0, 290.0, 8.0, 3)]
    plot.set_points(points, current="b")
    assert [p.key for p in plot.points] == ["a", "b", "c"]
    assert plot.ring.data["x"].tolist() == [20.0]
    symbols = {s.data(): s.symbol() for s in plot.scatter.points()}
    assert symbols == {"a": "o", "b": "star", "c": "o"}  # the lab's β = 1 stands out
    assert [item.textItem.toPlainText() for item in plot.labels] == ["β 0.5 · 10 active", "β 1 · 9 active", "β 4 · 3 active"]
    qtbot.wait(10)
    with qtbot.waitSignal(plot.pointClicked) as blocker:
        _click_point(qtbot, plot, "c")
    assert blocker.args == ["c"]


@pytest.fixture
def ladder_folder(tmp_path, tiny_data, monkeypatch):
    """Two ladder rungs like the bundled ones: figures in the metadata, β in the settings."""
    from core.training import Trainer, evaluate
    from explorer import understanding_panel

    folder = tmp_path / "ladder"
    folder.mkdir()
    for beta in (0.5, 4.0):
        config = TrainConfig(epochs=1, batch_size=64, beta=beta, device="cpu", replay_points=0)
        model = new_model(ModelConfig("vae", 4))
        result = Trainer(model, config, tiny_data).run()
        test = evaluate(model, tiny_data.test, beta)
        bundle = {"test_metrics": {k: test[k] for k in ("test_bce", "test_kl")}, "active_units": 3}
        save_checkpoint(folder / f"vae-beta{beta:g}.safetensors", model, config, result.history, extra={"bundle": bundle})
    monkeypatch.setattr(understanding_panel, "ladder_files", lambda: sorted(folder.glob("*.safetensors")))
    return folder


@CLICK_NOTE
def test_clicking_a_rate_distortion_point_selects_that_model(qtbot, ladder_folder, models_window):
    w = models_window
    w.resize(1400, 900)
    w.show()
    w.tabs.setCurrentWidget(w.understanding_panel)
    panel = w.understanding_panel
    plot = w.findChild(QWidget, "rateDistortionPlot")
    assert isinstance(plot, RateDistortionPlot)
    qtbot.waitExposed(plot)
    vae = w.session.latest("vae")
    keys = {p.key for p in plot.points}
    ladder = sorted(ladder_folder.glob("*.safetensors"))
    assert keys == {vae.id, *ladder}  # the session's VAE and the bundled rungs, not yet opened
    assert panel.rate_point(ladder[1]).beta == 4.0
    qtbot.wait(10)
    _click_point(qtbot, plot, ladder[1])
    qtbot.waitUntil(lambda: w.latent_panel.entry is not None and w.latent_panel.entry.path == ladder[1])
    opened = w.latent_panel.entry
    assert opened.train_config.beta == 4.0
    assert plot.current == opened.id and opened.id in {p.key for p in plot.points}
    # a session model's point selects it again
    qtbot.waitUntil(lambda: plot.point_position(vae.id) is not None)
    _click_point(qtbot, plot, vae.id)
    qtbot.waitUntil(lambda: w.latent_panel.entry is vae)
    assert plot.ring.data["x"].tolist() == [pytest.approx(vae.history[-1].test["test_kl"])]


def test_atlas_follows_the_sliders_and_sets_them(qtbot, models_window):
    w = models_window
    w.tabs.setCurrentWidget(w.understanding_panel)
    panel = w.understanding_panel
    vae = w.session.latest("vae")
    w.latent_panel.picker.select(vae.id)
    grid = w.findChild(QWidget, "traversalGrid")
    assert isinstance(grid, TraversalGrid)
    qtbot.waitUntil(lambda: grid.model is not None and len(grid.codes) == 4, timeout=20_000)
    summary = panel.current_summary()
    assert grid.dims.tolist() == summary.order[:4].tolist()
    assert "Active dimensions" in panel.grid_caption.text()
    w.latent_panel.state.set_value(2, 1.25)
    qtbot.waitUntil(lambda: np.allclose(grid.codes[:, 4, 2], 1.25))
    dim = int(grid.dims[0])
    value = float(grid.codes[0, 8, dim])
    grid.cellClicked.emit(dim, value)
    assert w.latent_panel.state.z[dim] == pytest.approx(value)
    assert w.latent_panel.slider_value(dim) == pytest.approx(value, abs=0.05)


def test_iwae_runs_in_a_worker_and_shows_both_bounds(qtbot, models_window):
    w = models_window
    panel = w.understanding_panel
    vae = w.session.latest("vae")
    w.latent_panel.picker.select(vae.id)
    panel.k_spin.setValue(5)
    qtbot.waitUntil(lambda: panel.iwae_button.isEnabled())
    panel.iwae_button.click()
    qtbot.waitUntil(lambda: panel.iwae_result() is not None, timeout=30_000)
    estimate = panel.iwae_result()
    assert estimate.k == 5 and estimate.iwae >= estimate.elbo
    assert f"{estimate.iwae:.1f}" in panel.baseline_label.text()
    assert panel.iwae_progress.value() == panel.iwae_progress.maximum()


def test_ae_baseline_against_pca(qtbot, models_window):
    from explorer.panels.understanding_panel import pca_basis

    w = models_window
    panel = w.understanding_panel
    ae = w.session.latest("ae")
    w.latent_panel.picker.select(ae.id)
    qtbot.waitUntil(lambda: "PCA with the same 3 dimensions" in panel.baseline_label.text(), timeout=20_000)
    ae_mse, pca_mse = next(iter(panel.pca_results.values()))
    assert pca_mse == pytest.approx(pca_basis().truncated(3).mse(w.session.dataset.test.images), rel=1e-6)
    assert f"{pca_mse:.5f}" in panel.baseline_label.text()
    assert ae_mse == pytest.approx(load_checkpoint(w.session.latest("ae").path).history[-1].test["test_mse"], rel=0.05)


def test_reconstruction_panel_shows_pca_under_the_ae(qtbot, models_window):
    import torch

    from core.data import add_uniform_noise, to_float
    from explorer.panels.understanding_panel import pca_basis
    from explorer.views.widgets import ImageGrid

    w = models_window
    panel = w.reconstruction_panel
    grid = w.findChild(ImageGrid, "reconstructionGrid")
    assert grid.row_labels[:4] == ["test image", "noisy input", "AE", "PCA-3"]
    images = w.session.dataset.test.images[torch.from_numpy(panel.indices())]
    noisy = add_uniform_noise(to_float(images), 0.5, torch.Generator().manual_seed(1000))[:, 0].numpy()
    expected = pca_basis().truncated(3).reconstruct(noisy)
    assert np.allclose(grid.images[3], np.clip(expected, 0, 1), atol=1e-5)
    clean = to_float(images)[:, 0].numpy()
    errors = ((expected - clean) ** 2).mean(axis=(1, 2))
    assert grid._captions[3] == [f"{e:.4f}" for e in errors]
