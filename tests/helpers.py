"""Helpers for tests: synthetic data and IDX writers."""

from __future__ import annotations

import gzip
import json
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save as save_tensors

from core.checkpoint import METADATA_KEY, read_metadata, save_checkpoint
from core.data import Dataset, Split
from core.models import ModelConfig
from core.training import new_model


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


# --- files Latent Explorer must refuse ------------------------------------------------------


class _TouchOnUnpickle:
    """Unpickling this object creates ``marker``: the proof that a file was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def write_pickle_bomb(path: Path, marker: Path, *, with_torch: bool, protocol: int = 2) -> Path:
    """A pickle whose unpickling creates marker: a torch.save zip, or a plain pickle."""
    payload = {"state_dict": _TouchOnUnpickle(marker)}
    if with_torch:
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload, protocol=protocol))
    return path


def pickle_bomb_is_armed(path: Path, marker: Path) -> bool:
    """Whether unpickling the file really creates marker (the marker is removed again)."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):  # torch.save: the object is in <archive>/data.pkl
        with zipfile.ZipFile(path) as archive:
            data = archive.read(next(n for n in archive.namelist() if n.endswith("data.pkl")))
    assert not marker.exists()
    pickle.loads(data)
    armed = marker.exists()
    marker.unlink(missing_ok=True)
    return armed


def write_with_metadata(path: Path, tensors: dict[str, torch.Tensor], document: dict) -> Path:
    """A safetensors file with Latent Explorer's metadata key holding document."""
    path.write_bytes(save_tensors(tensors, metadata={METADATA_KEY: json.dumps(document)}))
    return path


def bad_checkpoints(folder: Path, marker: Path) -> dict[str, str]:
    """Write files that must be refused into folder; returns {file name: part of its message}.

    Unpickling any of the pickles creates marker."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}
    for name, with_torch, protocol in (
        ("evil.pt", True, 2),
        ("evil.pth", False, 2),
        ("evil.ckpt", True, 2),
        ("torch-pickle-renamed.safetensors", True, 2),
        ("pickle-renamed.safetensors", False, 4),
        ("old-pickle-renamed.safetensors", False, 0),
    ):
        write_pickle_bomb(folder / name, marker, with_torch=with_torch, protocol=protocol)
        expected[name] = "pickle" if protocol else "not a Latent Explorer checkpoint"

    good = save_checkpoint(folder / "good.safetensors", new_model(ModelConfig("ae", 10)))
    document = read_metadata(good)
    weights = {f"model.{k}": v for k, v in new_model(ModelConfig("ae", 10)).state_dict().items()}
    (folder / "empty.safetensors").write_bytes(b"")
    expected["empty.safetensors"] = "is empty"
    data = good.read_bytes()
    (folder / "truncated.safetensors").write_bytes(data[: len(data) // 2])
    expected["truncated.safetensors"] = "truncated"
    (folder / "header-cut.safetensors").write_bytes(data[:200])
    expected["header-cut.safetensors"] = "truncated"
    (folder / "foreign.safetensors").write_bytes(save_tensors({"weight": torch.zeros(3, 4)}))
    expected["foreign.safetensors"] = "without Latent Explorer's metadata"
    foreign = {"model.fc1.weight": torch.zeros(8, 784), "model.fc1.bias": torch.zeros(8)}
    write_with_metadata(folder / "wrong-names.safetensors", foreign, document)
    expected["wrong-names.safetensors"] = "does not hold the weights of a Latent Explorer AE"
    bent = dict(weights)
    bent["model.encoder.0.weight"] = torch.zeros(16, 1, 4, 4)  # 16 filters, not 32
    write_with_metadata(folder / "wrong-shapes.safetensors", bent, document)
    expected["wrong-shapes.safetensors"] = "tensor model.encoder.0.weight is F32 [16, 1, 4, 4]"
    wide = {f"model.{k}": v for k, v in new_model(ModelConfig("ae", 16)).state_dict().items()}
    write_with_metadata(folder / "latent-mismatch.safetensors", wide, document)  # metadata says 10
    expected["latent-mismatch.safetensors"] = (
        "metadata says latent size 10 but its weights are for latent size 16"
    )
    write_with_metadata(folder / "newer.safetensors", weights, {**document, "format_version": 99})
    expected["newer.safetensors"] = "newer Latent Explorer"
    good.unlink()
    return expected


def picture_folder(root, n_per_class=7, classes=("boots", "hats")):
    """Pictures of two classes: a tall dark bar (boots) and a wide one (hats), on white."""
    rng = np.random.default_rng(1)
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(n_per_class):
            img = np.full((64, 48), 250, dtype=np.uint8)
            h, w = (50, 12) if c == 0 else (12, 40)
            y, x = rng.integers(0, 64 - h), rng.integers(0, 48 - w)
            img[y : y + h, x : x + w] = 20 + 10 * i
            Image.fromarray(img, "L").save(root / name / f"{i}.{'png' if i % 2 else 'jpg'}")
    return root
