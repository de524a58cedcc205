import numpy as np
import pytest
import torch
from PySide6.QtWidgets import QPushButton, QSlider

from core.checkpoint import save_checkpoint
from core.data import add_uniform_noise, to_float
from core.latent import decode, sample_prior
from core.models import ModelConfig
from core.training import TrainConfig, Trainer, new_model
from explorer.views.widgets import ImageGrid


@pytest.fixture(scope="module")
def model_files(tmp_path_factory, tiny_data):
    folder = tmp_path_factory.mktemp("models")
    paths = {}
    for kind in ("ae", "vae"):
        model = new_model(ModelConfig(kind, 4))
        result = Trainer(model, TrainConfig(epochs=1, batch_size=64, device="cpu"), tiny_data).run()
        paths[kind] = save_checkpoint(folder / f"{kind}.safetensors", model, history=result.history)
    return paths


@pytest.fixture
def window(qtbot, models_window):
    qtbot.waitUntil(lambda: models_window.session.dataset is not None, timeout=10_000)
    return models_window


def test_generation_decodes_prior_draws_and_resamples(qtbot, window):
    panel = window.generation_panel
    grid = window.findChild(ImageGrid, "generationGrid")
    entry = panel.picker.entry()
    assert entry.kind == "vae"  # the newest model is shown
    expected = decode(entry.model, sample_prior(50, 4, 1.0, seed=panel.seed)).reshape(5, 10, 28, 28)
    assert np.allclose(grid.images, expected, atol=1e-6)
    before = grid.images.copy()
    window.findChild(QPushButton, "generateButton").click()
    assert not np.allclose(grid.images, before)
    # The AE decodes the very same draws.
    codes = panel.codes.copy()
    panel.picker.select(window.session.latest("ae").id)
    assert np.array_equal(panel.codes, codes)
    assert "AE" in panel.caption.text()


def test_generation_scale_scales_the_codes(qtbot, window):
    panel = window.generation_panel
    codes = panel.codes.copy()
    panel.scale_spin.setValue(2.0)
    assert np.allclose(panel.codes, 2 * codes)


def test_noise_level_changes_the_noisy_row(qtbot, window):
    panel = window.reconstruction_panel
    grid = window.findChild(ImageGrid, "reconstructionGrid")
    slider = window.findChild(QSlider, "noiseLevelSlider")
    assert slider.value() == 50  # the lab's level, 0.5
    assert grid.images.shape[0] == 5  # original, noisy, AE, PCA with the AE's size, VAE
    originals = grid.images[0]
    images = window.session.dataset.test.images[torch.from_numpy(panel.indices())]
    expected = add_uniform_noise(to_float(images), 0.5, torch.Generator().manual_seed(1000))[:, 0].numpy()
    assert np.allclose(grid.images[1], expected, atol=1e-6)
    slider.setValue(100)
    assert not np.allclose(grid.images[1], expected)
    assert np.abs(grid.images[1] - originals).max() <= 0.5 + 1e-6
    slider.setValue(0)
    assert grid.images.shape[0] == 4  # no noisy row without noise


def test_shuffle_shows_other_images(qtbot, window):
    grid = window.findChild(ImageGrid, "reconstructionGrid")
    before = grid.images[0].copy()
    window.findChild(QPushButton, "shuffleImagesButton").click()
    assert not np.allclose(grid.images[0], before)
