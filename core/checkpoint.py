"""One ``.safetensors`` file per model: weights plus one JSON document of metadata.

Loading never runs code from the file: the header is parsed and checked by hand (size, JSON,
our format and version, the model's kind and latent size, every tensor's name, dtype and shape)
before safetensors reads the weights. Every problem raises CheckpointError with a message a
dialog can show as is. Writes are atomic: a temporary file in the same folder, flushed and
synced, then renamed over the target, so a failed save never damages an existing file.
"""

from __future__ import annotations

import json
import math
import os
import platform
import struct
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from core import __version__
from core.models import LatentModel, ModelConfig, build_model, model_config
from core.training import EpochRecord, Replay, TrainConfig

FORMAT = "latent-explorer"
FORMAT_VERSION = 1
METADATA_KEY = "latent_explorer"
SUFFIX = ".safetensors"
_MAX_HEADER = 16 * 1024 * 1024  # our headers are a few kB; anything huge is not ours
_PICKLE_SUFFIXES = (".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".bin")


class CheckpointError(Exception):
    """A checkpoint cannot be read or written; the message is meant for the user."""


@dataclass
class Checkpoint:
    """A loaded model with what its file says about it."""

    model: LatentModel
    train_config: TrainConfig | None
    history: list[EpochRecord]
    metadata: dict = field(default_factory=dict)  # the whole JSON document
    path: Path | None = None
    extra_tensors: dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.model.kind

    @property
    def replay(self) -> Replay | None:
        """The training replay saved with the model, if any."""
        codes = self.extra_tensors.get("replay_codes")
        indices = self.extra_tensors.get("replay_indices")
        if codes is None or indices is None or codes.dim() != 3 or codes.shape[1] != len(indices):
            return None
        if codes.shape[2] != self.model.latent_dim:
            return None
        return Replay(indices.numpy().astype(np.int64), [f.numpy() for f in codes])

    @property
    def extra(self) -> dict:
        """Additional data saved with the model (e.g. a training replay)."""
        return self.metadata.get("extra", {})


def save_checkpoint(
    path: str | os.PathLike,
    model: LatentModel,
    train_config: TrainConfig | None = None,
    history: list[EpochRecord] | None = None,
    extra: dict | None = None,
    extra_tensors: dict[str, torch.Tensor] | None = None,
    replay: Replay | None = None,
) -> Path:
    """Write model + metadata atomically; returns the path written. A training replay (codes of
    fixed test images after each epoch) is stored as two more tensors."""
    extra_tensors = dict(extra_tensors or {})
    if replay is not None and replay.frames:
        extra_tensors["replay_codes"] = torch.from_numpy(np.stack(replay.frames).astype(np.float16))
        extra_tensors["replay_indices"] = torch.from_numpy(np.asarray(replay.indices, dtype=np.int64))
    path = Path(path).expanduser()
    config = model_config(model)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": config.kind,
        "latent_dim": config.latent_dim,
        "beta": train_config.beta if train_config else None,
        "train_config": train_config.to_dict() if train_config else None,
        "history": [r.to_dict() for r in history or []],
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {
            "latent_explorer": __version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "extra": extra or {},
    }
    try:
        text = json.dumps(document, allow_nan=False)
    except ValueError as exc:
        raise CheckpointError(
            f"Cannot save {path.name}: its metadata holds a non-finite number ({exc})."
        ) from None
    tensors = {
        f"model.{k}": v.detach().to("cpu", torch.float32).contiguous() for k, v in model.state_dict().items()
    }
    for name, tensor in (extra_tensors or {}).items():
        tensors[f"extra.{name}"] = tensor.detach().cpu().contiguous()
    payload = save_tensors(tensors, metadata={METADATA_KEY: text})
    _atomic_write(path, payload)
    return path


def _atomic_write(path: Path, payload: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CheckpointError(f"Cannot save {path}: the folder {folder} does not exist.")
    tmp_name = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
        if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CheckpointError(
            f"Cannot save {path}: {reason}. Any existing file was left as it was."
        ) from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def read_metadata(path: str | os.PathLike) -> dict:
    """The JSON document of a checkpoint, validated, without building the model."""
    document, _, _ = _read_header(Path(path).expanduser())
    return document


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Load and validate a checkpoint; raises CheckpointError on any problem."""
    path = Path(path).expanduser()
    document, entries, data = _read_header(path)
    name = path.name
    config = ModelConfig(document["kind"], document["latent_dim"])
    model = build_model(config)
    expected = {f"model.{k}": v for k, v in model.state_dict().items()}
    present = {k for k in entries if k.startswith("model.")}
    missing = sorted(set(expected) - present)
    unexpected = sorted(present - set(expected))
    if missing or unexpected:
        details = []
        if missing:
            details.append(f"missing {', '.join(missing[:4])}")
        if unexpected:
            details.append(f"unexpected {', '.join(unexpected[:4])}")
        raise CheckpointError(
            f"{name} does not hold the weights of a Latent Explorer {config.kind.upper()} "
            f"({'; '.join(details)})."
        )
    for key, tensor in expected.items():
        entry = entries[key]
        if entry.get("dtype") != "F32" or list(entry.get("shape", [])) != list(tensor.shape):
            raise CheckpointError(
                f"{name}: tensor {key} is {entry.get('dtype')} {entry.get('shape')}, expected "
                f"F32 {list(tensor.shape)} for a {config.kind.upper()} with latent size "
                f"{config.latent_dim}."
            )
    try:
        tensors = load_tensors(data)
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{name} is damaged: {exc}.") from None
    state = {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    for key, value in state.items():
        if not torch.isfinite(value).all():
            raise CheckpointError(f"{name}: tensor {key} holds NaN or infinite values.")
    model.load_state_dict(state, strict=True)
    model.eval()
    try:
        train_config = (
            TrainConfig.from_dict(document["train_config"]) if document.get("train_config") else None
        )
        history = [EpochRecord.from_dict(r) for r in document.get("history") or []]
    except (TypeError, ValueError, KeyError) as exc:
        raise CheckpointError(f"{name}: its training settings or history are invalid ({exc}).") from None
    extra_tensors = {k.removeprefix("extra."): v for k, v in tensors.items() if k.startswith("extra.")}
    return Checkpoint(model, train_config, history, document, path, extra_tensors)


def _read_header(path: Path) -> tuple[dict, dict, bytes]:
    """Parse and check a safetensors header by hand: (our document, tensor entries, bytes)."""
    name = path.name
    if path.suffix.lower() in _PICKLE_SUFFIXES:
        raise CheckpointError(
            f"{name} looks like a PyTorch pickle file. Pickles can run code when opened, so "
            f"Latent Explorer only opens {SUFFIX} checkpoints it saved itself."
        )
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise CheckpointError(f"{path} is a folder, not a checkpoint file.") from None
    except FileNotFoundError:
        raise CheckpointError(f"{path} does not exist.") from None
    except OSError as exc:
        raise CheckpointError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    not_ours = f"{name} is not a Latent Explorer checkpoint"
    if len(data) == 0:
        raise CheckpointError(f"{name} is empty.")
    if len(data) < 8:
        raise CheckpointError(f"{not_ours}: only {len(data)} bytes.")
    (header_len,) = struct.unpack("<Q", data[:8])
    if header_len == 0 or header_len > _MAX_HEADER or 8 + header_len > len(data):
        if data[:2] == b"PK" or data[:1] == b"\x80":
            raise CheckpointError(
                f"{not_ours}: it looks like a PyTorch pickle file, which is never opened "
                "because opening a pickle can run code."
            )
        if 8 + header_len > len(data) and header_len <= _MAX_HEADER:
            raise CheckpointError(f"{name} is truncated: its header is cut short.")
        raise CheckpointError(f"{not_ours} (it is not a safetensors file).")
    try:
        header = json.loads(data[8 : 8 + header_len])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{not_ours}: its header is not valid JSON.") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{not_ours}: unexpected header.")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or METADATA_KEY not in metadata:
        raise CheckpointError(
            f"{not_ours}: it is a safetensors file without Latent Explorer's metadata "
            "(perhaps another program's model)."
        )
    try:
        document = json.loads(metadata[METADATA_KEY])
    except (TypeError, json.JSONDecodeError):
        raise CheckpointError(f"{name}: its metadata is not valid JSON.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(f"{not_ours}: unknown metadata format.")
    version = document.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise CheckpointError(f"{name}: invalid format version {version!r}.")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{name} was saved by a newer Latent Explorer (format {version}; this version reads "
            f"up to {FORMAT_VERSION}). Update the app to open it."
        )
    try:
        ModelConfig(document.get("kind"), document.get("latent_dim"))
    except ValueError as exc:
        raise CheckpointError(f"{name}: {exc}") from None
    end = 8 + header_len
    payload_len = len(data) - end
    for key, entry in header.items():
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= payload_len
        ):
            raise CheckpointError(f"{name} is truncated or damaged (tensor {key} lies outside the file).")
        shape = entry.get("shape")
        if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
            raise CheckpointError(f"{name} is damaged (tensor {key} has an invalid shape).")
        size = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "U8": 1}.get(entry.get("dtype"))
        if size is None or offsets[1] - offsets[0] != size * math.prod(shape):
            raise CheckpointError(f"{name} is damaged (tensor {key} has the wrong size).")
    return document, header, data
