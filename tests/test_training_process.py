import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from core.models import ModelConfig
from core.training import Paused, TrainConfig, new_model
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


def test_pause_is_confirmed_and_nothing_follows_until_resume(tiny_data):
    process = TrainingProcess(new_model(ModelConfig("ae", 3)), TrainConfig(epochs=3, **FAST), tiny_data)
    process.start()
    seen = 0
    after_pause = []
    for message in process.messages():
        if isinstance(message, Batches):
            if process.paused:
                after_pause.append(message)
            seen += len(message.points)
            if seen and not process.paused and not after_pause and seen < 6:
                process.pause()
        elif isinstance(message, Paused):
            # Every batch before the pause was sent before its confirmation.
            assert message.run_step == seen
            after_pause.clear()
            confirmed = seen
            process.resume()
    assert isinstance(message, Finished)
    assert confirmed >= 1 and seen == 3 * 6


def test_kill_while_paused_and_stop_never_block(tiny_data):
    # multiprocessing.Event.set() after the child died asleep on the Event waited for ever
    # (Start → Pause → quit without saving froze the window).
    process = TrainingProcess(new_model(ModelConfig("ae", 3)), TrainConfig(epochs=50, **FAST), tiny_data)
    process.start()
    for message in process.messages():
        if isinstance(message, Batches) and not process.paused:
            process.pause()
        elif isinstance(message, Paused):
            process.kill()
            process._process.join(10)
            process.request_stop()  # returns at once: a flag, not a Condition
            process.resume()
            process.pause()
    assert isinstance(message, Failed)
    assert not process._process.is_alive()


def test_the_child_ends_when_its_parent_is_killed(tmp_path):
    # kill -9 of the app left the training child alive for good (1 GB, blocked on its pipe).
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import time
            from core.data import Dataset
            from core.models import ModelConfig
            from core.training import TrainConfig, new_model
            from core.training_process import TrainingProcess
            from tests.helpers import synthetic_split

            if __name__ == "__main__":
                data = Dataset(synthetic_split(256, 0), synthetic_split(64, 1), "synthetic")
                config = TrainConfig(epochs=10000, batch_size=64, device="cpu")
                process = TrainingProcess(new_model(ModelConfig("ae", 3)), config, data)
                process.start()
                for message in process.messages():
                    print(process._process.pid, flush=True)
                    time.sleep(3600)
            """
        )
    )
    root = Path(__file__).parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=root, env=env)
    child_pid = int(parent.stdout.readline())
    os.kill(child_pid, 0)  # alive while the parent is
    parent.kill()
    parent.wait()
    while _alive(child_pid):  # the test's own timeout bounds this wait
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
