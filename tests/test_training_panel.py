import time

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressBar, QPushButton

from core.checkpoint import load_checkpoint
from explorer.app import build_window
from explorer.training_task import preview_indices, reconstruct


@pytest.fixture
def window(qtbot, tiny_data_dir):
    w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(w)
    w.ask = lambda title, text, buttons: 1  # at close: stop / quit without saving
    qtbot.waitUntil(lambda: w.session.dataset is not None, timeout=10_000)
    yield w
    w.shutdown()


def configure(panel, *, kind="vae", epochs=2, latent=3, batch=64):
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(kind))
    panel.latent_spin.setValue(latent)
    panel.epochs_spin.setValue(epochs)
    panel.batch_spin.setValue(batch)
    panel.device_combo.setCurrentIndex(panel.device_combo.findData("cpu"))


def click(qtbot, window, name):
    qtbot.mouseClick(window.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_training_through_the_start_button(qtbot, window):
    panel = window.training_panel
    configure(panel, epochs=2)
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        click(qtbot, window, "startTrainingButton")
    plot = window.findChild(type(panel.plot), "lossPlot")
    assert plot.batch_count == 2 * 6  # 384 images / 64 per batch, 2 epochs
    assert plot.epoch_count == 2
    progress = window.findChild(QProgressBar, "trainingProgress")
    assert progress.value() == progress.maximum() == 12
    assert panel.table.rowCount() == 2
    [entry] = window.session.entries
    assert entry.kind == "vae" and entry.epochs == 2 and not entry.saved and not entry.training
    # The preview's second row is the model's reconstruction of the fixed test images.
    data = window.session.dataset
    expected = reconstruct(entry.model, data.test.images[preview_indices(data.test)])
    assert np.allclose(panel.preview.images[1], expected, atol=1e-6)
    assert panel.kl_bars.values.shape == (3,)
    assert "Models: VAE (2 ep., unsaved)" in window.models_label.text()
    # The child said how it computes: the status bar and the panel show it.
    run = window.training_run
    assert run.path.startswith("cpu, " + run.precision + ", channels-last")
    assert window.device_label.text().startswith("Device: CPU — " + run.precision)
    assert run.path in window.device_label.toolTip()
    # Continuing appends to the curves instead of wiping them.
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        click(qtbot, window, "startTrainingButton")
    assert plot.epoch_count == 4 and plot.batch_count == 24
    assert [r.epoch for r in entry.history] == [1, 2, 3, 4]


def test_stop_ends_training_mid_epoch(qtbot, window):
    panel = window.training_panel
    configure(panel, kind="ae", epochs=200)
    click(qtbot, window, "startTrainingButton")
    qtbot.waitUntil(lambda: panel.plot.batch_count > 0, timeout=20_000)
    # It answers between two batches (well under a second on an idle machine; no timed
    # assertion here, the suite runs on shared machines).
    with qtbot.waitSignal(panel.trainingEnded, timeout=15_000):
        click(qtbot, window, "stopTrainingButton")
    [entry] = window.session.entries
    assert entry.epochs < 200
    assert not entry.history[-1].complete
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()


def test_pause_and_resume(qtbot, window):
    # Paused before its first batch, the run is confirmed paused at batch 0 whatever the load;
    # pausing mid-run is covered in test_training_process.py.
    panel = window.training_panel
    configure(panel, kind="ae", epochs=3)
    with qtbot.waitSignal(panel.trainingPaused, timeout=100_000) as paused:
        click(qtbot, window, "startTrainingButton")
        click(qtbot, window, "pauseTrainingButton")
        assert panel.process.paused and panel.pause_button.text() == "Resume"
    # Pause's promise: once confirmed, every batch before it is on the plot and no other comes.
    assert paused.args == [0] and panel.paused_at == 0
    qtbot.wait(400)
    assert panel.plot.batch_count == 0
    with qtbot.waitSignal(panel.trainingEnded, timeout=100_000):
        click(qtbot, window, "pauseTrainingButton")
    assert panel.plot.batch_count == 3 * 6
    assert window.session.entries[0].epochs == 3


def test_save_then_reopen_gives_the_same_weights(qtbot, window, tmp_path):
    panel = window.training_panel
    configure(panel, kind="ae", epochs=1)
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        click(qtbot, window, "startTrainingButton")
    [entry] = window.session.entries
    path = tmp_path / "ae.safetensors"
    assert window.save_entry(entry, path)
    assert entry.saved and entry.path == path
    assert window.session.unsaved() == []
    other = build_window(["--data-dir", str(window.data_dir), "--checkpoint", str(path)])
    qtbot.addWidget(other)
    try:
        [loaded] = other.session.entries
        for key, value in entry.model.state_dict().items():
            assert torch.equal(loaded.model.state_dict()[key], value)
        assert loaded.history == entry.history
        assert other.training_panel.current_entry() is loaded
        assert str(path.resolve()) in other._recent()
    finally:
        other.shutdown()


def test_a_diverging_run_shows_an_error_and_keeps_the_model(qtbot, window):
    panel = window.training_panel
    configure(panel, kind="vae", epochs=1)
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        click(qtbot, window, "startTrainingButton")
    [entry] = window.session.entries
    good = {k: v.clone() for k, v in entry.model.state_dict().items()}
    panel.lr_spin.setValue(1.0)  # absurd: the VAE's loss becomes NaN within a few batches
    panel.epochs_spin.setValue(3)
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        click(qtbot, window, "startTrainingButton")
    box = window.findChild(QMessageBox, "errorDialog")
    assert box is not None and "diverged" in box.text() and "epoch 1 were restored" in box.text()
    assert entry.epochs == 1 and not entry.training
    for key, value in entry.model.state_dict().items():
        assert torch.equal(value, good[key])
    box.close()
    # The app is still usable: training again with a sane rate works.
    panel.lr_spin.setValue(0.001)
    panel.epochs_spin.setValue(1)
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        click(qtbot, window, "startTrainingButton")
    assert entry.epochs == 2


def test_closing_during_training_leaves_no_thread(qtbot, window):
    panel = window.training_panel
    configure(panel, kind="vae", epochs=500)
    click(qtbot, window, "startTrainingButton")
    qtbot.waitUntil(lambda: panel.plot.batch_count > 0, timeout=20_000)
    threads = [thread for thread, _ in window.runner._tasks.values()]
    start = time.perf_counter()
    assert window.close()
    assert time.perf_counter() - start < 2.0
    assert window.runner._tasks == {}
    assert all(t.isFinished() for t in threads)


def test_closing_can_be_cancelled(qtbot, window):
    panel = window.training_panel
    configure(panel, kind="ae", epochs=500)
    click(qtbot, window, "startTrainingButton")
    qtbot.waitUntil(lambda: panel.plot.batch_count > 0, timeout=20_000)
    window.ask = lambda title, text, buttons: len(buttons) - 1  # Cancel
    assert not window.close()
    assert panel.is_training
    with qtbot.waitSignal(panel.trainingEnded, timeout=5_000):
        panel.stop_training()


def test_unsaved_model_is_offered_for_saving_at_close(qtbot, window, tmp_path):
    panel = window.training_panel
    configure(panel, kind="ae", epochs=1)
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        click(qtbot, window, "startTrainingButton")
    [entry] = window.session.entries
    entry.path = tmp_path / "kept.safetensors"  # as if saved once before
    asked = []

    def ask(title, text, buttons):
        asked.append(text)
        return 0  # Save

    window.ask = ask
    assert window.close()
    assert asked and "not been saved" in asked[0]
    assert load_checkpoint(entry.path).history == entry.history


def test_missing_data_explains_and_offers_download(qtbot, tmp_path, monkeypatch):
    from core import data

    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "none")
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    w = build_window(["--data-dir", str(empty), "--no-bundled-models"])
    qtbot.addWidget(w)
    try:
        qtbot.waitUntil(lambda: w.session.dataset_error is not None, timeout=10_000)
        assert "not found" in w.dataset_label.text()
        click(qtbot, w, "startTrainingButton")
        box = w.findChild(QMessageBox, "dataMissingDialog")
        assert box is not None and "dataset-fashion-mnist" in box.informativeText()
        assert w.session.entries == []
    finally:
        w.shutdown()


def test_bad_checkpoint_shows_an_error(qtbot, window, tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a model at all")
    assert window.open_checkpoint(bad) is None
    box = window.findChild(QMessageBox, "errorDialog")
    assert box is not None and "bad.safetensors" in box.text()
    assert window.session.entries == []


def test_lab_reference_only_with_the_labs_settings(qtbot, window):
    panel = window.training_panel
    panel.defaults_button.click()
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("vae"))
    assert panel.plot.lab_line.isVisible()
    assert panel.plot.lab_line.value() == pytest.approx(238.2)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("ae"))
    assert panel.plot.lab_line.value() == pytest.approx(0.01333)
    panel.lr_spin.setValue(0.01)
    assert not panel.plot.lab_line.isVisible()


def test_beta_only_for_the_vae(qtbot, window):
    panel = window.training_panel
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("ae"))
    assert not panel.beta_spin.isEnabled() and not panel.kl_box.isVisibleTo(panel)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("vae"))
    assert panel.beta_spin.isEnabled() and panel.kl_box.isVisibleTo(panel)


def test_posterior_collapse_warning(qtbot, window):
    panel = window.training_panel
    panel._show_kl([0.01] * 7 + [3.0, 2.5, 1.0])
    assert "posterior collapse" in panel.kl_warning.text()
    assert "3 of 10" in panel.kl_warning.text()
    panel._show_kl([1.0] * 10)
    assert "10 of 10" in panel.kl_warning.text()
    assert "collapse" not in panel.kl_warning.text()


def test_settings_are_remembered(qtbot, tiny_data_dir):
    first = build_window(["--data-dir", str(tiny_data_dir)])
    qtbot.addWidget(first)
    first.training_panel.epochs_spin.setValue(7)
    first.training_panel.beta_spin.setValue(4.0)
    first.close()
    second = build_window(["--data-dir", str(tiny_data_dir)])
    qtbot.addWidget(second)
    assert second.training_panel.epochs_spin.value() == 7
    assert second.training_panel.beta_spin.value() == 4.0
    second.shutdown()


def test_start_while_the_data_loads_is_queued(qtbot, window):
    # Pressing Start right after the window opened got "try again in a moment".
    panel = window.training_panel
    qtbot.waitUntil(lambda: window.session.dataset is not None, timeout=100_000)
    configure(panel, kind="ae", epochs=1)
    window.session.set_dataset(None)
    window.load_data()  # the worker's result reaches us only through the event loop
    assert window.runner.is_running("data")
    with qtbot.waitSignal(panel.trainingEnded, timeout=100_000):
        click(qtbot, window, "startTrainingButton")
        assert panel.start_queued and panel.start_button.text() == "Loading data…"
        assert not panel.start_button.isEnabled()
    assert not panel.start_queued
    [entry] = window.session.entries
    assert entry.epochs == 1


def _activate(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_ctrl_enter_starts_training_again_after_the_button_text_changed(qtbot, window, key):
    # setText("Continue training") used to reset the shortcut set on the button (issue 17, 1).
    panel = window.training_panel
    configure(panel, kind="ae", epochs=1)
    _activate(qtbot, window)
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        qtbot.keyClick(panel, key, Qt.KeyboardModifier.ControlModifier)
    assert panel.start_button.text() == "Continue training"
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        qtbot.keyClick(panel, key, Qt.KeyboardModifier.ControlModifier)
    [entry] = window.session.entries
    assert entry.epochs == 2


def test_the_start_action_is_enabled_only_when_a_start_is_possible(qtbot, window):
    panel = window.training_panel
    configure(panel, kind="ae", epochs=200)
    assert panel.start_action.isEnabled() and panel.start_button.isEnabled()
    with qtbot.waitSignal(panel.trainingStarted, timeout=10_000):
        panel.start_action.trigger()
    assert not panel.start_action.isEnabled() and not panel.start_button.isEnabled()
    assert not panel.start_training()  # one run at a time
    with qtbot.waitSignal(panel.trainingEnded, timeout=15_000):
        panel.stop_training()
    assert panel.start_action.isEnabled() and panel.start_button.isEnabled()


def test_the_button_and_status_line_say_what_is_true(qtbot, window, tmp_path):
    # Issue 17, 7: a brand-new model in training is not "continued"; after saving, the status
    # line no longer asks to save.
    panel = window.training_panel
    configure(panel, kind="ae", epochs=1)
    texts = []
    # The run emits in the GUI thread: a lambda is safe here.
    panel.run.batches.connect(lambda *_: texts.append(panel.start_button.text()))
    with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
        click(qtbot, window, "startTrainingButton")
        assert panel.start_button.text() == "Training…"
    assert texts and set(texts) == {"Training…"}
    assert "Save model as… keeps it." in panel.progress_label.text()
    [entry] = window.session.entries
    assert window.save_entry(entry, tmp_path / "kept.safetensors")
    assert "Save model as" not in panel.progress_label.text()
    assert "Saved." in panel.progress_label.text()
