import errno
import json
import os
import stat
import struct
import tracemalloc

import numpy as np
import pytest
import torch
from safetensors.torch import save as save_file_bytes
from safetensors.torch import save_file

from core import checkpoint as ckpt_mod
from core import limits
from core.checkpoint import CheckpointError, load_checkpoint, read_metadata, save_checkpoint
from core.models import ModelConfig
from core.training import EpochRecord, TrainConfig, Trainer, new_model
from tests.helpers import pickle_bomb_is_armed, write_pickle_bomb


@pytest.fixture(scope="module")
def trained(tiny_data):
    model = new_model(ModelConfig("vae", 6))
    config = TrainConfig(epochs=2, batch_size=64, beta=2.0, device="cpu")
    result = Trainer(model, config, tiny_data).run()
    return model, config, result.history


def test_round_trip_is_bit_exact(tmp_path, trained):
    model, config, history = trained
    path = save_checkpoint(tmp_path / "m.safetensors", model, config, history, extra={"note": "hi"})
    loaded = load_checkpoint(path)
    assert loaded.kind == "vae" and loaded.model.latent_dim == 6
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[key], value), key
    assert loaded.train_config == config
    assert loaded.history == history
    assert loaded.extra == {"note": "hi"}
    meta = read_metadata(path)
    assert meta["beta"] == 2.0 and meta["format_version"] == 1
    assert meta["versions"]["torch"] == torch.__version__ and meta["created"]
    assert meta["history"][-1]["test"]["test_kl"] == history[-1].test["test_kl"]
    assert not loaded.model.training
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_extra_tensors_round_trip(tmp_path, trained):
    model, config, history = trained
    codes = torch.randn(3, 20, 6)
    path = save_checkpoint(
        tmp_path / "r.safetensors", model, config, history, extra_tensors={"replay": codes}
    )
    assert torch.equal(load_checkpoint(path).extra_tensors["replay"], codes)


@pytest.mark.parametrize("with_torch", [True, False], ids=["torch.save", "pickle"])
@pytest.mark.parametrize("name", ["evil.pt", "evil.pth", "evil.ckpt", "renamed.safetensors"])
def test_pickles_are_refused_without_unpickling(tmp_path, name, with_torch):
    marker = tmp_path / "pwned"
    path = write_pickle_bomb(tmp_path / name, marker, with_torch=with_torch)
    assert pickle_bomb_is_armed(path, marker)  # unpickling it really would create the marker
    with pytest.raises(CheckpointError, match="pickle"):
        load_checkpoint(path)
    with pytest.raises(CheckpointError, match="pickle"):
        read_metadata(path)
    assert not marker.exists()


def test_every_refusal_names_the_file_and_the_problem(bad_checkpoint_files):
    folder, expected, marker = bad_checkpoint_files
    for name, problem in expected.items():
        with pytest.raises(CheckpointError) as info:
            load_checkpoint(folder / name)
        message = str(info.value)
        assert message.startswith(name) and problem in message, message
        assert "\n" not in message and len(message) < 300
    assert not marker.exists()


def test_truncated_files_are_refused(tmp_path, trained):
    model, config, history = trained
    path = save_checkpoint(tmp_path / "m.safetensors", model, config, history)
    data = path.read_bytes()
    for cut in (0, 5, 8, 100, len(data) // 2, len(data) - 1):
        bad = tmp_path / f"cut{cut}.safetensors"
        bad.write_bytes(data[:cut])
        with pytest.raises(CheckpointError) as info:
            load_checkpoint(bad)
        assert bad.name in str(info.value)


def test_foreign_safetensors_is_refused(tmp_path):
    path = tmp_path / "other.safetensors"
    save_file({"weight": torch.zeros(3)}, path)
    with pytest.raises(CheckpointError, match="without Latent Explorer's metadata"):
        load_checkpoint(path)


def test_another_models_tensors_are_refused(tmp_path, trained):
    model, config, history = trained
    path = save_checkpoint(tmp_path / "m.safetensors", model, config, history)
    meta = read_metadata(path)
    meta["kind"] = "ae"  # VAE tensors claimed as an AE
    _rewrite(path, meta)
    with pytest.raises(CheckpointError, match="does not hold the weights of a Latent Explorer AE"):
        load_checkpoint(path)


def test_wrong_latent_size_is_refused(tmp_path, trained):
    model, config, history = trained
    path = save_checkpoint(tmp_path / "m.safetensors", model, config, history)
    meta = read_metadata(path)
    meta["latent_dim"] = 12
    _rewrite(path, meta)
    with pytest.raises(CheckpointError, match="latent size 12"):
        load_checkpoint(path)


def test_newer_format_is_refused(tmp_path, trained):
    model, config, history = trained
    path = save_checkpoint(tmp_path / "m.safetensors", model, config, history)
    meta = read_metadata(path)
    meta["format_version"] = 99
    _rewrite(path, meta)
    with pytest.raises(CheckpointError, match="newer Latent Explorer"):
        load_checkpoint(path)


def test_nan_weights_are_refused(tmp_path):
    model = new_model(ModelConfig("ae", 4))
    with torch.no_grad():
        model.linear_z.bias[0] = float("nan")
    path = save_checkpoint(tmp_path / "nan.safetensors", model)
    with pytest.raises(CheckpointError, match="NaN"):
        load_checkpoint(path)


def test_denormal_weights_load_as_zero_and_the_rest_as_saved(tmp_path):
    """Weights below 1.2e-38 (older checkpoints, the bundled AE) send every product with them
    down the CPU's slow path: they load as 0, every other number as it was saved."""
    model = new_model(ModelConfig("ae", 4))
    with torch.no_grad():
        model.decoder.linear.weight[:3, 0] = torch.tensor([1e-40, -3e-39, 1.2e-38])
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    assert (saved["decoder.linear.weight"][:2, 0] != 0).all()  # denormals survive the save
    loaded = load_checkpoint(save_checkpoint(tmp_path / "tiny.safetensors", model)).model.state_dict()
    weight = loaded["decoder.linear.weight"]
    assert weight[0, 0] == 0 and weight[1, 0] == 0 and weight[2, 0] == saved["decoder.linear.weight"][2, 0]
    rest = torch.ones_like(weight, dtype=torch.bool)
    rest[:2, 0] = False
    assert torch.equal(weight[rest], saved["decoder.linear.weight"][rest])
    for key, value in saved.items():
        if key != "decoder.linear.weight":
            assert torch.equal(loaded[key], value), key


def test_missing_and_folder_paths(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.safetensors")
    with pytest.raises(CheckpointError, match="folder"):
        load_checkpoint(tmp_path)


def test_failed_save_leaves_existing_file_intact(tmp_path, trained, monkeypatch):
    model, config, history = trained
    path = save_checkpoint(tmp_path / "m.safetensors", model, config, history)
    before = path.read_bytes()

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ckpt_mod.os, "replace", disk_full)
    other = new_model(ModelConfig("ae", 3))
    with pytest.raises(CheckpointError, match="No space left on device.*left as it was"):
        save_checkpoint(path, other)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]


def test_save_into_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        save_checkpoint(tmp_path / "no" / "m.safetensors", new_model(ModelConfig("ae", 3)))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_save_into_read_only_folder(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(CheckpointError, match="Cannot save"):
            save_checkpoint(tmp_path / "m.safetensors", new_model(ModelConfig("ae", 3)))
    finally:
        tmp_path.chmod(0o700)


def _rewrite(path, meta):
    """Rewrite a checkpoint's metadata document in place, keeping its tensors."""
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header["__metadata__"]["latent_explorer"] = json.dumps(meta)
    new = json.dumps(header).encode()
    new += b" " * (-len(new) % 8)
    path.write_bytes(struct.pack("<Q", len(new)) + new + data[8 + n :])


def test_training_replay_round_trips(tmp_path, tiny_data):
    model = new_model(ModelConfig("vae", 3))
    trainer = Trainer(model, TrainConfig(epochs=2, batch_size=64, device="cpu", replay_points=50), tiny_data)
    result = trainer.run()
    replay = trainer.replay
    assert len(replay.frames) == 3  # before training, then after each epoch
    assert replay.frames[0].shape == (50, 3) and replay.frames[0].dtype == np.float16
    path = save_checkpoint(tmp_path / "r.safetensors", model, trainer.config, result.history, replay=replay)
    loaded = load_checkpoint(path).replay
    assert np.array_equal(loaded.indices, replay.indices)
    assert all(np.array_equal(a, b) for a, b in zip(loaded.frames, replay.frames, strict=True))
    # Continuing the training appends frames to the same replay.
    more = Trainer(
        model,
        TrainConfig(epochs=1, batch_size=64, device="cpu", replay_points=50),
        tiny_data,
        history=result.history,
        replay=loaded,
    )
    more.run()
    assert len(more.replay.frames) == 4


# --- hostile and odd files ---------------------------------------------------------------


@pytest.fixture
def small(tmp_path):
    """A freshly saved, untrained AE with latent size 2 and one epoch of history."""
    model = new_model(ModelConfig("ae", 2))
    record = EpochRecord(1, 0.05, {"test_loss": 0.04, "test_mse": 0.04}, 1.0, 0.1)
    return save_checkpoint(tmp_path / "small.safetensors", model, TrainConfig(), [record])


def _with_header(path, header: bytes):
    """Replace a checkpoint's header by these bytes (padded), keeping its tensor data."""
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header += b" " * (-len(header) % 8)
    path.write_bytes(struct.pack("<Q", len(header)) + header + data[8 + n :])
    return path


def _header(path) -> dict:
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n])


@pytest.mark.timeout(20)
def test_pipes_and_devices_are_not_read(tmp_path):
    fifo = tmp_path / "pipe.safetensors"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with pytest.raises(CheckpointError, match="pipe.safetensors is not a regular file"):
        load_checkpoint(fifo)
    with pytest.raises(CheckpointError, match="not a regular file"):
        load_checkpoint("/dev/zero")  # reading it would never end


def test_a_huge_foreign_file_is_refused_after_reading_its_header(tmp_path):
    """Opening a multi-gigabyte model of another program must not read it all into memory."""
    path = tmp_path / "llm.safetensors"
    path.write_bytes(save_file_bytes({"w": torch.zeros(2)}))
    with path.open("r+b") as f:
        f.truncate(256 * 2**20)  # sparse: costs no disk
    # Its header is valid safetensors, announcing 8 bytes: the rest is trailing data.
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match="without Latent Explorer's metadata"):
            load_checkpoint(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


@pytest.mark.parametrize(
    "header, problem",
    [
        (b'{"a": ' + b"1" * 5000 + b"}", "not valid JSON"),  # int() refuses over 4300 digits
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),  # RecursionError in the parser
        (b"\xff\xfe{}", "not valid JSON"),
        (b'{"__metadata__": {"latent_explorer": "{}"}, "__metadata__": {}}', "not valid JSON"),
        (b"[]", "unexpected header"),
        (b'{"__metadata__": {"latent_explorer": 5}}', "metadata is not valid JSON"),
        (b'{"__metadata__": {"latent_explorer": "[[[[' + b"[" * 100_000 + b'"}}', "metadata is not valid"),
    ],
    ids=["huge-int", "deep", "not-utf8", "duplicate-key", "list", "metadata-int", "metadata-deep"],
)
def test_malformed_headers(small, header, problem):
    with pytest.raises(CheckpointError, match=problem):
        load_checkpoint(_with_header(small, header))


def _edit(path, edit) -> None:
    """Apply edit(header, document) to a checkpoint's parsed header and metadata document."""
    header = _header(path)
    document = json.loads(header["__metadata__"]["latent_explorer"])
    edit(header, document)
    header["__metadata__"]["latent_explorer"] = json.dumps(document)
    _with_header(path, json.dumps(header).encode())


@pytest.mark.parametrize(
    "edit, problem",
    [
        (lambda h, d: h["model.linear_z.bias"].update(dtype=["F32"]), "wrong size"),
        (lambda h, d: h["model.linear_z.bias"].update(shape=[2, -1]), "invalid shape"),
        (lambda h, d: h["model.linear_z.bias"].update(data_offsets=[0, 10**30]), "outside the file"),
        (lambda h, d: d.update(format_version=True), "invalid format version"),
        (lambda h, d: d.update(latent_dim="2"), "Latent size must be an integer"),
        (lambda h, d: d.update(kind=["ae"]), "Unknown model kind"),
    ],
)
def test_malformed_metadata(small, edit, problem):
    _edit(small, edit)
    with pytest.raises(CheckpointError, match=problem) as info:
        load_checkpoint(small)
    assert "small.safetensors" in str(info.value)


@pytest.mark.parametrize(
    "edit, dropped",
    [
        (lambda d: d.update(train_config=[1]), "settings"),
        (lambda d: d["train_config"].update(seed=2**31), "settings"),  # the seed spin's max
        (lambda d: d["train_config"].update(limit=10**400), "settings"),
        (lambda d: d["train_config"].update(epochs=10_001), "settings"),
        (lambda d: d.update(history=[1]), "history"),
        (lambda d: d.update(history="abc"), "history"),
        (lambda d: d["history"][0].update(train_loss="low"), "history"),
        (lambda d: d["history"][0].update(test=[]), "history"),
        (lambda d: d["history"][0].update(epoch=None), "history"),
        (lambda d: d["history"][0]["test"].pop("test_loss"), "history"),
        (lambda d: d["history"][0].update(train_loss=10**400), "history"),  # float() would overflow
        (lambda d: d["history"][0].update(epoch=10**400), "history"),
        (lambda d: d["history"][0]["test"].update(test_mse=1e300), "history"),
        (lambda d: d["history"][0]["test"].update(kl_per_dim=[0.1] * 100_000), "history"),
        (lambda d: d.update(history=d["history"] * 10_001), "history"),  # the epochs spin's max
    ],
)
def test_values_outside_the_widgets_ranges_are_dropped_with_a_warning(small, edit, dropped):
    """Checked on the way in as on the way out: the model opens, the bad part is dropped and said."""
    _edit(small, lambda h, d: edit(d))
    loaded = load_checkpoint(small)
    assert len(loaded.warnings) == 1
    assert loaded.warnings[0].startswith(f"small.safetensors: its training {dropped}")
    if dropped == "history":
        assert loaded.history == [] and loaded.train_config == TrainConfig()
    else:
        assert loaded.train_config is None and len(loaded.history) == 1
    assert load_checkpoint(small).model.latent_dim == 2


def test_non_finite_numbers_in_a_history_never_reach_a_later_save(small):
    """NaN (written as the bare token JSON readers accept) was kept, and every save refused it."""
    header = _header(small)
    text = header["__metadata__"]["latent_explorer"].replace('"train_loss": 0.05', '"train_loss": NaN')
    assert "NaN" in text
    header["__metadata__"]["latent_explorer"] = text
    _with_header(small, json.dumps(header).encode())
    loaded = load_checkpoint(small)
    assert loaded.history == [] and "history was ignored" in loaded.warnings[0]
    save_checkpoint(small, loaded.model, loaded.train_config, loaded.history)  # does not raise


def test_padding_after_the_weights_is_refused_before_they_are_read(small, monkeypatch):
    """The announced tensors end before the file does: refused without reading the rest."""
    with small.open("r+b") as f:
        f.truncate(small.stat().st_size + 100 * 2**20)  # sparse
    reads = []
    real = ckpt_mod.read_exactly
    monkeypatch.setattr(ckpt_mod, "read_exactly", lambda f, n: reads.append(n) or real(f, n))
    with pytest.raises(CheckpointError, match=r"small.safetensors is damaged: 104,857,600 bytes follow"):
        load_checkpoint(small)
    assert max(reads) < 2**20  # the header only


def test_files_over_the_size_cap_are_refused_unread(small):
    with small.open("r+b") as f:
        f.truncate(limits.CHECKPOINT_BYTES + 1)  # sparse
    with pytest.raises(CheckpointError, match=r"small.safetensors is too large .* at most 536,870,912"):
        load_checkpoint(small)


def test_a_replay_with_non_finite_codes_is_dropped(tmp_path):
    model = new_model(ModelConfig("ae", 2))
    codes = torch.zeros(3, 2, 2, dtype=torch.float16)
    codes[1, 0, 0] = float("inf")
    path = save_checkpoint(
        tmp_path / "r.safetensors",
        model,
        extra_tensors={"replay_codes": codes, "replay_indices": torch.tensor([0, 1])},
    )
    assert load_checkpoint(path).replay is None


def test_a_replay_that_does_not_fit_is_dropped_not_fatal(tmp_path):
    model = new_model(ModelConfig("ae", 2))
    for indices in (torch.tensor([0, -5]), torch.tensor([0.0, 1.0]), torch.tensor([[0, 1]])):
        path = save_checkpoint(
            tmp_path / "r.safetensors",
            model,
            extra_tensors={
                "replay_codes": torch.zeros(3, 2, 2, dtype=torch.float16),
                "replay_indices": indices,
            },
        )
        loaded = load_checkpoint(path)
        assert loaded.replay is None and loaded.model.latent_dim == 2


def test_unknown_user_folder(tmp_path):
    with pytest.raises(CheckpointError, match="no such user"):
        load_checkpoint("~no-such-user-here/m.safetensors")
    with pytest.raises(CheckpointError, match="no such user"):
        save_checkpoint("~no-such-user-here/m.safetensors", new_model(ModelConfig("ae", 2)))


# --- saving -----------------------------------------------------------------------------


class _FailingFile:
    """A file object that writes the first half of what it is given, then reports a full disk."""

    def __init__(self, file) -> None:
        self.file = file
        self.written = 0

    def write(self, data) -> int:
        self.written = self.file.write(bytes(data[: len(data) // 2]))
        self.file.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()


@pytest.mark.parametrize("stage", ["write", "fsync"])
def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(small, monkeypatch, stage):
    before = small.read_bytes()
    opened: list[_FailingFile] = []
    if stage == "write":
        real_fdopen = os.fdopen

        def fdopen(fd, *args, **kwargs):
            opened.append(_FailingFile(real_fdopen(fd, *args, **kwargs)))
            return opened[-1]

        monkeypatch.setattr(ckpt_mod.os, "fdopen", fdopen)
    else:

        def fsync(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(ckpt_mod.os, "fsync", fsync)
    with pytest.raises(CheckpointError) as info:
        save_checkpoint(small, new_model(ModelConfig("vae", 5)))
    monkeypatch.undo()
    assert str(info.value) == (
        f"Cannot save {small}: No space left on device. Any existing file was left as it was."
    )
    if stage == "write":
        assert opened and opened[0].written > 0  # the failure came after partial output
    assert small.read_bytes() == before
    assert [p.name for p in small.parent.iterdir()] == [small.name]
    assert load_checkpoint(small).model.latent_dim == 2


def test_an_unwritable_folder_is_a_clear_error(small, monkeypatch):
    """Simulated, since tests may run as root (see test_save_into_read_only_folder)."""
    before = small.read_bytes()
    real_open = os.open

    def deny(path, flags, *args):
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(ckpt_mod.os, "open", deny)
    with pytest.raises(CheckpointError, match="Cannot save .*small.safetensors: Permission denied"):
        save_checkpoint(small, new_model(ModelConfig("ae", 3)))
    monkeypatch.undo()
    assert small.read_bytes() == before
    with pytest.raises(CheckpointError, match="Is a directory"):
        save_checkpoint(small.parent, new_model(ModelConfig("ae", 3)))


def test_saved_files_get_ordinary_permissions(tmp_path):
    """Not tempfile's private 0o600: the umask decides, and a replaced file keeps its mode."""
    old_umask = os.umask(0o022)
    try:
        path = save_checkpoint(tmp_path / "m.safetensors", new_model(ModelConfig("ae", 2)))
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o640)
        save_checkpoint(path, new_model(ModelConfig("ae", 2)))
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(old_umask)


def test_a_folder_that_cannot_be_synced_does_not_fail_a_save(tmp_path, monkeypatch):
    real_fsync = os.fsync

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(ckpt_mod.os, "fsync", fsync)
    path = save_checkpoint(tmp_path / "m.safetensors", new_model(ModelConfig("ae", 2)))
    monkeypatch.undo()
    assert load_checkpoint(path).model.latent_dim == 2
