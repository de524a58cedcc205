import json
import os
import struct

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from core import checkpoint as ckpt_mod
from core.checkpoint import CheckpointError, load_checkpoint, read_metadata, save_checkpoint
from core.models import ModelConfig
from core.training import TrainConfig, Trainer, new_model


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


def _write_pickle_bomb(path, marker):
    class Bomb:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    torch.save({"x": Bomb()}, path)


@pytest.mark.parametrize("name", ["evil.pt", "evil.pth", "evil.ckpt", "renamed.safetensors"])
def test_pickles_are_refused_without_unpickling(tmp_path, name):
    marker = tmp_path / "pwned"
    path = tmp_path / name
    _write_pickle_bomb(path, marker)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="pickle"):
        load_checkpoint(path)
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
