import threading
import time

import pytest
import torch

from core.data import to_float
from core.models import ModelConfig
from core.training import (
    BatchEnd,
    EpochEnd,
    Paused,
    Started,
    TrainConfig,
    Trainer,
    TrainingDiverged,
    encode_split,
    evaluate,
    new_model,
    resolve_precision,
)

FAST = dict(batch_size=64, device="cpu")


def test_config_defaults_are_the_labs_and_round_trip():
    c = TrainConfig()
    assert (c.epochs, c.batch_size, c.learning_rate, c.weight_decay, c.beta) == (10, 128, 1e-3, 1e-5, 1.0)
    other = TrainConfig(epochs=3, beta=4.0, limit=100, precision="fp32")
    import json

    assert TrainConfig.from_dict(json.loads(json.dumps(other.to_dict()))) == other


@pytest.mark.parametrize(
    "field, value",
    [
        ("epochs", 0),
        ("batch_size", -1),
        ("learning_rate", 0.0),
        ("learning_rate", float("nan")),
        ("beta", -1.0),
        ("device", "tpu"),
        ("precision", "fp8"),
        ("limit", 0),
        ("epochs", True),
    ],
)
def test_config_refuses_bad_values(field, value):
    with pytest.raises(ValueError):
        TrainConfig(**{field: value})


def test_config_refuses_unknown_keys():
    with pytest.raises(ValueError, match="Unknown training settings: lr"):
        TrainConfig.from_dict({"lr": 0.1})


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_short_run_lowers_the_loss_and_reports_progress(kind, tiny_data):
    model = new_model(ModelConfig(kind, 4))
    before = evaluate(model, tiny_data.test)["test_loss"]
    events = []
    result = Trainer(model, TrainConfig(epochs=3, **FAST), tiny_data, events.append).run()
    batches = [e for e in events if isinstance(e, BatchEnd)]
    epochs = [e.record for e in events if isinstance(e, EpochEnd)]
    assert len(batches) == 3 * 6 and batches[-1].run_step == batches[-1].run_steps == 18
    assert [r.epoch for r in epochs] == [1, 2, 3]
    assert epochs[-1].test["test_loss"] < before
    assert epochs[-1].train_loss < epochs[0].train_loss
    assert not result.stopped and len(result.history) == 3
    if kind == "vae":
        t = epochs[-1].test
        assert t["test_loss"] == pytest.approx(t["test_bce"] + t["test_kl"])
        assert len(t["kl_per_dim"]) == 4 and sum(t["kl_per_dim"]) == pytest.approx(t["test_kl"], rel=1e-4)
        assert epochs[-1].train_bce > 0 and epochs[-1].train_kl >= 0
    assert 0 < epochs[-1].test["test_mse"] < 1


def test_evaluate_ae_by_hand(tiny_data):
    model = new_model(ModelConfig("ae", 3))
    x = to_float(tiny_data.test.images)
    with torch.no_grad():
        expected = torch.mean((model(x)[0] - x) ** 2).item()
    assert evaluate(model, tiny_data.test, batch_size=50)["test_mse"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("precision", ["fp32", "auto"])
def test_same_seed_same_result(tiny_data, precision):
    def run():
        model = new_model(ModelConfig("vae", 4), seed=5)
        config = TrainConfig(epochs=1, seed=5, precision=precision, **FAST)
        return Trainer(model, config, tiny_data).run().history[-1], model

    (a, ma), (b, mb) = run(), run()
    assert a.train_loss == b.train_loss and a.test == b.test
    for pa, pb in zip(ma.parameters(), mb.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_stop_between_batches(tiny_data):
    model = new_model(ModelConfig("ae", 4))
    trainer = None

    def callback(event):
        if isinstance(event, BatchEnd) and event.run_step == 3:
            trainer.request_stop()

    trainer = Trainer(model, TrainConfig(epochs=5, **FAST), tiny_data, callback)
    result = trainer.run()
    assert result.stopped
    assert len(result.history) == 1 and not result.history[0].complete
    assert not model.training


def test_pause_and_resume_from_another_thread(tiny_data):
    model = new_model(ModelConfig("ae", 4))
    steps = []
    trainer = Trainer(model, TrainConfig(epochs=2, **FAST), tiny_data, lambda e: steps.append(e))
    trainer.pause()
    thread = threading.Thread(target=trainer.run)
    thread.start()
    time.sleep(0.5)
    assert [e for e in steps if not isinstance(e, (Started, Paused))] == [] and trainer.paused
    resumed = time.perf_counter()
    trainer.resume()
    thread.join(timeout=60)
    after = time.perf_counter() - resumed
    assert not thread.is_alive()
    assert sum(isinstance(e, EpochEnd) for e in steps) == 2
    # Paused time is not counted as training time: the epochs fit in the time after resume.
    assert sum(e.record.seconds for e in steps if isinstance(e, EpochEnd)) <= after


def test_continue_training_numbers_epochs_after_history(tiny_data):
    model = new_model(ModelConfig("vae", 4))
    first = Trainer(model, TrainConfig(epochs=2, **FAST), tiny_data).run()
    second = Trainer(model, TrainConfig(epochs=1, **FAST), tiny_data, history=first.history).run()
    assert [r.epoch for r in second.history] == [1, 2, 3]


def test_nan_output_counts_as_divergence(tiny_data):
    # An absurd learning rate makes the VAE's outputs NaN, which BCE refuses with a RuntimeError.
    model = new_model(ModelConfig("vae", 3))
    with pytest.raises(TrainingDiverged, match="initial weights were restored"):
        Trainer(model, TrainConfig(epochs=2, learning_rate=1.0, **FAST), tiny_data).run()
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_nan_stops_and_restores_last_good_weights(tiny_data):
    model = new_model(ModelConfig("ae", 4))
    initial = {k: v.clone() for k, v in model.state_dict().items()}

    def poison(event):
        if isinstance(event, BatchEnd) and event.step == 2:
            with torch.no_grad():
                model.decoder.linear.weight.fill_(float("inf"))

    with pytest.raises(TrainingDiverged, match="initial weights were restored") as info:
        Trainer(model, TrainConfig(epochs=2, **FAST), tiny_data, poison).run()
    assert "lower learning rate" in str(info.value)
    assert info.value.history == []
    for key, value in model.state_dict().items():
        assert torch.equal(value, initial[key])


def test_nan_after_an_epoch_keeps_that_epoch(tiny_data):
    model = new_model(ModelConfig("ae", 4))
    saved = {}

    def poison(event):
        if isinstance(event, EpochEnd):
            saved.update({k: v.clone() for k, v in model.state_dict().items()})
        if isinstance(event, BatchEnd) and event.epoch == 2 and event.step == 1:
            with torch.no_grad():
                model.encoder[0].weight.fill_(float("nan"))

    with pytest.raises(TrainingDiverged, match="end of epoch 1") as info:
        Trainer(model, TrainConfig(epochs=3, **FAST), tiny_data, poison).run()
    assert len(info.value.history) == 1
    for key, value in model.state_dict().items():
        assert torch.equal(value, saved[key])


def test_encode_split_gives_mu(tiny_data):
    model = new_model(ModelConfig("vae", 5)).eval()
    codes = encode_split(model, tiny_data.test, batch_size=50)
    assert codes.shape == (128, 5)
    with torch.no_grad():
        mu, _ = model.encode_distribution(to_float(tiny_data.test.images[:10]))
    assert torch.allclose(codes[:10], mu, atol=1e-6)


def test_precision_resolution():
    cpu = torch.device("cpu")
    assert resolve_precision("fp32", cpu) == "fp32"
    assert resolve_precision("auto", cpu) in ("bf16", "fp32")


@pytest.mark.realdata
def test_one_real_epoch_on_a_slice(real_data):
    model = new_model(ModelConfig("vae", 10))
    before = evaluate(model, real_data.test.head(1000))["test_loss"]
    result = Trainer(model, TrainConfig(epochs=1, limit=6000, test_limit=1000), real_data).run()
    record = result.history[-1]
    # Measured: ≈550 nats per image untrained, ≈370 after 6,000 images.
    assert record.test["test_loss"] < 0.75 * before


def test_the_trainer_lends_a_core_while_asked(tiny_data):
    """Between batches the trainer reads its lend flag: one intra-op thread fewer while it is
    set (a map forming in another process has that core), all of them again once cleared."""
    from core.runtime import INTRA_OP_THREADS
    from core.training import SharedFlag
    import multiprocessing as mp

    lend = SharedFlag(mp.get_context("spawn"))
    threads: list[tuple[int, int]] = []

    def on_event(event) -> None:
        if isinstance(event, BatchEnd):
            threads.append((event.run_step, trainer.cores.threads))
            if event.run_step == 2:
                lend.set()
            elif event.run_step == 5:
                lend.clear()

    model = new_model(ModelConfig("ae", 4))
    trainer = Trainer(model, TrainConfig(epochs=1, **FAST), tiny_data, on_event, lend_flag=lend)
    trainer.run()  # 6 batches
    lent = max(1, INTRA_OP_THREADS - 1)
    assert [t for _, t in threads] == [INTRA_OP_THREADS] * 2 + [lent] * 3 + [INTRA_OP_THREADS]
