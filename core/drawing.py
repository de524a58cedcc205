"""What a model makes of one image of yours: its code, reconstruction, map point and typicality.

``Reference`` holds what a drawing is compared with, computed once per model on test images:
their codes, their per-image losses and the PCA plane of their codes. ``analyse`` then takes one
28×28 image in [0, 1] and costs one forward pass (a millisecond on a CPU), so the GUI can call it
on every stroke.

The loss is the model's own training loss for one image at z = μ (no sampling, so the same
drawing always gets the same number): MSE per pixel for the AE, BCE(sum) + β·KL for the VAE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from core.data import Split, to_float
from core.latent import PlanePCA, subset_indices
from core.losses import kl_divergence
from core.models import LatentModel


@torch.no_grad()
def encode_images(
    model: LatentModel, x: torch.Tensor, beta: float = 1.0
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """For float images x (B, 1, 28, 28): codes μ (B, d), σ (B, d) or None for the AE,
    reconstructions (B, 28, 28) and per-image losses (B,)."""
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        x = x.to(device).float()
        if model.kind == "vae":
            mu, logvar = model.encode_distribution(x)
            recon = model.decode(mu).float()
            flat_recon, flat_x = recon.reshape(len(x), -1), x.reshape(len(x), -1)  # (B, 784)
            bce = F.binary_cross_entropy(flat_recon, flat_x, reduction="none").sum(1)
            losses = bce + beta * kl_divergence(mu, logvar).sum(1)
            sigma = torch.exp(0.5 * logvar.float()).cpu().numpy()
        else:
            mu = model.encode(x)
            recon = model.decode(mu).float()
            losses = (recon - x).pow(2).reshape(len(x), -1).mean(1)
            sigma = None
    finally:
        model.train(was_training)
    return mu.float().cpu().numpy(), sigma, recon[:, 0].cpu().numpy(), losses.cpu().numpy()


@dataclass(frozen=True)
class Reference:
    """Test images' codes, losses and the PCA plane of the codes, for one model."""

    indices: np.ndarray  # (N,) positions in the test split
    codes: np.ndarray  # (N, d)
    labels: np.ndarray  # (N,)
    losses: np.ndarray  # (N,) sorted
    pca: PlanePCA
    coords: np.ndarray  # (N, 2): the codes on the PCA map
    beta: float

    @classmethod
    def build(
        cls, model: LatentModel, test: Split, n: int = 2000, beta: float = 1.0, batch: int = 500
    ) -> Reference:
        """From n class-balanced test images (all when the split is smaller)."""
        indices = subset_indices(test, n)
        images = test.images[torch.from_numpy(indices)]
        codes, losses = [], []
        for start in range(0, len(images), batch):
            mu, _, _, loss = encode_images(model, to_float(images[start : start + batch]), beta)
            codes.append(mu)
            losses.append(loss)
        codes_all = np.concatenate(codes).astype(np.float32)
        pca = PlanePCA.fit(codes_all)
        return cls(
            indices,
            codes_all,
            test.labels[torch.from_numpy(indices)].numpy(),
            np.sort(np.concatenate(losses)),
            pca,
            pca.transform(codes_all).astype(np.float32),
            beta,
        )

    def percentile(self, loss: float) -> float:
        """The share, in %, of the reference's test images whose loss is below this one: how much
        less typical than the test images an input is (100: stranger than all of them)."""
        return 100.0 * np.searchsorted(self.losses, loss, side="left") / max(len(self.losses), 1)


@dataclass(frozen=True)
class Analysis:
    """What the model makes of one image."""

    code: np.ndarray  # (d,) z (μ for the VAE)
    sigma: np.ndarray | None  # (d,) the VAE's posterior σ, None for the AE
    reconstruction: np.ndarray  # (28, 28) in [0, 1]
    error: float  # mean squared error per pixel between the image and its reconstruction
    loss: float  # the model's loss for this image (see the module's text)
    percentile: float  # % of the reference's test images with a lower loss
    point: np.ndarray  # (2,) on the PCA map
    ellipse: np.ndarray | None  # (K, 2) the 1-σ posterior projected on the PCA map (VAE)


def analyse(model: LatentModel, image: np.ndarray, reference: Reference) -> Analysis:
    """Encode one (28, 28) image in [0, 1] and place it among the reference's test images."""
    x = torch.as_tensor(np.asarray(image, dtype=np.float32)).clamp(0, 1)[None, None]
    mu, sigma, recon, loss = encode_images(model, x, reference.beta)
    code = mu[0]
    point = reference.pca.transform(code[None])[0].astype(np.float32)
    ellipse = posterior_ellipse(reference.pca, code, sigma[0]) if sigma is not None else None
    return Analysis(
        code,
        None if sigma is None else sigma[0],
        recon[0],
        float(np.mean((recon[0] - x[0, 0].numpy()) ** 2)),
        float(loss[0]),
        reference.percentile(float(loss[0])),
        point,
        ellipse,
    )


def posterior_ellipse(pca: PlanePCA, mu: np.ndarray, sigma: np.ndarray, points: int = 65) -> np.ndarray:
    """The 1-σ contour of N(μ, diag σ²) projected on the PCA plane: (points, 2)."""
    w = pca.components  # (2, d)
    cov = (w * np.asarray(sigma, dtype=np.float64) ** 2) @ w.T  # (2, 2)
    values, vectors = np.linalg.eigh(cov)
    t = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(t), np.sin(t)], 1) * np.sqrt(np.clip(values, 0, None))
    return (pca.transform(np.asarray(mu)[None])[0] + circle @ vectors.T).astype(np.float32)


def typicality_words(percentile: float) -> tuple[str, int]:
    """("less", p) or ("more", p) for the sentence "less/more typical than p % of the test
    images", rounding so that 0 and 100 appear only when they are true."""
    if percentile >= 50:
        p = int(np.floor(percentile))
        return "less", p
    p = int(np.floor(100 - percentile))
    return "more", p


# --- the brush ----------------------------------------------------------------------------


def paint_segment(
    canvas: np.ndarray,
    start: tuple[float, float],
    end: tuple[float, float],
    size: float = 2.5,
    softness: float = 0.5,
    erase: bool = False,
) -> np.ndarray:
    """Paint (or erase) a brush stroke from start to end, in place, on a (28, 28) float canvas.

    Points are (x, y) in pixel units: (0, 0) is the top-left corner of pixel [0, 0], its centre
    is (0.5, 0.5). The brush is a disc of diameter ``size``: full ink within
    ``(1 − softness)`` of its radius, fading linearly to none at its edge. Painting keeps the
    darker (more inked) of the old and new values, so going over a stroke twice changes
    nothing; erasing removes ink in proportion. Returns the canvas.
    """
    h, w = canvas.shape
    radius = max(size / 2, 0.05)
    solid = radius * (1 - float(np.clip(softness, 0, 1)))
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0, 1) if length2 > 0 else 0.0
    distance = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))  # to the segment
    if radius > solid:
        ink = np.clip((radius - distance) / (radius - solid), 0, 1)
    else:
        ink = (distance <= radius).astype(np.float64)
    if erase:
        canvas *= (1 - ink).astype(canvas.dtype)
    else:
        np.maximum(canvas, ink.astype(canvas.dtype), out=canvas)
    return canvas
