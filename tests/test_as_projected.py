"""The small things a class notices (issue 17): which model a panel shows, the files a lesson
writes, the shortcut list, the metrics table's headers, presentation mode on and off."""

from __future__ import annotations

import os
import stat

import pytest
from PySide6.QtGui import QAction, QFontMetrics

from core.models import ModelConfig
from core.training import new_model
from explorer.state.session import ModelEntry
from explorer.views.model_picker import default_entry


@pytest.fixture
def window(qtbot, models_window):
    qtbot.waitUntil(lambda: models_window.session.dataset is not None, timeout=10_000)
    return models_window


def _entry(kind: str, history) -> ModelEntry:
    return ModelEntry(new_model(ModelConfig(kind, 4 if kind == "vae" else 3)), history=list(history))


def test_default_model_is_the_most_trained_never_an_untrained_one(model_files):
    from core.checkpoint import load_checkpoint

    history = load_checkpoint(model_files["vae"]).history  # 2 epochs
    vae2, vae1, vae0 = _entry("vae", history), _entry("vae", history[:1]), _entry("vae", [])
    ae2 = _entry("ae", history)
    assert default_entry([vae2, vae1, vae0], "vae") is vae2  # the newest is not the most trained
    assert default_entry([ae2, vae0], "vae") is ae2  # a trained AE before an untrained VAE
    assert default_entry([vae0], "vae") is vae0  # nothing else to show
    twin = _entry("vae", history)
    assert default_entry([vae2, twin], "vae") is twin  # equals: the newest
    assert default_entry([], "vae") is None


def test_panels_show_the_most_trained_model_unless_the_user_chose(window, model_files):
    session = window.session
    trained_vae = session.latest("vae")
    assert trained_vae.epochs == 2
    # After a restart: a stopped 0-epoch VAE and a 1-epoch VAE come back after the trained ones.
    one_epoch = session.add(_entry("vae", trained_vae.history[:1]))
    untrained = session.add(_entry("vae", []))
    pickers = [
        window.latent_panel.picker,
        window.generation_panel.picker,
        window.compare_panel.pickers["vae"],
        window.reconstruction_panel.vae_picker,
    ]
    for picker in pickers:
        assert picker.entry() is trained_vae, picker.objectName()
    # The user's choice is kept when models come and go, even an untrained one.
    window.latent_panel.picker.select(untrained.id)
    session.add(_entry("vae", trained_vae.history))
    assert window.latent_panel.picker.entry() is untrained
    assert window.compare_panel.pickers["vae"].entry() is not one_epoch


def test_scene_files_get_the_same_ordinary_permissions_as_models(window, tmp_path):
    entry = window.session.latest("vae")
    old_umask = os.umask(0o022)
    try:
        for umask, expected in ((0o022, 0o644), (0o027, 0o640)):
            os.umask(umask)
            model_path = tmp_path / f"model-{umask:o}.safetensors"
            scene_path = tmp_path / f"lesson-{umask:o}.scene.json"
            assert window.save_entry(entry, model_path)
            assert window.save_scene(scene_path)
            assert stat.S_IMODE(model_path.stat().st_mode) == expected
            assert stat.S_IMODE(scene_path.stat().st_mode) == expected  # not tempfile's 0o600
    finally:
        os.umask(old_umask)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_shortcut_list_has_keys_and_actions_in_separate_aligned_columns(qtbot, make_window, lang):
    from PySide6.QtWidgets import QDialog, QTableWidget

    window = make_window("--lang", lang)
    window.show()
    [help_action] = [a for a in window.findChildren(QAction) if a.shortcut().toString() == "F1"]
    help_action.trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    qtbot.waitUntil(dialog.isVisible)
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    assert table.columnCount() == 2 and table.rowCount() >= 13
    rows = dialog.rows()
    keys = dict((text, key) for key, text in rows)
    quit_text = "quit" if lang == "en" else "quitter"
    assert keys[quit_text] == "Ctrl+Q"
    assert ("Ctrl+Maj+O" if lang == "fr" else "Ctrl+Shift+O") in [key for key, _ in rows]
    metrics = table.fontMetrics()
    for row, (key, text) in enumerate(rows):
        assert key and text and "\t" not in key + text
        assert not text.startswith(("Ctrl", "F1", "Shift")), text  # no key run into the text
        # Each cell whole in its column, the keys' column left of the actions' (aligned).
        key_font = table.item(row, 0).font()
        assert QFontMetrics(key_font).horizontalAdvance(key) < table.columnWidth(0)
        assert metrics.horizontalAdvance(text) < table.columnWidth(1)
    assert rows[0][0] == "Ctrl+1 … Ctrl+6"  # one key per panel
    assert table.columnViewportPosition(0) < table.columnViewportPosition(1)
    assert table.horizontalScrollBar().maximum() == 0  # nothing to scroll to
    dialog.close()
