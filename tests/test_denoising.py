"""Denoising training: noisy inputs (the lab's uniform noise), clean targets, for both kinds."""

from __future__ import annotations

import pytest
import torch

from core import explicit_step, training
from core.checkpoint import load_checkpoint
from core.cli import main
from core.data import to_float
from core.models import ModelConfig
from core.training import TrainConfig, Trainer, new_model


def _spy(monkeypatch):
    seen = []
    original = training.batch_loss

    def spy(model, x, beta, target=None):
        seen.append((x.detach().clone(), (x if target is None else target).detach().clone()))
        return original(model, x, beta, target)

    monkeypatch.setattr(training, "batch_loss", spy)
    explicit = explicit_step.loss_and_gradients  # fp32 on the CPU: the backward pass written out

    def explicit_spy(model, x, beta, target=None, *args):
        seen.append((x.detach().clone(), (x if target is None else target).detach().clone()))
        return explicit(model, x, beta, target, *args)

    monkeypatch.setattr(explicit_step, "loss_and_gradients", explicit_spy)
    # Whole batches through batch_loss (a CPU run otherwise computes each batch in two halves,
    # from the same x and target: core.sharded_step).
    monkeypatch.setattr(training, "shards_for", lambda *args: 1)
    return seen


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_the_trainer_sees_noisy_inputs_and_clean_targets(monkeypatch, tiny_data, kind):
    seen = _spy(monkeypatch)
    config = TrainConfig(epochs=1, batch_size=64, limit=128, device="cpu", replay_points=0, train_noise=0.5)
    Trainer(new_model(ModelConfig(kind, 3)), config, tiny_data).run()
    assert len(seen) == 2
    clean_images = {tuple(to_float(img[None])[0].flatten()[:50].tolist()) for img in tiny_data.train.images[:128]}
    for x, target in seen:
        # targets are clean training images …
        assert all(tuple(t.flatten()[:50].tolist()) in clean_images for t in target)
        # … inputs are those images with the lab's noise: (U − 0.5)·0.5 added, then clamped to [0, 1]
        assert not torch.equal(x, target)
        assert x.min() >= 0 and x.max() <= 1
        diff = x - target
        assert diff.abs().max() <= 0.25 + 1e-6
        assert diff.abs().mean() > 0.05  # noise on most pixels, not a few
        inside = (target > 0.25) & (target < 0.75)  # never clamped there: the full uniform spread
        assert diff[inside].min() < -0.2 and diff[inside].max() > 0.2
        assert abs(diff[inside].mean()) < 0.02


def test_without_noise_inputs_are_the_targets(monkeypatch, tiny_data):
    seen = _spy(monkeypatch)
    config = TrainConfig(epochs=1, batch_size=64, limit=64, device="cpu", replay_points=0)
    Trainer(new_model(ModelConfig("ae", 3)), config, tiny_data).run()
    assert all(torch.equal(x, t) for x, t in seen)


def test_noise_level_is_checked_and_kept_in_the_file(tmp_path, tiny_data_dir, capsys):
    with pytest.raises(ValueError, match="Training noise"):
        TrainConfig(train_noise=-0.1)
    out = tmp_path / "dae.safetensors"
    argv = ["--model", "ae", "--train-noise", "0.5", "--epochs", "1", "--limit", "64", "--latent-dim", "3"]
    code = main([*argv, "--data-dir", str(tiny_data_dir), "--device", "cpu", "--no-download", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert load_checkpoint(out).train_config.train_noise == 0.5
    code = main(["--model", "ae", "--train-noise", "5", "--out", str(tmp_path / "x.safetensors")])
    assert code != 0 and "Training noise" in capsys.readouterr().err
