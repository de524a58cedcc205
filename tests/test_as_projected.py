"""The small things a class notices (issue 17): which model a panel shows, the files a lesson
writes, the shortcut list, the metrics table's headers, presentation mode on and off."""

from __future__ import annotations

import os
import stat

import pytest
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import QWidget

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
    assert rows[0][0] == f"Ctrl+1 … Ctrl+{window.tabs.count()}"  # one key per panel
    assert table.columnViewportPosition(0) < table.columnViewportPosition(1)
    assert table.horizontalScrollBar().maximum() == 0  # nothing to scroll to
    dialog.close()


def test_presentation_mode_off_restores_the_layout(qtbot, window):
    from PySide6.QtWidgets import QSplitter

    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    widths = {}

    def layout() -> dict:
        sizes = {s: s.sizes() for s in window.findChildren(QSplitter)}
        left = window.findChild(QWidget, "trainingSettingsScroll")
        return {"splitters": sizes, "training left": left.width(), "window": window.size()}

    for panel in (window.latent_panel, window.training_panel):
        window.tabs.setCurrentWidget(panel)
        qtbot.wait(10)  # let the layouts settle (an event-loop turn)
        widths[panel] = layout()
        window.set_presentation(True)
        qtbot.waitUntil(lambda: window.isFullScreen())
        window.fullscreen_action.setChecked(False)  # the offscreen screen is smaller than 1920×1080
        window.resize(1920, 1080)
        qtbot.wait(10)
        upper = window.latent_panel.findChild(QSplitter)
        if panel is window.latent_panel:
            assert layout()["splitters"] != widths[panel]["splitters"]  # presentation changed them
        window.set_presentation(False)
        window.resize(1920, 1080)
        qtbot.wait(10)
        assert layout() == widths[panel]
        assert upper.sizes()[0] == widths[window.latent_panel]["splitters"][upper][0]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("presentation", [False, True])
def test_metrics_table_headers_and_numbers_are_whole(qtbot, tiny_data_dir, model_files, lang, presentation):
    from explorer.app import build_window

    argv = ["--lang", lang, "--data-dir", str(tiny_data_dir), "--no-bundled-models"]
    argv += ["--checkpoint", str(model_files["vae"])] + (["--presentation"] if presentation else [])
    window = build_window(argv)
    qtbot.addWidget(window)
    window.ask = lambda *a: 1
    try:
        window.fullscreen_action.setChecked(False)
        window.resize(1280, 720) if presentation else window.resize(1920, 1080)
        window.show()
        qtbot.waitExposed(window)
        panel = window.training_panel
        panel.select_entry(window.session.latest("vae").id)
        table = panel.table
        qtbot.waitUntil(lambda: table.rowCount() == 2)
        qtbot.wait(10)
        header = table.horizontalHeader()
        for col in range(table.columnCount()):
            item = table.horizontalHeaderItem(col)
            text = item.text()
            assert len(text) <= 6 and item.toolTip(), text  # short; the unit in the tooltip
            assert QFontMetrics(header.font()).horizontalAdvance(text) <= header.sectionSize(col), text
            for row in range(table.rowCount()):
                cell = table.item(row, col).text()
                assert table.fontMetrics().horizontalAdvance(cell) <= table.columnWidth(col), cell
    finally:
        window.shutdown()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_training_settings_are_whole_and_the_preview_readable_in_presentation_at_720p(qtbot, tiny_data_dir, lang):
    """Issue 17, items 7 and 9: the Device combo was cut ("(no CUDA GPU fc"), the preview's
    thumbnails were ~15 px in presentation mode on a 720p projector."""
    from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox

    from explorer.app import build_window

    window = build_window(["--lang", lang, "--data-dir", str(tiny_data_dir), "--no-bundled-models", "--presentation"])
    qtbot.addWidget(window)
    window.ask = lambda *a: 1
    try:
        window.fullscreen_action.setChecked(False)
        window.resize(1280, 720)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.session.dataset is not None, timeout=10_000)
        qtbot.wait(10)
        panel = window.training_panel
        for name in ("deviceCombo", "precisionCombo", "modelKindCombo", "datasetCombo"):
            combo = panel.findChild(QComboBox, name)
            option = QStyleOptionComboBox()
            combo.initStyleOption(option)
            field = combo.style().subControlRect(
                QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
            )
            text = combo.currentText()
            assert combo.fontMetrics().horizontalAdvance(text) <= field.width(), (name, text, field.width())
            # and the column shows the combo whole: not clipped by the settings' scroll area
            right = combo.mapTo(window, combo.rect().topRight()).x()
            viewport = panel.findChild(QWidget, "trainingSettingsScroll").viewport()
            assert right <= viewport.mapTo(window, viewport.rect().topRight()).x() + 1, name
        preview = panel.preview
        qtbot.waitUntil(lambda: preview.images.shape[1] == 8)
        side = preview.cell_side()
        assert side >= 40, side  # about 15 px before the pairs could wrap into bands
    finally:
        window.shutdown()


def test_metrics_table_cells_do_not_outlive_their_rows(qapp):
    """A cell the table deletes must not leave a live Python wrapper behind (a clone() made in
    C++ did: a later object at its address came back as a QTableWidgetItem, or crashed)."""
    import shiboken6

    from core.training import EpochRecord
    from explorer.views.metrics_table import MetricsTable

    table = MetricsTable()
    records = [EpochRecord(epoch=e, train_loss=0.1, test={"test_loss": 0.2}, seconds=1.0, eval_seconds=0.1) for e in (1, 2)]
    table.set_history(records)
    old = [table.item(r, c) for r in range(2) for c in range(table.columnCount())]
    table.set_history(records[:1])  # deletes the old rows' cells
    assert not any(shiboken6.isValid(cell) for cell in old)
    from PySide6.QtCore import Qt

    assert table.item(0, 3).textAlignment() == int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    table.deleteLater()
