"""Fuzzing the readers of user files: whatever the bytes, the IDX reader raises only
DataError and the checkpoint loader only CheckpointError, and what they do return is whole;
a scene or a settings file, however damaged, never raises in the window that reads it.

Random bytes, and valid files mutated (bit flips, truncations, insertions, deletions, header
fields set to any value, JSON values replaced anywhere in a checkpoint's header). Derandomized
and without an example database, so every run, here and in CI, tries the same inputs.
"""

from __future__ import annotations

import gzip
import json
import struct
import tempfile
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import limits
from core.checkpoint import CheckpointError, load_checkpoint, read_metadata, save_checkpoint
from core.data import CLASS_NAMES, DataError, Dataset, load_fashion_mnist, read_idx
from core.models import ModelConfig
from core.training import EpochRecord, TrainConfig, new_model
from tests.helpers import synthetic_split, write_dataset

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutations(draw, original: bytes, header_size: int) -> bytes:
    """original with one to four random edits, half of them aimed at its first header_size bytes."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        end = min(header_size, len(data)) if draw(st.booleans()) else len(data)
        at = draw(st.integers(0, max(end - 1, 0)))
        edit = draw(st.sampled_from(["flip", "byte", "truncate", "insert", "delete", "u32", "u64"]))
        if edit == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "byte" and data:
            data[at] = draw(st.integers(0, 255))
        elif edit == "truncate":
            del data[at:]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif edit == "u32":  # an IDX size field
            data[at : at + 4] = struct.pack(">I", draw(st.sampled_from([0, 1, 27, 28, 29, 2**31, 2**32 - 1])))
        elif edit == "u64":  # a safetensors header length
            data[at : at + 8] = struct.pack("<Q", draw(st.integers(0, 2**64 - 1)))
    return bytes(data)


# --- IDX ------------------------------------------------------------------------------------


def _idx_bytes(tensor: torch.Tensor) -> bytes:
    header = struct.pack(">HBB", 0, 8, tensor.dim()) + struct.pack(f">{tensor.dim()}I", *tensor.shape)
    return header + tensor.contiguous().numpy().tobytes()


_split = synthetic_split(6, 3)
IDX_IMAGES = _idx_bytes(_split.images)
IDX_LABELS = _idx_bytes(_split.labels.to(torch.uint8))


def _read_or_data_error(path, payload: bytes, idx: bytes | None = None, **kwargs) -> None:
    """Read payload from path: a DataError naming the file, or every byte of the IDX data idx."""
    path.write_bytes(payload)
    try:
        tensor = read_idx(path, **kwargs)
    except DataError as exc:
        assert path.name in str(exc)
        return
    assert tensor.dtype == torch.uint8 and 1 <= tensor.dim() <= 4
    if "expected_ndim" in kwargs:
        assert tensor.dim() == kwargs["expected_ndim"]
    if idx is not None:
        assert idx[4 + 4 * tensor.dim() :] == tensor.numpy().tobytes()


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(payload=st.binary(max_size=4096))
def test_idx_random_bytes(fuzz_dir, payload):
    _read_or_data_error(fuzz_dir / "random-idx3-ubyte", payload)
    _read_or_data_error(fuzz_dir / "random-idx3-ubyte.gz", b"\x1f\x8b" + payload)


@FUZZ
@given(
    payload=st.one_of(mutations(IDX_IMAGES, 16), mutations(IDX_LABELS, 8)),
    ndim=st.sampled_from([None, 1, 3]),
)
def test_idx_mutations_raw_and_gzipped(fuzz_dir, payload, ndim):
    kwargs = {} if ndim is None else {"expected_ndim": ndim}
    _read_or_data_error(fuzz_dir / "m-idx3-ubyte", payload, payload, **kwargs)
    _read_or_data_error(
        fuzz_dir / "m-idx3-ubyte.gz", gzip.compress(payload, compresslevel=1), payload, **kwargs
    )


GZ_IMAGES = gzip.compress(IDX_IMAGES, compresslevel=6)


@FUZZ
@given(payload=mutations(GZ_IMAGES, 40))
def test_idx_mutations_of_the_gzip_stream(fuzz_dir, payload):
    _read_or_data_error(fuzz_dir / "g-idx3-ubyte.gz", payload, expected_ndim=3)


SMALL_DATASET = Dataset(synthetic_split(20, 0), synthetic_split(10, 1), "fuzz")


@FUZZ
@given(
    which=st.sampled_from(["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"]),
    edit=st.data(),
)
def test_a_dataset_loads_whole_or_not_at_all(fuzz_dir, which, edit):
    folder = write_dataset(fuzz_dir / "dataset", SMALL_DATASET)
    original = (folder / which).read_bytes()
    (folder / which).write_bytes(edit.draw(mutations(original, 16)))
    try:
        loaded = load_fashion_mnist(folder)
    except DataError:
        return
    for split in (loaded.train, loaded.test):
        assert split.images.shape[1:] == (28, 28) and len(split.images) == len(split.labels) > 0
        assert int(split.labels.max()) < len(CLASS_NAMES)


# --- checkpoints ----------------------------------------------------------------------------


def _checkpoint_bytes() -> bytes:
    record = EpochRecord(1, 0.05, {"test_loss": 0.04, "test_mse": 0.04}, 1.5, 0.2)
    with tempfile.TemporaryDirectory() as folder:
        path = save_checkpoint(
            Path(folder) / "m.safetensors",
            new_model(ModelConfig("ae", 2)),
            TrainConfig(epochs=1),
            [record],
            extra_tensors={
                "replay_codes": torch.zeros(2, 3, 2, dtype=torch.float16),
                "replay_indices": torch.arange(3),
            },
        )
        return path.read_bytes()


CHECKPOINT = _checkpoint_bytes()
HEADER_END = 8 + struct.unpack("<Q", CHECKPOINT[:8])[0]


def _load_or_checkpoint_error(path, payload: bytes) -> None:
    path.write_bytes(payload)
    try:
        document = read_metadata(path)
    except CheckpointError as exc:
        assert path.name in str(exc)
        document = None
    try:
        loaded = load_checkpoint(path)
    except CheckpointError as exc:
        assert path.name in str(exc)
        return
    # What loads is whole and says what it is.
    assert document is not None
    assert loaded.kind == document["kind"] and loaded.model.latent_dim == document["latent_dim"]
    for value in loaded.model.state_dict().values():
        assert torch.isfinite(value).all()
    for record in loaded.history:  # the loss plot and the training table can show it
        assert isinstance(record.epoch, int) and isinstance(record.test["test_loss"], int | float)
        assert f"{record.train_loss:.4g} {record.seconds:.1f} {record.epoch}"
    replay = loaded.replay
    if replay is not None:
        assert all(frame.shape == (len(replay.indices), loaded.model.latent_dim) for frame in replay.frames)
        assert (replay.indices >= 0).all()
    # Values were checked on the way in as they are on the way out: what loaded saves again
    # (a NaN kept in a history made every later save fail).
    if loaded.train_config is not None:
        limits.check_train_settings(loaded.train_config.to_dict())
    save_checkpoint(path.with_name("resaved.safetensors"), loaded.model, loaded.train_config, loaded.history)


@FUZZ
@given(
    payload=st.one_of(st.binary(max_size=2048), st.binary(max_size=2048).map(lambda b: CHECKPOINT[:8] + b))
)
def test_checkpoint_random_bytes(fuzz_dir, payload):
    _load_or_checkpoint_error(fuzz_dir / "random.safetensors", payload)


@FUZZ
@given(payload=mutations(CHECKPOINT, HEADER_END))
def test_checkpoint_byte_mutations(fuzz_dir, payload):
    _load_or_checkpoint_error(fuzz_dir / "mutated.safetensors", payload)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["F32", "I64", "F16", "ae", "vae", "latent-explorer", "model.linear_z.bias"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)


def _paths(value, prefix=()):
    """Every place in a JSON value: tuples of keys and indices."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@FUZZ
@given(edit=st.data())
def test_checkpoint_json_edits(fuzz_dir, edit):
    """Replace or delete any value in the header or in the metadata document."""
    header = json.loads(CHECKPOINT[8:HEADER_END])
    document = json.loads(header["__metadata__"]["latent_explorer"])
    target = edit.draw(st.sampled_from(["header", "document"]))
    tree = {"root": header if target == "header" else document}
    for _ in range(edit.draw(st.integers(1, 3))):
        path = edit.draw(st.sampled_from(list(_paths(tree["root"], ("root",)))[1:] or [("root",)]))
        parent = tree
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and path[-1] != "root" and edit.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = edit.draw(JSON_VALUES)
    if target == "header":
        header = tree["root"]
    else:
        header["__metadata__"]["latent_explorer"] = json.dumps(tree["root"])
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    payload = struct.pack("<Q", len(raw)) + raw + CHECKPOINT[HEADER_END:]
    _load_or_checkpoint_error(fuzz_dir / "edited.safetensors", payload)


# --- scenes ---------------------------------------------------------------------------------------

SCENE_VALUES = st.one_of(
    JSON_VALUES,
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.integers(-(2**80), 2**80),
    st.lists(st.floats(), min_size=1, max_size=8),
    st.sampled_from(["tsne", "pca", "linear", "spherical", "latent", "generation", "compare", "ae", "vae"]),
)


@pytest.fixture
def scene_window(models_window, tmp_path):
    """A window with two models and a scene of its view, written beside them."""
    from explorer.state.scene import save_scene

    scene, _ = models_window.scene(tmp_path)
    save_scene(tmp_path / "base.scene.json", scene)
    return models_window, json.loads((tmp_path / "base.scene.json").read_text()), tmp_path


def _apply(window, path) -> None:
    """Open a scene; the explorer's state must stay finite and within the sliders."""
    import numpy as np

    window.open_scene(path)
    panel = window.latent_panel
    if panel.entry is not None and len(panel.state.z):
        assert np.isfinite(panel.state.z).all() and np.abs(panel.state.z).max() <= limits.LATENT_CODE


SCENE_FUZZ = settings(FUZZ, max_examples=60, suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.function_scoped_fixture])


@SCENE_FUZZ
@given(edit=st.data())
def test_scene_json_edits(scene_window, edit):
    """Replace or delete any value of a real scene: the window opens it or says why, never raises."""
    window, base, folder = scene_window
    tree = {"root": json.loads(json.dumps(base))}
    for _ in range(edit.draw(st.integers(1, 4))):
        path = edit.draw(st.sampled_from(list(_paths(tree["root"], ("root",)))[1:]))
        parent = tree
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and edit.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = edit.draw(SCENE_VALUES)
    scene_path = folder / "edited.scene.json"
    scene_path.write_text(json.dumps(tree["root"]))  # NaN and Infinity as Python writes them
    _apply(window, scene_path)


@SCENE_FUZZ
@given(data=st.data())
def test_scene_byte_mutations(scene_window, data):
    window, base, folder = scene_window
    original = json.dumps(base).encode()
    scene_path = folder / "mutated.scene.json"
    scene_path.write_bytes(data.draw(mutations(original, len(original))))
    _apply(window, scene_path)


# --- settings -------------------------------------------------------------------------------------


def _ini_line(key: str, value: str) -> str:
    return f"{key.split('/')[1]}={value}"


INI_VALUES = st.one_of(
    st.text(max_size=30).filter(lambda t: "\n" not in t and "\r" not in t),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["@ByteArray(garbage)", "@ByteArray()", "@Variant(\\0\\0\\0\\x7f)", "true", "vae", "[[[["]),
    st.builds(lambda d: json.dumps(d), st.dictionaries(st.sampled_from(list(TrainConfig().to_dict())), JSON_VALUES, max_size=4)),
)


@st.composite
def ini_files(draw) -> bytes:
    from explorer.platform.settings import VALIDATORS

    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2048))
    sections: dict[str, list[str]] = {}
    for key in draw(st.lists(st.sampled_from(sorted(VALIDATORS)), max_size=8)):
        sections.setdefault(key.split("/")[0], []).append(_ini_line(key, draw(INI_VALUES)))
    text = "".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in sections.items())
    return text.encode("utf-8")


@pytest.mark.qt_log_ignore("QVariant::load")  # Qt's own words about an @Variant it cannot read
@settings(FUZZ, max_examples=100, suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.function_scoped_fixture])
@given(ini=ini_files())
def test_settings_files(models_window, ini):
    """Whatever settings.ini holds, every reader of it at start-up works (or keeps defaults)."""
    import os

    from PySide6.QtCore import QSettings

    from explorer.platform import i18n
    from explorer.platform import settings as settings_mod

    path = Path(os.environ["LATENT_EXPLORER_HOME"]) / "settings.ini"
    path.write_bytes(ini)
    settings_mod._checked.clear()
    QSettings(str(path), QSettings.Format.IniFormat).sync()  # Qt re-reads a file it has cached
    window = models_window
    window.training_panel._load_settings()
    window._restore_geometry()
    assert all(isinstance(p, str) for p in window._recent())
    window.reopen_last_models()
    assert i18n.saved_language() in (None, *i18n.LANGUAGES)
    settings_mod.app_settings().value("view/presentation", False, type=bool)
    assert limits.int_in(window.training_panel.latent_spin.value(), limits.LATENT_DIM)
