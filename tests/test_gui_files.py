"""Files in and out through the main window: bad models are refused with a dialog, never
unpickled, never added; a failed save says why and leaves the old file as it was."""

import errno

import pytest
import torch
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core import checkpoint
from core.checkpoint import save_checkpoint
from core.models import ModelConfig
from core.training import new_model
from explorer.state.session import ModelEntry


def error_texts(window) -> list[str]:
    return [box.text() for box in window.findChildren(QMessageBox, "errorDialog")]


def assert_each_refused(window, expected: dict[str, str]) -> None:
    texts = error_texts(window)
    assert len(texts) == len(expected)
    for name, problem in expected.items():
        [text] = [t for t in texts if t.split()[0].rstrip(":") == name]
        assert problem in text, text
    assert window.session.entries == []
    assert window._recent() == []


def test_bad_checkpoints_on_the_command_line(make_window, bad_checkpoint_files):
    folder, expected, marker = bad_checkpoint_files
    argv = [arg for name in expected for arg in ("--checkpoint", str(folder / name))]
    window = make_window(*argv)
    assert_each_refused(window, expected)
    assert not marker.exists()


def test_bad_checkpoints_through_file_open(make_window, bad_checkpoint_files, monkeypatch, tmp_path):
    folder, expected, marker = bad_checkpoint_files
    window = make_window()
    paths = [str(folder / name) for name in expected]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kwargs: (paths, ""))
    window.open_action.trigger()
    assert_each_refused(window, expected)
    assert not marker.exists()
    # The window still opens a good model afterwards, with its weights.
    model = new_model(ModelConfig("vae", 4))
    good = save_checkpoint(tmp_path / "good.safetensors", model)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([str(good)], ""))
    window.open_action.trigger()
    [entry] = window.session.entries
    for key, value in model.state_dict().items():
        assert torch.equal(entry.model.state_dict()[key], value)


@pytest.fixture
def unsaved(make_window):
    """A window holding one model that has never been saved, selected for File → Save."""
    window = make_window()
    entry = window.session.add(ModelEntry(new_model(ModelConfig("ae", 3)), saved=False))
    window.training_panel.select_entry(entry.id)
    return window, entry


def test_file_save_on_a_full_disk(unsaved, monkeypatch, tmp_path):
    window, entry = unsaved
    (tmp_path / "models").mkdir()
    path = save_checkpoint(tmp_path / "models" / "old.safetensors", new_model(ModelConfig("vae", 2)))
    before = path.read_bytes()

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint.os, "replace", disk_full)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    window.save_action.trigger()
    [text] = error_texts(window)
    assert text == f"Cannot save {path}: No space left on device. Any existing file was left as it was."
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["old.safetensors"]
    assert not entry.saved and entry.path is None


def test_file_save_into_a_missing_folder(unsaved, monkeypatch, tmp_path):
    window, entry = unsaved
    path = tmp_path / "gone" / "m.safetensors"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    window.save_action.trigger()
    [text] = error_texts(window)
    assert str(path) in text and "does not exist" in text
    assert not entry.saved and entry.path is None


def test_a_home_folder_that_does_not_exist(make_window):
    """The shell leaves '~nobody/...' as it is when there is no such user."""
    window = make_window("--checkpoint", "~no-such-user-here/m.safetensors")
    [text] = error_texts(window)
    assert "~no-such-user-here/m.safetensors does not exist" in text
    assert window.session.entries == []


# --- the window's menus, message boxes and close, each in its own module ---------------------


def test_the_menus_keep_their_keys(make_window):
    """The menus moved to explorer/views/menus.py; their keys (those of the F1 list) did not."""
    from PySide6.QtGui import QKeySequence

    window = make_window()
    menus, standard = window.menus, QKeySequence.StandardKey
    expected = {
        menus.open_action: QKeySequence(standard.Open),
        menus.save_action: QKeySequence(standard.Save),
        menus.quit_action: QKeySequence(standard.Quit),
        menus.open_scene_action: QKeySequence("Ctrl+Shift+O"),
        menus.save_scene_action: QKeySequence("Ctrl+Shift+S"),
        menus.export_action: QKeySequence("Ctrl+E"),
        menus.presentation_action: QKeySequence("F5"),
        menus.fullscreen_action: QKeySequence("F11"),
        menus.log_action: QKeySequence("Ctrl+L"),
        menus.shortcuts_action: QKeySequence("F1"),
    }
    assert {a.text(): a.shortcut().toString() for a in expected} == {
        a.text(): keys.toString() for a, keys in expected.items()
    }
    assert all(a.parent() is window for a in expected)  # the window's actions, as before
    assert window.open_action is menus.open_action and window.presentation_action is menus.presentation_action


def test_the_close_changes_entries_only_through_the_session(qapp):
    """Quit without saving, or a run stopped at close: the session marks the entries and emits."""
    from explorer.state.session import Session

    session = Session()
    entry = session.add(ModelEntry(new_model(ModelConfig("ae", 3)), saved=False))
    entry.history.append(object())  # trained here: unsaved() counts it
    changes = []
    session.modelsChanged.connect(lambda: changes.append((entry.saved, entry.training)))
    assert session.discard_unsaved() == [entry]
    assert changes == [(True, False)] and session.unsaved() == []
    assert session.discard_unsaved() == [] and len(changes) == 1  # nothing left: no signal
    entry.training = True
    session.release(entry)
    session.release(entry)
    assert changes == [(True, False), (True, False)]  # once: the second found it released


def test_the_window_ends_with_its_last_reference(qapp, tiny_data_dir):
    """The window's helpers (menus, dialogs, file and scene flows) hold no reference to it: a
    cycle would leave its end to the garbage collector, which may run in any paint or slot and
    delete the window under it (that crashed the suite)."""
    import gc
    import weakref

    from explorer.app import build_window

    window = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    window.ask = lambda *a: 1
    assert window.menus.window is window and window.dialogs.window is window
    window.shutdown()
    ref = weakref.ref(window)
    gc.collect()
    gc.disable()
    try:
        del window
        assert ref() is None
    finally:
        gc.enable()
