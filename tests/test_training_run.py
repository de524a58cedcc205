"""TrainingRun without any widget: a bare session, a task runner and the tiny dataset."""

from __future__ import annotations

import numpy as np
import pytest

from core.checkpoint import load_checkpoint
from core.models import ModelConfig
from core.training import TrainConfig
from explorer.state import autosave
from explorer.state.session import Session
from explorer.state.training_run import TrainingRun
from explorer.workers import TaskRunner

CONFIG = TrainConfig(epochs=2, batch_size=64, device="cpu")


@pytest.fixture
def run(qtbot, tiny_data):
    session = Session()
    runner = TaskRunner()
    session.set_dataset(tiny_data)
    run = TrainingRun(session, runner)
    yield run
    run.shutdown()
    runner.close()


def test_a_run_applies_the_childs_epochs_to_a_new_entry_and_autosaves_it(qtbot, run):
    epochs = []
    run.epoch.connect(lambda message: epochs.append(message.record.epoch))  # emitted in this thread
    with qtbot.waitSignal(run.started, timeout=10_000) as started:
        assert run.start(CONFIG, None, ModelConfig("ae", 3))
    [entry] = run.session.entries
    assert started.args == [entry.id] and run.entry is entry and entry.training and run.is_running
    assert not run.can_start and not run.start(CONFIG, entry)  # one run at a time
    with qtbot.waitSignal(run.finished, timeout=60_000) as finished:
        pass
    assert finished.args == [entry.id, False]
    assert epochs == [1, 2] and entry.epochs == 2 and not entry.training and not run.is_running
    assert len(entry.batch_losses) == 2 * 6 and not entry.saved
    # finished comes once the last autosave is on disk: it holds the final weights.
    saved = load_checkpoint(autosave.autosave_path(entry))
    assert saved.history == entry.history
    state = entry.model.state_dict()
    assert all(np.array_equal(saved.model.state_dict()[k], state[k]) for k in state)


def test_stop_keeps_what_was_trained(qtbot, run):
    with qtbot.waitSignal(run.batches, timeout=20_000):
        run.start(TrainConfig(epochs=200, batch_size=64, device="cpu"), None, ModelConfig("ae", 3))
    with qtbot.waitSignal(run.finished, timeout=15_000) as finished:
        run.stop()
    entry = run.session.entries[0]
    assert finished.args == [entry.id, True] and entry.history and not entry.history[-1].complete


def test_kill_discards_and_says_it_was_the_users_choice(qtbot, run):
    with qtbot.waitSignal(run.batches, timeout=20_000):
        run.start(TrainConfig(epochs=200, batch_size=64, device="cpu"), None, ModelConfig("ae", 3))
    entry = run.entry
    with qtbot.waitSignal(run.failed, timeout=15_000) as failed:
        run.kill()
    assert failed.args[0] == entry.id and failed.args[2] is True  # killed: no error dialog
    assert not entry.training and not run.is_running


def test_a_start_while_the_data_loads_waits_for_it(qtbot, run, tiny_data, monkeypatch):
    session = run.session
    session.set_dataset(None)
    monkeypatch.setattr(run.runner, "is_running", lambda name: name == "data")
    with qtbot.waitSignal(run.queuedChanged, timeout=1_000) as queued:
        assert run.start(CONFIG, None, ModelConfig("ae", 3))
    assert queued.args == [True] and run.start_queued and not run.can_start and session.entries == []
    monkeypatch.undo()
    with qtbot.waitSignal(run.finished, timeout=60_000):
        session.set_dataset(tiny_data)  # the data has come: the run begins
    assert not run.start_queued and session.entries[0].epochs == 2


def test_refusals_say_why(qtbot, run):
    from dataclasses import replace

    with qtbot.waitSignal(run.finished, timeout=60_000):
        run.start(replace(CONFIG, epochs=1), None, ModelConfig("ae", 3))
    entry = run.session.entries[0]
    entry.dataset = replace(entry.dataset, class_names=tuple("abcdefghij"), spec="mnist")
    with qtbot.waitSignal(run.refused, timeout=1_000) as refused:
        assert not run.start(CONFIG, entry)
    assert refused.args == ["dataset", "mnist"]
    run.session.set_dataset(None)
    with qtbot.waitSignal(run.dataMissing, timeout=1_000):
        assert not run.start(CONFIG, None, ModelConfig("ae", 3))
