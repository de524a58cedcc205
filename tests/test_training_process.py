import numpy as np
import pytest
import torch

from core.models import ModelConfig
from core.training import TrainConfig, new_model
from core.training_process import Batches, Epoch, Failed, Finished, TrainingProcess, load_numpy_state

FAST = dict(batch_size=64, device="cpu")


def collect(process):
    process.start()
    return list(process.messages())


def test_trains_in_a_child_and_sends_weights(tiny_data):
    model = new_model(ModelConfig("vae", 3))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    preview = tiny_data.test.images[:4]
    messages = collect(TrainingProcess(model, TrainConfig(epochs=2, **FAST), tiny_data, preview=preview))
    batches = [m for m in messages if isinstance(m, Batches)]
    epochs = [m for m in messages if isinstance(m, Epoch)]
    final = messages[-1]
    assert isinstance(final, Finished) and not final.stopped
    assert sum(len(b.points) for b in batches) == 2 * 6
    assert [e.record.epoch for e in epochs] == [1, 2]
    assert epochs[-1].reconstructions.shape == (4, 28, 28)
    assert [r.epoch for r in final.history] == [1, 2]
    # The parent's model is untouched until it applies the weights it received.
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key])
    load_numpy_state(model, final.state)
    assert not torch.equal(model.decoder.linear.weight, before["decoder.linear.weight"])
    assert np.array_equal(epochs[-1].state["decoder.linear.weight"], final.state["decoder.linear.weight"])


def test_stop_request_ends_the_child(tiny_data):
    process = TrainingProcess(new_model(ModelConfig("ae", 3)), TrainConfig(epochs=500, **FAST), tiny_data)
    process.start()
    final = None
    for message in process.messages():
        if isinstance(message, Batches):
            process.request_stop()
        final = message
    assert isinstance(final, Finished) and final.stopped
    assert len(final.history) < 500


def test_divergence_comes_back_as_failure_with_good_weights(tiny_data):
    model = new_model(ModelConfig("vae", 3))
    initial = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    messages = collect(TrainingProcess(model, TrainConfig(epochs=2, learning_rate=1.0, **FAST), tiny_data))
    final = messages[-1]
    assert isinstance(final, Failed) and "diverged" in final.message
    for key, value in initial.items():
        assert np.array_equal(final.state[key], value)


def test_a_killed_child_is_reported(tiny_data):
    process = TrainingProcess(new_model(ModelConfig("ae", 3)), TrainConfig(epochs=500, **FAST), tiny_data)
    process.start()
    final = None
    for message in process.messages():
        if isinstance(message, Batches) and process._process.is_alive():
            process._process.kill()
        final = message
    assert isinstance(final, Failed) and "ended unexpectedly" in final.message


@pytest.mark.realdata
def test_child_trains_on_real_data(real_data):
    from core.training import evaluate

    model = new_model(ModelConfig("ae", 10))
    before = evaluate(model, real_data.test.head(500))["test_mse"]
    process = TrainingProcess(model, TrainConfig(epochs=1, limit=4000, test_limit=500), real_data)
    final = collect(process)[-1]
    assert isinstance(final, Finished)
    assert final.history[-1].test["test_mse"] < 0.75 * before
