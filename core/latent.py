"""Tools on latent codes: encode, sample, interpolate, project to 2-D, place a point on a map.

Everything takes and returns plain tensors / numpy arrays, so the GUI, the tests and scripts
use it the same way. The t-SNE child process lives in ``core.tsne_process``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import tsne_process
from core.data import Split, add_uniform_noise, subset_indices, to_float
from core.models import LatentModel, eval_mode

__all__ = [
    "LatentStats",
    "aligned_replay",
    "Projection",
    "decode",
    "encode_split",
    "interpolate",
    "path_points",
    "latent_stats",
    "pca_projection",
    "prewarm_tsne",
    "reconstruct",
    "sample_prior",
    "subset_indices",
    "tsne_position",
    "tsne_projection",
    "tsne_projection_cancellable",
]


@torch.no_grad()
def decode(model: LatentModel, z: torch.Tensor | np.ndarray) -> np.ndarray:
    """Images (N, 28, 28) in [0, 1] for codes (N, d) or (d,), in eval mode."""
    z = torch.as_tensor(np.asarray(z, dtype=np.float32))
    if z.dim() == 1:
        z = z[None]
    device = next(model.parameters()).device
    with eval_mode(model):
        return model.decode(z.to(device))[:, 0].float().cpu().numpy()


@torch.no_grad()
def encode_split(model: LatentModel, split: Split, batch_size: int = 500) -> torch.Tensor:
    """Codes (μ for the VAE) of a whole split, (N, d) float32 on the CPU."""
    device = next(model.parameters()).device
    with eval_mode(model):
        codes = [
            model.encode(to_float(split.images[i : i + batch_size].to(device))).float().cpu()
            for i in range(0, len(split), batch_size)
        ]
    return torch.cat(codes) if codes else torch.zeros(0, model.latent_dim)


@torch.no_grad()
def reconstruct(
    model: LatentModel,
    images: torch.Tensor,
    noise_level: float = 0.0,
    generator: torch.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, reconstructions), each (N, 28, 28): uint8 images, optionally with the lab's
    uniform noise added first, then encoded (z = μ) and decoded."""
    x = to_float(images)
    if noise_level > 0:
        x = add_uniform_noise(x, noise_level, generator)
    device = next(model.parameters()).device
    with eval_mode(model):
        out = model(x.to(device))[0]
    return x[:, 0].numpy(), out[:, 0].float().cpu().numpy()


def sample_prior(n: int, latent_dim: int, scale: float = 1.0, seed: int | None = None) -> np.ndarray:
    """n codes drawn from N(0, scale² I), as the lab generates (scale 1)."""
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    return (torch.randn(n, latent_dim, generator=generator) * scale).numpy()


def interpolate(
    z1: np.ndarray, z2: np.ndarray, steps: int = 10, method: str = "linear"
) -> tuple[np.ndarray, np.ndarray]:
    """(alphas, codes): steps + 1 points from z1 (α = 0) to z2 (α = 1).

    "linear" is the lab's z = (1 − α)·z₁ + α·z₂; "spherical" (slerp) keeps the norm of
    points between two draws of the prior, which a straight line shortens.
    """
    alphas = np.linspace(0.0, 1.0, steps + 1)
    return alphas, path_points(z1, z2, alphas, method)


def path_points(z1: np.ndarray, z2: np.ndarray, alphas, method: str = "linear") -> np.ndarray:
    """Codes at the given α (scalar or array) on the linear or spherical path from z1 to z2."""
    z1 = np.asarray(z1, dtype=np.float64)
    z2 = np.asarray(z2, dtype=np.float64)
    a = np.atleast_1d(np.asarray(alphas, dtype=np.float64))[:, None]
    if method not in ("linear", "spherical"):
        raise ValueError(f"Unknown interpolation {method!r}: expected 'linear' or 'spherical'.")
    codes = (1 - a) * z1 + a * z2
    if method == "spherical":
        n1, n2 = np.linalg.norm(z1), np.linalg.norm(z2)
        if n1 > 1e-12 and n2 > 1e-12:
            omega = np.arccos(np.clip(np.dot(z1 / n1, z2 / n2), -1.0, 1.0))
            if omega > 1e-6:  # else the two directions agree: the line is the arc
                codes = (np.sin((1 - a) * omega) * z1 + np.sin(a * omega) * z2) / np.sin(omega)
    codes = codes.astype(np.float32)
    return codes[0] if np.ndim(alphas) == 0 else codes


@dataclass(frozen=True)
class LatentStats:
    """Per-dimension statistics of a set of codes, for slider ranges."""

    mean: np.ndarray
    std: np.ndarray
    low: np.ndarray  # mean − 3σ
    high: np.ndarray  # mean + 3σ


def latent_stats(codes: np.ndarray, spread: float = 3.0) -> LatentStats:
    codes = np.asarray(codes, dtype=np.float64)
    mean = codes.mean(0)
    std = np.maximum(codes.std(0), 1e-3)
    return LatentStats(
        mean.astype(np.float32),
        std.astype(np.float32),
        (mean - spread * std).astype(np.float32),
        (mean + spread * std).astype(np.float32),
    )


@dataclass(frozen=True)
class PlanePCA:
    """The plane of the two leading principal axes of a set of codes: x ↦ (x − mean)·Wᵀ and
    back, as scikit-learn's PCA(n_components=2) computes it (signs fixed so that each axis's
    largest coefficient is positive, which keeps maps from flipping between runs)."""

    mean: np.ndarray  # (d,)
    components: np.ndarray  # (2, d), orthonormal rows

    @classmethod
    def fit(cls, codes: np.ndarray) -> PlanePCA:
        x = np.asarray(codes, dtype=np.float64)
        mean = x.mean(0)
        _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
        components = np.zeros((2, x.shape[1]))
        k = min(2, vt.shape[0])
        components[:k] = vt[:k]
        signs = np.sign(components[np.arange(2), np.abs(components).argmax(1)])
        components *= np.where(signs == 0, 1.0, signs)[:, None]
        return cls(mean, components)

    def transform(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.mean) @ self.components.T

    def inverse_transform(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(y, dtype=np.float64) @ self.components + self.mean


@dataclass
class Projection:
    """2-D coordinates of codes; PCA can also map a 2-D point back into the latent space."""

    method: str  # "pca" or "tsne"
    coords: np.ndarray  # (N, 2) float32
    codes: np.ndarray  # (N, d) the codes projected
    pca: PlanePCA | None = None  # the fitted plane (PCA only)

    @property
    def exact(self) -> bool:
        """Whether a code's position is exact (PCA) or estimated from neighbours (t-SNE)."""
        return self.method == "pca"

    def position(self, z: np.ndarray, k: int = 10) -> np.ndarray:
        """Where the code z lies on this map."""
        if self.pca is not None:
            return self.pca.transform(np.asarray(z, dtype=np.float64)[None])[0].astype(np.float32)
        return tsne_position(z, self.codes, self.coords, k)

    def inverse(self, point: np.ndarray) -> np.ndarray | None:
        """The latent code at a map point (PCA only: its two axes span a plane of the space)."""
        if self.pca is None:
            return None
        return self.pca.inverse_transform(np.asarray(point, dtype=np.float64)[None])[0].astype(np.float32)


def pca_projection(codes: np.ndarray) -> Projection:
    """The codes' two principal axes (numpy alone: importing scikit-learn in the GUI process
    costs seconds, and the map should appear at once)."""
    codes = np.asarray(codes, dtype=np.float32)
    pca = PlanePCA.fit(codes)
    coords = pca.transform(codes).astype(np.float32)
    return Projection("pca", coords, codes, pca)


def tsne_projection(codes: np.ndarray, seed: int = 42, n_jobs: int | None = None) -> Projection:
    """scikit-learn's t-SNE, as the lab runs it (random_state=42), PCA-initialised."""
    from sklearn.manifold import TSNE

    codes = np.asarray(codes, dtype=np.float32)
    tsne = TSNE(n_components=2, random_state=seed, init="pca", n_jobs=n_jobs)
    coords = tsne.fit_transform(codes).astype(np.float32)
    return Projection("tsne", coords, codes, None)


def prewarm_tsne() -> None:
    """Start the next t-SNE's child process now (see ``core.tsne_process.prewarm``)."""
    tsne_process.prewarm()


def tsne_projection_cancellable(
    codes: np.ndarray, cancelled, seed: int = 42, poll: float = 0.1
) -> Projection | None:
    """``tsne_projection`` in a child process, so that it can be cancelled: None when
    ``cancelled()`` became true."""
    codes = np.asarray(codes, dtype=np.float32)
    coords = tsne_process.run_tsne(codes, cancelled, seed, poll)
    return None if coords is None else Projection("tsne", coords, codes, None)


def tsne_position(z: np.ndarray, codes: np.ndarray, coords: np.ndarray, k: int = 10) -> np.ndarray:
    """An estimate of where z falls on a t-SNE map: the distance-weighted mean of the map
    positions of its k nearest codes (t-SNE has no transform for new points)."""
    z = np.asarray(z, dtype=np.float32)
    d2 = np.sum((codes - z) ** 2, axis=1)
    k = min(k, len(codes))
    nearest = np.argpartition(d2, k - 1)[:k]
    weights = 1.0 / (np.sqrt(d2[nearest]) + 1e-6)
    return (weights[:, None] * coords[nearest]).sum(0) / weights.sum()


def aligned_replay(frames: list[np.ndarray]) -> list[np.ndarray]:
    """2-D maps of a training replay, one per frame (PCA of each frame's codes), each rotated or
    reflected to best match the previous one (orthogonal Procrustes), so points do not jump
    when the network merely turns its latent space between epochs. Scales are kept: the VAE's
    codes are seen packing."""
    maps: list[np.ndarray] = []
    for codes in frames:
        coords = PlanePCA.fit(codes).transform(codes)
        if maps:
            u, _, wt = np.linalg.svd(coords.T @ maps[-1])
            coords = coords @ (u @ wt)
        maps.append(coords.astype(np.float32))
    return maps

