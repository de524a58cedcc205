"""Helpers for tests: synthetic data and IDX writers."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import torch

from core.data import Dataset, Split


def synthetic_split(n: int, seed: int) -> Split:
    """Images with class-dependent structure (a bar whose position and angle follow the class),
    so a model can learn something in one epoch."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    images = torch.empty(n, 28, 28, dtype=torch.uint8)
    for i, c in enumerate(labels.tolist()):
        angle = c * 0.314 + 0.1 * torch.rand((), generator=g).item()
        offset = (c - 4.5) * 1.5
        dist = (
            (xx - 14) * torch.cos(torch.tensor(angle)) + (yy - 14) * torch.sin(torch.tensor(angle)) - offset
        )
        img = torch.exp(-(dist**2) / 8) * 230 + torch.rand(28, 28, generator=g) * 25
        images[i] = img.clamp(0, 255).to(torch.uint8)
    return Split(images, labels)


def write_idx(path: Path, tensor: torch.Tensor, *, gz: bool = False) -> Path:
    """Write a uint8 tensor as an IDX file (magic 0x0000080N, big-endian sizes)."""
    header = struct.pack(">HBB", 0, 8, tensor.dim()) + struct.pack(f">{tensor.dim()}I", *tensor.shape)
    payload = header + tensor.to(torch.uint8).contiguous().numpy().tobytes()
    if gz:
        path = path.with_name(path.name + ".gz")
        payload = gzip.compress(payload, compresslevel=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def write_dataset(folder: Path, data: Dataset, *, gz: bool = False) -> Path:
    for split, (img, lab) in (
        (data.train, ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")),
        (data.test, ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")),
    ):
        write_idx(folder / img, split.images, gz=gz)
        write_idx(folder / lab, split.labels, gz=gz)
    return folder
