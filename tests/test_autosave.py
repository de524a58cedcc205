"""Autosave: a model in training is saved after every epoch and offered back after a crash."""

import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from core.checkpoint import load_checkpoint, save_checkpoint
from explorer.app import build_window
from explorer.state import autosave


@pytest.fixture
def window(qtbot, tiny_data_dir):
    w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(w)
    w.ask = lambda *a: 1
    qtbot.waitUntil(lambda: w.session.dataset is not None, timeout=10_000)
    yield w
    w.shutdown()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_training_autosaves_each_epoch_and_saving_removes_it(qtbot, window, tmp_path):
    panel = window.training_panel
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("ae"))
    panel.latent_spin.setValue(3)
    panel.epochs_spin.setValue(2)
    panel.batch_spin.setValue(64)
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        panel.start_training()
    [entry] = window.session.entries
    path = autosave.autosave_path(entry)
    saved = load_checkpoint(path)
    assert len(saved.history) == 2
    state = entry.model.state_dict()
    assert all(np.array_equal(saved.model.state_dict()[k], state[k]) for k in state)
    assert window.save_entry(entry, tmp_path / "mine.safetensors")
    assert not path.exists()  # saved by the user: the autosave has done its job


def test_a_clean_exit_removes_this_sessions_autosaves(qtbot, tiny_data_dir, model_files):
    w = build_window(["--data-dir", str(tiny_data_dir), "--checkpoint", str(model_files["ae"])])
    qtbot.addWidget(w)
    w.ask = lambda *a: 1  # quit without saving
    [entry] = w.session.entries
    path = autosave.write(entry)
    assert path.exists()
    w.close()
    assert not path.exists()


def _orphan(model_files) -> tuple:
    checkpoint = load_checkpoint(model_files["vae"])
    folder = autosave.autosave_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_dead_pid()}-7-vae.safetensors"
    save_checkpoint(path, checkpoint.model, checkpoint.train_config, checkpoint.history)
    return path, checkpoint


def test_autosaves_of_a_crashed_session_are_offered_back(qtbot, tiny_data_dir, model_files):
    path, checkpoint = _orphan(model_files)
    # A file of a session still running is not an orphan.
    running = autosave.autosave_dir() / f"{autosave.SESSION}-1-ae.safetensors"
    running.write_bytes(path.read_bytes())
    assert autosave.orphans() == [path]

    w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(w)
    w.ask = lambda *a: 1
    qtbot.waitUntil(lambda: w.findChild(QMessageBox, "recoveryDialog") is not None, timeout=5000)
    box = w.findChild(QMessageBox, "recoveryDialog")
    assert "VAE, latent 4, 2 epoch(s)" in box.informativeText()
    w._recover_button.click()
    [entry] = w.session.entries
    assert entry.kind == "vae" and not entry.saved and entry.path is None and entry.epochs == 2
    state = checkpoint.model.state_dict()
    assert all(np.array_equal(entry.model.state_dict()[k], state[k]) for k in state)
    assert not path.exists() and autosave.autosave_path(entry).exists()  # now this session's
    w.shutdown()


def test_discarding_the_offer_deletes_the_autosaves(qtbot, tiny_data_dir, model_files):
    path, _ = _orphan(model_files)
    w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.findChild(QMessageBox, "recoveryDialog") is not None, timeout=5000)
    w._discard_button.click()
    assert not path.exists() and w.session.entries == []
    w.shutdown()


def test_autosaves_of_another_running_instance_are_left_alone(model_files):
    """Another instance holds the lock on its lock file while it runs; once it ends, its
    autosaves become orphans (whatever its process id may have become since)."""
    path, _ = _orphan(model_files)
    session = autosave._session(path)
    handle = open(autosave._lock_path(session), "a+b")
    try:
        assert autosave._try_lock(handle)  # "the other instance" holds its lock
        assert autosave.orphans() == []
    finally:
        handle.close()  # it ends
    assert autosave.orphans() == [path]


def test_a_reused_process_id_does_not_make_a_crashed_sessions_autosaves_ours(model_files):
    """A crashed session whose process id this process got: its files are orphans, offered back,
    and a clean exit of this session leaves them (it deleted them when the pid was the identity)."""
    path, _ = _orphan(model_files)
    same_pid = path.with_name(f"{autosave.os.getpid()}-7-vae.safetensors")  # as older versions named it
    path.rename(same_pid)
    crashed = path.with_name(f"{autosave.os.getpid()}.0123456789ab-8-vae.safetensors")
    crashed.write_bytes(same_pid.read_bytes())
    assert autosave.orphans() == sorted([same_pid, crashed])
    autosave.remove_all_of_this_session()
    assert same_pid.exists() and crashed.exists()


def test_a_failing_autosave_says_once_that_crash_protection_is_off(qtbot, monkeypatch, model_files):
    from core.checkpoint import CheckpointError
    from explorer.state.session import ModelEntry

    entry = ModelEntry.from_checkpoint(load_checkpoint(model_files["ae"]))
    seen = []

    def full(*args, **kwargs):
        raise CheckpointError("Cannot save x: No space left on device.")

    monkeypatch.setattr(autosave, "save_checkpoint", full)
    with qtbot.waitSignal(autosave.notifier.failed, timeout=1000) as blocker:
        assert autosave.write(entry) is None
    seen.append(blocker.args)
    with qtbot.assertNotEmitted(autosave.notifier.failed):
        assert autosave.write(entry) is None  # told once, not after every epoch
    assert seen[0][0] == "Crash protection is off" and "No space left on device" in seen[0][1]
    monkeypatch.undo()
    assert autosave.write(entry) is not None  # works again: a new failure is told again
    monkeypatch.setattr(autosave, "save_checkpoint", full)
    with qtbot.waitSignal(autosave.notifier.failed, timeout=1000):
        autosave.write(entry)
    monkeypatch.undo()
    autosave.remove_all_of_this_session()


def test_the_main_window_shows_the_autosave_failure(window):
    autosave.notifier.failed.emit("Crash protection is off", "disk full")
    box = window.findChild(QMessageBox, "errorDialog")
    assert box is not None and box.text() == "disk full" and box.windowTitle() == "Crash protection is off"
