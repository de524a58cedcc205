"""The training panel's preview: which test images it shows, and their reconstructions.

(The training run itself, relayed from its child process, is explorer.state.training_run.)
"""

from __future__ import annotations

import numpy as np
import torch

from core.data import Split
from core.latent import reconstruct as core_reconstruct


def preview_indices(split: Split, count: int = 8) -> list[int]:
    """The first test image of each of the first ``count`` classes (fixed, varied)."""
    indices = []
    labels = split.labels.tolist()
    for c in range(10):
        if c in labels:
            indices.append(labels.index(c))
        if len(indices) == count:
            break
    for i in range(len(labels)):  # fewer classes than count: fill with the first images
        if len(indices) == count:
            break
        if i not in indices:
            indices.append(i)
    return indices


def reconstruct(model, images: torch.Tensor) -> np.ndarray:
    """Reconstructions (N, 28, 28) in eval mode (z = μ)."""
    return core_reconstruct(model, images)[1]
