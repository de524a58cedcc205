"""A saved model's codes of the map's test images are kept on disk, so that its first map at
the next launch needs no encoding; a model that trains keeps nothing."""

import numpy as np
import pytest
import torch

from core.tsne import codes_cache_key, load_cached_codes, save_cached_codes
from explorer.state import latent_maps
from explorer.state.live_tsne import maps_cache_dir

KEY = "0123456789abcdef" * 2


def test_codes_round_trip_and_bad_copies_are_not_trusted(tmp_path):
    codes = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    save_cached_codes(tmp_path, KEY, codes)
    assert np.array_equal(load_cached_codes(tmp_path, KEY, 20, 3), codes)
    assert load_cached_codes(tmp_path, KEY, 21, 3) is None  # another number of images
    assert load_cached_codes(tmp_path, KEY, 20, 4) is None  # another latent size
    assert load_cached_codes(tmp_path, "f" * 32, 20, 3) is None  # none kept
    (tmp_path / f"codes-{KEY}.npy").write_bytes(b"\x93NUMPY damaged")
    assert load_cached_codes(tmp_path, KEY, 20, 3) is None
    codes[3, 1] = np.nan
    save_cached_codes(tmp_path, KEY, codes)
    assert load_cached_codes(tmp_path, KEY, 20, 3) is None
    with pytest.raises(ValueError):
        save_cached_codes(tmp_path, "../escape", codes)


def test_the_key_follows_the_weights_and_the_very_images():
    images = torch.randint(0, 256, (5, 28, 28), dtype=torch.uint8).numpy()
    other = images.copy()
    other[2, 3, 4] ^= 1
    assert codes_cache_key("w1", images) == codes_cache_key("w1", images.copy())
    assert codes_cache_key("w1", images) != codes_cache_key("w2", images)
    assert codes_cache_key("w1", images) != codes_cache_key("w1", other)


def _codes_files():
    folder = maps_cache_dir()
    return sorted(folder.glob("codes-*.npy")) if folder.exists() else []


def test_the_next_window_maps_a_saved_model_without_encoding(qtbot, make_window, model_files, monkeypatch):
    first = make_window("--checkpoint", str(model_files["vae"]))
    first.show()
    first.tabs.setCurrentWidget(first.latent_panel)
    qtbot.waitUntil(lambda: first.latent_panel.pca is not None, timeout=60_000)
    codes = first.latent_panel.map_panel.current.codes
    assert len(_codes_files()) == 1

    def no_encoding(*args, **kwargs):
        raise AssertionError("encoded again")

    monkeypatch.setattr(latent_maps, "encode_split", no_encoding)
    second = make_window("--checkpoint", str(model_files["vae"]))
    second.show()
    second.tabs.setCurrentWidget(second.latent_panel)
    qtbot.waitUntil(lambda: second.latent_panel.pca is not None, timeout=60_000)
    assert np.array_equal(second.latent_panel.map_panel.current.codes, codes)
    assert np.allclose(second.latent_panel.pca.coords, first.latent_panel.pca.coords)


def test_a_model_with_unsaved_training_keeps_no_codes(qtbot, make_window, model_files):
    window = make_window("--checkpoint", str(model_files["vae"]))
    qtbot.waitUntil(lambda: window.session.dataset is not None, timeout=60_000)
    window.latent_panel.entry.saved = False  # trained since it was opened
    window.show()
    window.tabs.setCurrentWidget(window.latent_panel)
    qtbot.waitUntil(lambda: window.latent_panel.pca is not None, timeout=60_000)
    assert _codes_files() == []
