"""Tools on latent codes: encode, sample, interpolate, project to 2-D, place a point on a map.

Everything takes and returns plain tensors / numpy arrays, so the GUI, the tests and scripts
use it the same way.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.data import Split, add_uniform_noise, to_float
from core.models import LatentModel
from core.training import encode_split

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
    "tsne_position",
    "tsne_projection",
]


@torch.no_grad()
def decode(model: LatentModel, z: torch.Tensor | np.ndarray) -> np.ndarray:
    """Images (N, 28, 28) in [0, 1] for codes (N, d) or (d,), in eval mode."""
    z = torch.as_tensor(np.asarray(z, dtype=np.float32))
    if z.dim() == 1:
        z = z[None]
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        return model.decode(z.to(device))[:, 0].float().cpu().numpy()
    finally:
        model.train(was_training)


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
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        out = model(x.to(device))[0]
    finally:
        model.train(was_training)
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


class _TsneProcess:
    """A spawned child that imports scikit-learn, then waits for one t-SNE job on a pipe.

    Pipes, not queues: a queue's feeder thread would block the interpreter's exit on a child
    that was terminated before reading its input."""

    def __init__(self) -> None:
        import multiprocessing as mp

        from core import _tsne_child

        context = mp.get_context("spawn")
        jobs_recv, self.jobs = context.Pipe(duplex=False)
        self.results, results_send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_tsne_child.serve, args=(jobs_recv, results_send), daemon=True, name="t-SNE"
        )
        self.process.start()
        jobs_recv.close()  # the child's ends: closed here so a dead child reads as EOF
        results_send.close()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(2)
        self.jobs.close()
        self.results.close()


_warm_lock = threading.Lock()
_warm: _TsneProcess | None = None


def prewarm_tsne() -> None:
    """Start the next t-SNE's process now (spawning Python and importing scikit-learn take a
    second or two), e.g. while the codes it will get are being encoded."""
    global _warm
    with _warm_lock:
        if _warm is None or not _warm.process.is_alive():
            _warm = _TsneProcess()


def _take_tsne_process() -> _TsneProcess:
    global _warm
    with _warm_lock:
        process, _warm = _warm, None
    if process is not None and process.process.is_alive():
        return process
    if process is not None:
        process.close()
    return _TsneProcess()


def tsne_projection_cancellable(
    codes: np.ndarray, cancelled, seed: int = 42, poll: float = 0.1
) -> Projection | None:
    """t-SNE in a child process (the one ``prewarm_tsne`` started, if any), so that it can be
    cancelled (scikit-learn's cannot) and leaves the calling process's GIL alone. Returns None
    when ``cancelled()`` became true."""
    codes = np.asarray(codes, dtype=np.float32)
    child = _take_tsne_process()
    # The codes go through a file and the pipe carries only its name: writing tens of kB into
    # a pipe blocks until a child still importing scikit-learn reads them, and a worker blocked
    # there could not be cancelled (closing the window would wait for it).
    handle, codes_file = tempfile.mkstemp(prefix="latent-explorer-tsne-", suffix=".npy")
    try:
        with os.fdopen(handle, "wb") as f:
            np.save(f, codes, allow_pickle=False)
        try:
            child.jobs.send((codes_file, seed))
        except OSError:
            raise RuntimeError(
                f"the t-SNE process ended unexpectedly (exit code {child.process.exitcode})"
            ) from None
        while not child.results.poll(poll):
            if cancelled():
                return None
            if not child.process.is_alive() and not child.results.poll():
                raise RuntimeError(
                    f"the t-SNE process ended unexpectedly (exit code {child.process.exitcode})"
                )
        try:
            status, value = child.results.recv()
        except EOFError:
            raise RuntimeError(
                f"the t-SNE process ended unexpectedly (exit code {child.process.exitcode})"
            ) from None
    finally:
        child.close()
        Path(codes_file).unlink(missing_ok=True)
    if status != "ok":
        raise RuntimeError(value)
    return Projection("tsne", value, codes, None)


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
        codes = np.asarray(codes, dtype=np.float64)
        centred = codes - codes.mean(0)
        # The two leading principal directions (SVD), as PCA computes them.
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        coords = centred @ vt[:2].T
        if coords.shape[1] < 2:
            coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
        if maps:
            u, _, wt = np.linalg.svd(coords.T @ maps[-1])
            coords = coords @ (u @ wt)
        maps.append(coords.astype(np.float32))
    return maps


def subset_indices(split: Split, n: int, seed: int = 0) -> np.ndarray:
    """n test indices, the same for every model, class-balanced as far as possible."""
    n = min(n, len(split))
    if n == len(split):
        return np.arange(n)
    rng = np.random.default_rng(seed)
    labels = split.labels.numpy()
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in range(int(labels.max()) + 1)]
    chosen: list[int] = []
    i = 0
    while len(chosen) < n:
        for group in per_class:
            if i < len(group) and len(chosen) < n:
                chosen.append(int(group[i]))
        i += 1
    return np.sort(np.asarray(chosen))
