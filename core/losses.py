"""The lab's losses, computed in float32 whatever precision the forward pass used."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F

from core.kernels import bce_sum


@dataclass(frozen=True)
class LossTerms:
    """One batch's loss. ``total`` is what the optimiser minimises, as in the lab:
    mean MSE per pixel for the AE, BCE(sum) + β·KL(sum) over the batch for the VAE.

    ``summed``: whether ``total`` sums over the batch's images (the VAE's) rather than averages
    its pixels (the AE's); only then are ``bce`` and ``kl`` (batch sums) its parts, zero
    otherwise. ``recon`` is the model's output and ``kl_elements`` the KL per image and
    dimension (B, d), kept so that evaluation needs no second forward pass."""

    total: torch.Tensor
    bce: torch.Tensor
    kl: torch.Tensor
    summed: bool = False
    recon: torch.Tensor | None = None
    kl_elements: torch.Tensor | None = None


def ae_loss(recon: torch.Tensor, x: torch.Tensor) -> LossTerms:
    mse = F.mse_loss(recon.float(), x)
    zero = mse.new_zeros(())
    return LossTerms(mse, zero, zero, summed=False, recon=recon)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, I)) per image and dimension: (B, d)."""
    mu, logvar = mu.float(), logvar.float()
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())


def vae_loss(
    recon: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, beta: float = 1.0
) -> LossTerms:
    bce = bce_sum(recon.float().reshape(-1, 784), x.reshape(-1, 784))
    kl_elements = kl_divergence(mu, logvar)
    kl = kl_elements.sum()
    return LossTerms(bce + beta * kl, bce, kl, summed=True, recon=recon, kl_elements=kl_elements)
