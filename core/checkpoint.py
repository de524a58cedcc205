"""One ``.safetensors`` file per model: weights plus one JSON document of metadata.

Loading never runs code from the file: the header is parsed and checked by hand (size, JSON,
our format and version, the model's kind and latent size, every tensor's name, dtype and shape)
before safetensors reads the weights. Reads are bounded (core.safe_io and core.limits): only a
regular file of at most 512 MiB is opened, and only the bytes its header announces are read.
Every problem raises CheckpointError with a message a dialog can show as is. Values are checked
on the way in as on the way out: training settings outside the widgets' ranges, or a history
with a non-finite or absurd number, are dropped with a warning (``Checkpoint.warnings``) and
the model still opens. Writes are atomic: an exclusive temporary file in the same folder,
flushed and synced, then renamed over the target, so a failed save never damages an existing file.
"""

from __future__ import annotations

import json
import math
import os
import platform
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from core import __version__, limits
from core.data import FASHION_MNIST, DatasetInfo
from core.datasets import check_info, info_dict
from core.models import LatentModel, ModelConfig, build_model, model_config
from core.runtime import without_denormals
from core.safe_io import UnsafeFileError, atomic_write, open_regular, read_exactly
from core.training import EpochRecord, Replay, TrainConfig

FORMAT = "latent-explorer"
FORMAT_VERSION = 1
METADATA_KEY = "latent_explorer"
SUFFIX = ".safetensors"
_MAX_HEADER = limits.CHECKPOINT_HEADER_BYTES  # our headers are a few kB; anything huge is not ours
_PICKLE_SUFFIXES = (".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".bin")
_DTYPE_SIZES = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "U8": 1}


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
    warnings: list[str] = field(default_factory=list)  # what was dropped while loading, and why

    @property
    def kind(self) -> str:
        return self.model.kind

    @property
    def replay(self) -> Replay | None:
        """The training replay saved with the model, if any."""
        codes = self.extra_tensors.get("replay_codes")
        indices = self.extra_tensors.get("replay_indices")
        if codes is None or indices is None or codes.dim() != 3 or indices.dim() != 1:
            return None  # not a replay this version understands: the model opens without it
        if codes.shape[1:] != (len(indices), self.model.latent_dim) or indices.dtype != torch.int64:
            return None
        if len(indices) and int(indices.min()) < 0:
            return None
        too_many = len(codes) > limits.REPLAY_FRAMES or codes.nbytes > limits.REPLAY_BYTES
        if too_many or not torch.isfinite(codes).all():
            return None  # NaN or infinite codes would end in the map's autorange
        return Replay(indices.numpy().astype(np.int64), [f.numpy() for f in codes])

    @property
    def dataset(self) -> DatasetInfo:
        """The dataset the model learnt (Fashion-MNIST for files that do not say)."""
        entry = self.metadata.get("dataset")
        try:
            return check_info(entry) if entry is not None else FASHION_MNIST
        except ValueError:  # load_checkpoint warned
            return FASHION_MNIST

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
    dataset: DatasetInfo | None = None,
) -> Path:
    """Write model + metadata atomically; returns the path written. A training replay (codes of
    fixed test images after each epoch) is stored as two more tensors; ``dataset`` (Fashion-MNIST
    when None) names what the model learnt and its class names."""
    extra_tensors = dict(extra_tensors or {})
    if replay is not None and replay.frames:
        extra_tensors["replay_codes"] = torch.from_numpy(np.stack(replay.frames).astype(np.float16))
        extra_tensors["replay_indices"] = torch.from_numpy(np.asarray(replay.indices, dtype=np.int64))
    path = _user_path(path)
    config = model_config(model)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": config.kind,
        "latent_dim": config.latent_dim,
        "beta": train_config.beta if train_config else None,
        "train_config": train_config.to_dict() if train_config else None,
        "history": [r.to_dict() for r in history or []],
        "dataset": info_dict(dataset or FASHION_MNIST),
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
    """Write an exclusive temporary file beside path, sync it, then rename it over path."""
    folder = path.parent
    if not folder.is_dir():
        raise CheckpointError(f"Cannot save {path}: the folder {folder} does not exist.")
    try:
        atomic_write(path, payload)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CheckpointError(
            f"Cannot save {path}: {reason}. Any existing file was left as it was."
        ) from None


def read_metadata(path: str | os.PathLike) -> dict:
    """The JSON document of a checkpoint, validated, without reading its weights."""
    document, _, _ = _read(_user_path(path), weights=False)
    return document


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Load and validate a checkpoint; raises CheckpointError on any problem."""
    path = _user_path(path)
    document, entries, data = _read(path, weights=True)
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
    decoder_in = entries["model.decoder.linear.weight"]["shape"]  # (3136, latent size)
    if len(decoder_in) == 2 and decoder_in[1] != config.latent_dim:
        raise CheckpointError(
            f"{name}: its metadata says latent size {config.latent_dim} but its weights are for "
            f"latent size {decoder_in[1]}."
        )
    for key, tensor in expected.items():
        entry = entries[key]
        if entry["dtype"] != "F32" or entry["shape"] != list(tensor.shape):
            raise CheckpointError(
                f"{name}: tensor {key} is {entry['dtype']} {entry['shape']}, expected F32 "
                f"{list(tensor.shape)} for {'an AE' if config.kind == 'ae' else 'a VAE'} with "
                f"latent size {config.latent_dim}."
            )
    try:
        tensors = load_tensors(data)
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{name} is damaged: {exc}.") from None
    state = {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    for key, value in state.items():
        if not torch.isfinite(value).all():
            raise CheckpointError(f"{name}: tensor {key} holds NaN or infinite values.")
    model.load_state_dict({key: without_denormals(value) for key, value in state.items()}, strict=True)
    model.eval()
    warnings = []
    try:
        train_config = _train_config(document.get("train_config"))
    except (TypeError, ValueError) as exc:
        train_config = None
        warnings.append(f"{name}: its training settings were ignored ({exc}).")
    try:
        history = _history(document.get("history") or [])
    except (TypeError, ValueError) as exc:
        history = []
        warnings.append(f"{name}: its training history was ignored ({exc}).")
    if document.get("dataset") is not None:
        try:
            check_info(document["dataset"])
        except ValueError as exc:
            warnings.append(f"{name}: its dataset was ignored ({exc}); its classes are shown as Fashion-MNIST's.")
    extra_tensors = {k.removeprefix("extra."): v for k, v in tensors.items() if k.startswith("extra.")}
    return Checkpoint(model, train_config, history, document, path, extra_tensors, warnings)


def _train_config(settings: object) -> TrainConfig | None:
    """The training settings of a file, within the widgets' ranges; ValueError otherwise."""
    if settings is None:
        return None
    if not isinstance(settings, dict):
        raise ValueError("they are not a JSON object")
    limits.check_train_settings(settings)
    return TrainConfig.from_dict(settings)


def _history(records: object) -> list[EpochRecord]:
    """Epoch records with the types the app draws and prints; ValueError for anything else."""
    if not isinstance(records, list):
        raise ValueError("the history is not a list")
    if len(records) > limits.HISTORY_EPOCHS:
        raise ValueError(f"{len(records):,} epochs, at most {limits.HISTORY_EPOCHS:,}")
    history = []
    for data in records:
        if not isinstance(data, dict):
            raise ValueError("an epoch of the history is not a JSON object")
        record = EpochRecord.from_dict(data)  # TypeError when a field is missing
        losses = [record.train_loss, record.seconds, record.eval_seconds]
        losses += [x for x in (record.train_bce, record.train_kl) if x is not None]
        test = record.test
        if (
            not limits.int_in(record.epoch, (1, limits.HISTORY_EPOCHS))
            or not isinstance(record.complete, bool)
            or not all(_is_metric(x) for x in losses)
            or not isinstance(test, dict)
            or not _is_metric(test.get("test_loss"))
            or not all(_is_metric(v) or _is_metric_list(v) for v in test.values())
        ):
            raise ValueError(
                f"epoch {str(record.epoch)[:20]} has a field of the wrong type, or a number "
                "that is not finite or beyond ±1e30"
            )
        history.append(record)
    return history


def _is_metric(value: object) -> bool:
    return limits.real_in(value, -limits.METRIC, limits.METRIC)


def _is_metric_list(value: object) -> bool:  # kl_per_dim: one value per latent dimension
    return isinstance(value, list) and len(value) <= limits.LATENT_DIM[1] and all(map(_is_metric, value))


def _user_path(path: str | os.PathLike) -> Path:
    try:
        return Path(path).expanduser()
    except RuntimeError:  # "~someone/..." with no such user
        raise CheckpointError(f"{path} does not exist: there is no such user.") from None


def _read(path: Path, *, weights: bool) -> tuple[dict, dict, bytes]:
    """Our document, the tensor entries and the file's bytes (only the header unless weights).

    The length and the header are read and checked first, so a file that is not ours is refused
    after a few bytes however big it is, and a pickle is never handed to anything that unpickles.
    """
    name = path.name
    if path.suffix.lower() in _PICKLE_SUFFIXES:
        raise CheckpointError(
            f"{name} looks like a PyTorch pickle file. Pickles can run code when opened, so "
            f"Latent Explorer only opens {SUFFIX} checkpoints it saved itself."
        )
    try:
        with open_regular(path, limits.CHECKPOINT_BYTES) as (file, size):
            prefix = file.read(8)
            header_len = _header_length(name, prefix, size)
            header = read_exactly(file, header_len)
            payload_len = size - 8 - header_len
            document, entries = _parse_header(name, header, payload_len)
            payload = read_exactly(file, payload_len) if weights else b""
    except FileNotFoundError:
        raise CheckpointError(f"{path} does not exist.") from None
    except UnsafeFileError as exc:
        if exc.reason == "folder":
            raise CheckpointError(f"{path} is a folder, not a checkpoint file.") from None
        if exc.reason == "too_large":
            raise CheckpointError(
                f"{name} is too large to be a Latent Explorer checkpoint ({exc.size:,} bytes; "
                f"at most {exc.limit:,})."
            ) from None
        raise CheckpointError(f"{path} is not a regular file.") from None
    except EOFError:
        raise CheckpointError(f"{name} changed while it was being read; try again.") from None
    except OSError as exc:
        raise CheckpointError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return document, entries, prefix + header + payload


def _header_length(name: str, prefix: bytes, size: int) -> int:
    """The safetensors header's length, from the first 8 bytes of a file of this size."""
    not_ours = f"{name} is not a Latent Explorer checkpoint"
    if size == 0:
        raise CheckpointError(f"{name} is empty.")
    if size < 8:
        raise CheckpointError(f"{not_ours}: only {size} bytes.")
    (header_len,) = struct.unpack("<Q", prefix)
    if header_len == 0 or header_len > _MAX_HEADER or 8 + header_len > size:
        if prefix[:2] == b"PK" or prefix[:1] == b"\x80":
            raise CheckpointError(
                f"{not_ours}: it looks like a PyTorch pickle file, which is never opened "
                "because opening a pickle can run code."
            )
        if 8 + header_len > size and header_len <= _MAX_HEADER:
            raise CheckpointError(f"{name} is truncated: its header is cut short.")
        raise CheckpointError(f"{not_ours} (it is not a safetensors file).")
    return header_len


def _json(text: str | bytes) -> object:
    """json.loads that refuses duplicate keys (readers could disagree on which one wins).

    Raises ValueError, or RecursionError for absurdly deep nesting."""

    def unique(pairs: list[tuple[str, object]]) -> dict:
        if len({key for key, _ in pairs}) != len(pairs):
            raise ValueError("duplicate key")
        return dict(pairs)

    return json.loads(text, object_pairs_hook=unique)


def _parse_header(name: str, raw: bytes, payload_len: int) -> tuple[dict, dict]:
    """Check a safetensors header by hand: (our document, tensor entries)."""
    not_ours = f"{name} is not a Latent Explorer checkpoint"
    try:
        header = _json(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
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
        document = _json(metadata[METADATA_KEY])
    except (TypeError, ValueError, RecursionError):
        raise CheckpointError(f"{name}: its metadata is not valid JSON.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(f"{not_ours}: unknown metadata format.")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
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
        dtype = entry.get("dtype")
        size = _DTYPE_SIZES.get(dtype) if isinstance(dtype, str) else None
        if size is None or offsets[1] - offsets[0] != size * math.prod(shape):
            raise CheckpointError(f"{name} is damaged (tensor {key} has the wrong size).")
    announced = max((entry["data_offsets"][1] for entry in header.values()), default=0)
    if announced != payload_len:  # checked before the weights are read: padding costs nothing
        raise CheckpointError(
            f"{name} is damaged: {payload_len - announced:,} bytes follow the weights its header announces."
        )
    return document, header
