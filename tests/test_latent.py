import numpy as np
import pytest
import torch

from core.data import add_uniform_noise, to_float
from core.latent import (
    decode,
    encode_split,
    interpolate,
    latent_stats,
    pca_projection,
    reconstruct,
    sample_prior,
    subset_indices,
    tsne_position,
    tsne_projection,
)
from core.models import ModelConfig
from core.training import new_model


def test_decode_matches_the_model():
    model = new_model(ModelConfig("vae", 4))
    z = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    with torch.no_grad():
        expected = model.eval().decode(torch.from_numpy(z))[:, 0].numpy()
    model.train()
    assert np.allclose(decode(model, z), expected)
    assert decode(model, z[0]).shape == (1, 28, 28)
    assert model.training  # mode restored


def test_reconstruct_with_the_labs_noise(tiny_data):
    model = new_model(ModelConfig("ae", 4))
    images = tiny_data.test.images[:5]
    clean, _ = reconstruct(model, images)
    assert np.allclose(clean, to_float(images)[:, 0].numpy())
    noisy, recon = reconstruct(model, images, 0.5, torch.Generator().manual_seed(3))
    expected = add_uniform_noise(to_float(images), 0.5, torch.Generator().manual_seed(3))[:, 0].numpy()
    assert np.allclose(noisy, expected)
    assert recon.shape == (5, 28, 28) and 0 <= recon.min() and recon.max() <= 1


def test_prior_samples():
    z = sample_prior(20_000, 3, scale=2.0, seed=1)
    assert z.shape == (20_000, 3)
    assert np.allclose(z.std(0), 2.0, atol=0.05) and np.allclose(z.mean(0), 0, atol=0.05)
    assert np.array_equal(sample_prior(4, 3, seed=1), sample_prior(4, 3, seed=1))


@pytest.mark.parametrize("method", ["linear", "spherical"])
def test_interpolation_ends_and_steps(method):
    z1, z2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 2.0, 0.0])
    alphas, codes = interpolate(z1, z2, steps=10, method=method)
    assert len(alphas) == len(codes) == 11
    assert alphas[0] == 0 and alphas[-1] == 1
    assert np.allclose(codes[0], z1) and np.allclose(codes[-1], z2)


def test_linear_is_the_labs_formula_and_slerp_keeps_the_norm():
    z1, z2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    alphas, codes = interpolate(z1, z2, 4, "linear")
    for a, z in zip(alphas, codes, strict=True):
        assert np.allclose(z, (1 - a) * z1 + a * z2)
    _, arc = interpolate(z1, z2, 4, "spherical")
    assert np.allclose(np.linalg.norm(arc, axis=1), 1.0, atol=1e-6)
    with pytest.raises(ValueError):
        interpolate(z1, z2, 4, "cubic")


def test_latent_stats_ranges():
    codes = np.random.default_rng(0).normal(loc=[0, 5], scale=[1, 2], size=(50_000, 2))
    stats = latent_stats(codes)
    assert np.allclose(stats.mean, [0, 5], atol=0.05)
    assert np.allclose(stats.high - stats.low, [6, 12], rtol=0.02)


def test_pca_projection_round_trips_in_its_plane():
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(2, 6))
    codes = (rng.normal(size=(300, 2)) @ basis).astype(np.float32)  # codes lying in a plane
    projection = pca_projection(codes)
    assert projection.coords.shape == (300, 2) and projection.exact
    z = codes[7]
    assert np.allclose(projection.position(z), projection.coords[7], atol=1e-4)
    assert np.allclose(projection.inverse(projection.coords[7]), z, atol=1e-4)


def test_tsne_projection_and_position(tiny_data):
    model = new_model(ModelConfig("ae", 4))
    codes = encode_split(model, tiny_data.test).numpy()
    projection = tsne_projection(codes)
    assert projection.coords.shape == (128, 2) and not projection.exact
    assert projection.inverse(projection.coords[0]) is None
    # A code already on the map lands (almost) on its own point.
    assert np.allclose(
        tsne_position(codes[5], codes, projection.coords, k=5), projection.coords[5], atol=1e-2
    )


def test_subset_is_balanced_and_stable(tiny_data):
    idx = subset_indices(tiny_data.test, 50)
    assert len(idx) == 50 and len(set(idx.tolist())) == 50
    counts = np.bincount(tiny_data.test.labels.numpy()[idx], minlength=10)
    assert counts.max() - counts.min() <= 1
    assert np.array_equal(idx, subset_indices(tiny_data.test, 50))
    assert len(subset_indices(tiny_data.test, 10_000)) == 128


def test_tsne_in_a_child_process_can_be_cancelled():
    import time

    from core.latent import tsne_projection_cancellable

    codes = np.random.default_rng(0).normal(size=(4000, 10)).astype(np.float32)  # tens of seconds of work
    start = time.perf_counter()
    result = tsne_projection_cancellable(codes, lambda: time.perf_counter() - start > 0.5)
    assert result is None
    assert time.perf_counter() - start < 5


def test_tsne_in_a_child_process_matches_in_process(tiny_data):
    from core.latent import tsne_projection_cancellable

    codes = np.random.default_rng(1).normal(size=(150, 4)).astype(np.float32)
    here = tsne_projection(codes)
    there = tsne_projection_cancellable(codes, lambda: False)
    assert np.allclose(here.coords, there.coords, atol=1e-3)


def test_path_points_agree_with_interpolate():
    from core.latent import path_points

    z1, z2 = np.array([1.0, 0.5, 0.0]), np.array([-0.2, 1.0, 2.0])
    for method in ("linear", "spherical"):
        alphas, codes = interpolate(z1, z2, 8, method)
        assert np.allclose(path_points(z1, z2, alphas[3], method), codes[3], atol=1e-6)


def test_replay_frames_are_aligned_to_the_previous_one():
    from core.latent import aligned_replay

    rng = np.random.default_rng(0)
    base = rng.normal(size=(200, 5)) * [3, 2, 0.5, 0.2, 0.1]
    theta = 0.9
    turn = np.eye(5)
    turn[:2, :2] = [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]
    flipped = base @ turn * [-1, 1, 1, 1, 1]  # the same cloud, turned and mirrored
    maps = aligned_replay([base, flipped])
    assert len(maps) == 2 and maps[0].shape == (200, 2)
    assert np.allclose(maps[1], maps[0], atol=1e-4)  # no jump between the two frames


def test_plane_pca_matches_scikit_learn():
    from sklearn.decomposition import PCA

    from core.latent import PlanePCA

    rng = np.random.default_rng(3)
    codes = rng.normal(size=(300, 6)) * [3, 2, 1, 0.5, 0.2, 0.1] + 4
    ours = PlanePCA.fit(codes)
    theirs = PCA(n_components=2).fit(codes)
    # Same plane, same axes up to sign.
    assert np.allclose(np.abs(ours.components @ theirs.components_.T), np.eye(2), atol=1e-8)
    y = ours.transform(codes)
    assert np.allclose(np.abs(y), np.abs(theirs.transform(codes)), atol=1e-8)
    assert np.allclose(
        ours.inverse_transform(y), theirs.inverse_transform(theirs.transform(codes)), atol=1e-8
    )
