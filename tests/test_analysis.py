"""core.analysis: active units, per-dimension KL, traversals, the PCA baseline, IWAE, denoising."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.analysis import (
    AnalysisCancelled,
    PCABaseline,
    compare_denoising,
    dimension_summary,
    likelihood_bounds,
    log_weights,
    summarise_dimensions,
    traversal_codes,
    traversal_scale,
)
from core.checkpoint import load_checkpoint
from core.data import add_uniform_noise, to_float
from core.models import ModelConfig
from core.training import new_model


def test_summary_by_hand():
    # dim 0 varies (values 0, 2 → variance 1), dim 1 barely (±0.05 → 0.0025), dim 2 is constant.
    mu = np.array([[0.0, 0.05, 3.0], [2.0, -0.05, 3.0]])
    logvar = np.array([[0.0, -1.0, 0.0], [0.0, -1.0, 0.0]])
    s = summarise_dimensions(mu, logvar)
    assert np.allclose(s.variance, [1.0, 0.0025, 0.0])
    assert s.active.tolist() == [True, False, False]
    assert s.active_units == 1
    # KL per dim = mean over images of −½(1 + l − μ² − eˡ)
    kl0 = np.mean([-0.5 * (1 + 0 - m**2 - 1) for m in (0.0, 2.0)])  # 1.0
    kl1 = -0.5 * (1 - 1 - 0.05**2 - math.exp(-1))
    kl2 = -0.5 * (1 + 0 - 9 - 1)  # 4.5
    assert np.allclose(s.kl, [kl0, kl1, kl2])
    assert s.order.tolist() == [2, 0, 1]  # ranked by KL, not by variance
    assert s.kind == "vae"
    ae = summarise_dimensions(mu)
    assert ae.kl is None and ae.kind == "ae"
    assert ae.order.tolist() == [0, 1, 2]  # ranked by variance


def test_dimension_summary_of_a_model_with_known_heads(tiny_data):
    """μ_j = w_j·(sum of features) + b_j with hand-set heads: dim 0 follows the image, the others
    are constant, so only dim 0 is active, and each KL is known from μ and log σ²."""
    torch.manual_seed(0)
    model = new_model(ModelConfig("vae", 3))
    with torch.no_grad():
        model.linear_mu.weight.zero_()
        model.linear_mu.bias.copy_(torch.tensor([0.0, 0.5, -1.0]))
        model.linear_mu.weight[0] = 1.0
        model.linear_logvar.weight.zero_()
        model.linear_logvar.bias.copy_(torch.tensor([-2.0, 0.0, 1.0]))
    split = tiny_data.test.head(64)
    with torch.no_grad():
        features = model.encoder(to_float(split.images)).sum(1).double()
    s = dimension_summary(model, split)
    assert s.variance[0] == pytest.approx(features.var(unbiased=False).item(), rel=1e-4)
    assert s.variance[0] > 0.01 and np.allclose(s.variance[1:], 0, atol=1e-10)
    assert s.active_units == 1
    expected_kl0 = (-0.5 * (1 - 2.0 - features**2 - math.exp(-2.0))).mean().item()
    assert s.kl[0] == pytest.approx(expected_kl0, rel=1e-4)
    assert s.kl[1] == pytest.approx(-0.5 * (1 + 0 - 0.25 - 1))
    assert s.kl[2] == pytest.approx(-0.5 * (1 + 1 - 1 - math.e), rel=1e-5)


def test_traversal_codes_move_one_dimension_per_row():
    center = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    codes = traversal_codes(center, [2, 0], np.array([1.0, 2.0, 0.5]), columns=5, spread=2.0)
    assert codes.shape == (2, 5, 3)
    assert np.allclose(codes[0, :, 2], 2.0 + np.array([-2, -1, 0, 1, 2]) * 0.5)
    assert np.allclose(codes[0, :, :2], center[:2])
    assert np.allclose(codes[1, :, 0], 0.5 + np.array([-2, -1, 0, 1, 2]) * 1.0)
    assert np.allclose(codes[1, :, 1:], center[1:])
    vae = summarise_dimensions(np.zeros((2, 3)), np.zeros((2, 3)))
    assert np.allclose(traversal_scale(vae), 1.0)
    ae = summarise_dimensions(np.array([[0.0, 0.0, 0.0], [2.0, 4.0, 0.0]]))
    assert np.allclose(traversal_scale(ae), [1.0, 2.0, 1e-3])


def test_pca_baseline_matches_numpys_svd(tiny_data):
    train, test = tiny_data.train.images, tiny_data.test.images
    pca = PCABaseline.fit(train, 6, batch_size=100)  # several batches
    x = train.reshape(-1, 784).double().numpy() / 255
    mean = x.mean(0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    assert np.allclose(pca.mean, mean, atol=1e-6)
    assert np.allclose(pca.explained_variance, s[:6] ** 2 / (len(x) - 1), rtol=1e-4)
    assert np.allclose(np.abs(pca.components @ vt[:6].T), np.eye(6), atol=1e-4)  # same axes
    y = test.reshape(-1, 784).double().numpy() / 255
    expected = (y - mean) @ vt[:6].T @ vt[:6] + mean
    assert np.allclose(pca.reconstruct(test).reshape(-1, 784), expected, atol=1e-4)
    assert pca.mse(test, batch_size=50) == pytest.approx(np.mean((expected - y) ** 2), rel=1e-4)
    # Fewer axes: the leading ones of the same fit, and a worse reconstruction.
    assert np.array_equal(pca.truncated(3).components, pca.components[:3])
    assert pca.truncated(3).mse(test) > pca.mse(test)


def test_pca_baseline_round_trips(tmp_path, tiny_data):
    pca = PCABaseline.fit(tiny_data.train.images, 4)
    pca.save(tmp_path / "pca.npz")
    loaded = PCABaseline.load(tmp_path / "pca.npz")
    assert np.array_equal(loaded.components, pca.components)
    assert np.array_equal(loaded.mean, pca.mean)


@pytest.fixture(scope="module")
def tiny_vae(model_files):
    return load_checkpoint(model_files["vae"]).model


def test_iwae_bound_is_above_the_elbo_and_grows_with_k(tiny_vae, tiny_data):
    split = tiny_data.test.head(64)
    bounds = {k: likelihood_bounds(tiny_vae, split, k, seed=1) for k in (1, 5, 50)}
    assert bounds[1].iwae == pytest.approx(bounds[1].elbo)  # one sample: the same estimate
    for b in bounds.values():
        assert np.all(b.per_image_iwae >= b.per_image_elbo - 1e-9)
        assert b.images == 64
    assert bounds[1].iwae < bounds[5].iwae < bounds[50].iwae
    assert bounds[50].gap > 0
    # The ELBO estimate does not depend on k, only its noise does.
    assert bounds[50].elbo == pytest.approx(bounds[5].elbo, rel=0.02)
    exact = likelihood_bounds(tiny_vae, split, 50, seed=1, precision="fp32")
    assert exact.iwae == pytest.approx(bounds[50].iwae, rel=1e-3)  # bf16 (where native) is close
    assert next(tiny_vae.parameters()).is_contiguous()


def test_log_weights_by_hand(tiny_vae, tiny_data):
    """log w = log p(x|z) + log p(z) − log q(z|x): the prior and posterior terms average to −KL."""
    x = to_float(tiny_data.test.images[:3])
    lw = log_weights(tiny_vae.eval(), x, 4000, torch.Generator().manual_seed(0))
    with torch.no_grad():
        mu, logvar = tiny_vae.encode_distribution(x)
        kl = (-0.5 * (1 + logvar - mu**2 - logvar.exp())).sum(1)
        recon = tiny_vae.decode(mu)
        bce_at_mu = torch.nn.functional.binary_cross_entropy(
            recon.reshape(3, 784), x.reshape(3, 784), reduction="none"
        ).sum(1)
    # E_q[log w] = E_q[log p(x|z)] − KL, and E_q[log p(x|z)] ≈ −BCE at μ for a smooth decoder.
    assert lw.shape == (3, 4000)
    assert torch.allclose(lw.mean(1), -bce_at_mu - kl, rtol=0.05)


def test_likelihood_bounds_progress_and_cancel(tiny_vae, tiny_data):
    split = tiny_data.test.head(40)
    seen = []
    likelihood_bounds(tiny_vae, split, 10, decodes_per_batch=100, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(10, 40), (20, 40), (30, 40), (40, 40)]
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(AnalysisCancelled):
        likelihood_bounds(tiny_vae, split, 10, decodes_per_batch=100, cancelled=cancelled)
    assert len(asked) == 3
    with pytest.raises(ValueError):
        likelihood_bounds(new_model(ModelConfig("ae", 3)), split, 10)


def test_denoising_comparison(tiny_data):
    models = [new_model(ModelConfig("ae", 3), seed) for seed in (0, 1)]
    images = tiny_data.test.images[:6]
    result = compare_denoising(models, images, 0.5, seed=4)
    clean = to_float(images)
    noisy = add_uniform_noise(clean, 0.5, torch.Generator().manual_seed(4))
    assert np.allclose(result.noisy, noisy[:, 0].numpy())
    assert result.noisy_mse == pytest.approx(torch.mean((noisy - clean) ** 2).item())
    for model, out, mse in zip(models, result.outputs, result.mse, strict=True):
        with torch.no_grad():
            expected = model.eval()(noisy)[0][:, 0]
        assert np.allclose(out, expected.numpy(), atol=1e-6)
        assert mse == pytest.approx(torch.mean((expected - clean[:, 0]) ** 2).item(), rel=1e-5)


def test_decoder_logits_are_the_outputs_before_the_sigmoid():
    model = new_model(ModelConfig("vae", 4)).eval()
    z = torch.randn(5, 4)
    with torch.no_grad():
        assert torch.allclose(torch.sigmoid(model.decoder.logits(z)), model.decode(z), atol=1e-6)


