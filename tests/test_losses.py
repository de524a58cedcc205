import math

import pytest
import torch

from core.losses import ae_loss, kl_divergence, vae_loss


def test_ae_loss_is_mean_squared_error_per_pixel():
    x = torch.zeros(2, 1, 28, 28)
    recon = torch.full_like(x, 0.5)
    terms = ae_loss(recon, x)
    assert terms.total.item() == pytest.approx(0.25)
    assert terms.bce.item() == 0 and terms.kl.item() == 0


def test_kl_by_hand():
    mu = torch.tensor([[0.0, 1.0], [2.0, 0.0]])
    logvar = torch.tensor([[0.0, 0.0], [0.0, math.log(4.0)]])
    # KL(N(μ, σ²)‖N(0,1)) = ½(σ² + μ² − 1 − log σ²)
    expected = torch.tensor([[0.0, 0.5], [2.0, 0.5 * (4 - 1 - math.log(4))]])
    assert torch.allclose(kl_divergence(mu, logvar), expected)


def test_vae_loss_by_hand():
    x = torch.zeros(3, 1, 28, 28)
    x[:, :, :14] = 1.0
    recon = torch.full_like(x, 0.5)
    mu = torch.ones(3, 4)
    logvar = torch.zeros(3, 4)
    terms = vae_loss(recon, x, mu, logvar, beta=2.0)
    assert terms.bce.item() == pytest.approx(3 * 784 * math.log(2), rel=1e-6)  # −log ½ per pixel
    assert terms.kl.item() == pytest.approx(3 * 4 * 0.5)
    assert terms.total.item() == pytest.approx(terms.bce.item() + 2.0 * 6.0, rel=1e-6)


def test_vae_loss_matches_the_labs_formula():
    from tests.benchmarks.lab_reference import vae_loss as lab_vae_loss

    g = torch.Generator().manual_seed(0)
    x = torch.rand(8, 1, 28, 28, generator=g)
    recon = torch.rand(8, 1, 28, 28, generator=g).clamp(0.01, 0.99)
    mu, logvar = torch.randn(8, 10, generator=g), torch.randn(8, 10, generator=g)
    assert vae_loss(recon, x, mu, logvar).total.item() == pytest.approx(
        lab_vae_loss(recon, x, mu, logvar).item(), rel=1e-6
    )


def test_losses_are_float32_for_bf16_outputs():
    x = torch.rand(2, 1, 28, 28)
    recon = x.to(torch.bfloat16)
    assert ae_loss(recon, x).total.dtype == torch.float32
    mu = torch.zeros(2, 3, dtype=torch.bfloat16)
    assert vae_loss(recon, x, mu, mu).total.dtype == torch.float32
