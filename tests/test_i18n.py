"""The French interface: every visible string translated, the .ts complete and built, the language
chosen from --lang, the View → Language menu or the system."""

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyqtgraph as pg
import pytest
import torch
from PySide6.QtGui import QAction, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGraphicsTextItem,
    QGroupBox,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QTableWidget,
    QTabWidget,
    QWidget,
    QWidgetAction,
)

from core.checkpoint import save_checkpoint
from core.data import CLASS_NAMES
from core.models import ModelConfig
from core.training import TrainConfig, Trainer, new_model
from explorer.app import build_window
from explorer.platform import i18n
from explorer.platform.settings import app_settings
from explorer.views.widgets import ImageGrid

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "translations" / "latent_explorer_fr.ts"
QM = TS.with_suffix(".qm")

# What reads the same in both languages: names, the field's abbreviations and symbols, the
# endpoints A and B, the languages' own names, and French words spelled as in English.
SAME_TERMS = ("Latent Explorer", "Fashion-MNIST", "PyQtGraph", "t-SNE", "bf16", "fp32", "dy/dx")
SAME_WORDS = set(
    "ae vae pca kl mse bce fft cpu gpu cuda nats n i x y z μ α β σ a b english français".split()
    + "auto image interpolation pause pixel points reconstruction test s".split()
)


def language_neutral(text: str) -> bool:
    for term in SAME_TERMS:
        text = text.replace(term, " ")
    return all(word.lower() in SAME_WORDS for word in re.findall(r"[^\W\d_]+", text))


def plain(text: str) -> str:
    if "<" in text:  # rich text: the words, not the tags
        document = QTextDocument()
        document.setHtml(text)
        text = document.toPlainText()
    return text.strip()


def widget_texts(w: QWidget) -> list[str]:
    texts = [w.toolTip(), w.statusTip(), w.whatsThis()]
    if isinstance(w, (QLabel, QAbstractButton)):
        texts.append(w.text())
    if isinstance(w, QGroupBox):
        texts.append(w.title())
    if isinstance(w, QMenu):
        texts.append(w.title())
        texts += action_texts(w.actions())
    if isinstance(w, QTabWidget):
        texts += [w.tabText(i) for i in range(w.count())] + [w.tabToolTip(i) for i in range(w.count())]
    if isinstance(w, QComboBox):
        texts += [w.itemText(i) for i in range(w.count())]
    if isinstance(w, QAbstractSpinBox):
        texts += [w.specialValueText(), getattr(w, "prefix", str)(), getattr(w, "suffix", str)()]
    if isinstance(w, QProgressBar):
        texts.append(w.format().replace("%p", "").replace("%v", "").replace("%m", ""))
    if isinstance(w, QTableWidget):
        headers = [w.horizontalHeaderItem(c) for c in range(w.columnCount())]
        cells = [w.item(r, c) for r in range(w.rowCount()) for c in range(w.columnCount())]
        texts += [item.text() for item in headers + cells if item is not None]
    if isinstance(w, ImageGrid):
        texts += w.row_labels
    if isinstance(w, pg.GraphicsView):  # axis labels, titles, legends, text on the plots
        texts += [i.toPlainText() for i in w.scene().items() if isinstance(i, QGraphicsTextItem)]
    if isinstance(w, pg.PlotWidget):  # pyqtgraph's context menus, which belong to no widget
        plot = w.getPlotItem()
        for menu in (plot.getViewBox().menu, plot.ctrlMenu):
            texts += widget_texts(menu) if menu is not None else []
    return texts


def action_texts(actions: list[QAction]) -> list[str]:
    """Texts of actions, their submenus and the widgets some of them show (pyqtgraph's menus)."""
    texts = []
    for action in actions:
        texts += [action.text(), action.toolTip(), action.statusTip()]
        if action.menu() is not None:
            texts += widget_texts(action.menu())
        if isinstance(action, QWidgetAction) and action.defaultWidget() is not None:
            widget = action.defaultWidget()
            for w in [widget, *widget.findChildren(QWidget)]:
                texts += widget_texts(w)
    return texts


def visible_texts(window, data: list[str]) -> set[str]:
    """Every text the window shows or holds ready: widgets, menus, tooltips, plots, image labels;
    without the ``data`` in them (file names, the GPU's name), which no language changes."""
    texts = [window.windowTitle(), window.statusBar().currentMessage()]
    for w in window.findChildren(QWidget):
        texts += widget_texts(w)
    texts += action_texts(window.findChildren(QAction))
    if torch.cuda.is_available():
        data = [*data, torch.cuda.get_device_name(0)]
    for item in sorted(data, key=len, reverse=True):  # vae.safetensors before ae.safetensors
        texts = [t.replace(item, "") for t in texts]
    return {plain(t) for t in texts if plain(t)}


@pytest.fixture(scope="module")
def model_files(tmp_path_factory, tiny_data):
    folder = tmp_path_factory.mktemp("models")
    paths = []
    for kind, latent in (("ae", 3), ("vae", 4)):
        model = new_model(ModelConfig(kind, latent))
        result = Trainer(model, TrainConfig(epochs=1, batch_size=64, device="cpu"), tiny_data).run()
        paths.append(save_checkpoint(folder / f"{kind}.safetensors", model, history=result.history))
    return paths


@pytest.fixture
def open_window(qtbot, tiny_data_dir):
    """Builds windows from these arguments and the tiny dataset; keeps them alive until the test
    ends (qtbot holds weak references)."""
    windows = []

    def open_(argv: list[str]):
        window = build_window(["--data-dir", str(tiny_data_dir), *argv])
        qtbot.addWidget(window)
        window.ask = lambda *a: 1
        windows.append(window)
        return window

    yield open_
    for window in windows:
        window.shutdown()


def texts_in(qtbot, open_window, lang: str, model_files) -> set[str]:
    argv = ["--lang", lang]
    for path in model_files:
        argv += ["--checkpoint", str(path)]
    window = open_window(argv)
    qtbot.waitUntil(lambda: window.session.dataset is not None, timeout=10_000)
    return visible_texts(window, [str(p) for p in model_files] + [p.name for p in model_files])


def test_every_visible_string_is_translated(qtbot, open_window, model_files):
    english = texts_in(qtbot, open_window, "en", model_files)
    french = texts_in(qtbot, open_window, "fr", model_files)
    untranslated = sorted(t for t in english & french if not language_neutral(t))
    assert not untranslated, "English in the French interface:\n" + "\n".join(map(repr, untranslated))
    # The walk reaches panels, class names and pyqtgraph's menus.
    assert {"Training", "Lab defaults", "Log scale", "Coat", "View All"} <= english
    assert {"Entraînement", "Réglages du TP", "Échelle logarithmique", "Manteau", "Tout afficher"} <= french


def test_language_neutral_terms():
    assert language_neutral("AE vs VAE") is False
    assert all(map(language_neutral, ["PCA", "→ A", "α = 0.50", "z3", "MSE / pixel", "t-SNE 1", "β"]))
    assert not any(map(language_neutral, ["Start", "test image", "Latent explorer", "T-shirt/top"]))


def test_lang_option_installs_french_then_english_without_stacking(open_window):
    window = open_window(["--lang", "fr"])
    assert window.tabs.tabText(0) == "Entraînement"
    assert i18n.language() == "fr" and i18n.class_name(4) == "Manteau"
    # Qt's own translations come too: standard buttons speak French.
    box = QMessageBox(QMessageBox.Icon.Information, "", "", QMessageBox.StandardButton.Cancel)
    assert box.button(QMessageBox.StandardButton.Cancel).text().replace("&", "") == "Annuler"
    box.deleteLater()
    window = open_window(["--lang", "fr"])
    assert len(i18n._installed) == 2  # ours and qtbase, once
    window = open_window(["--lang", "en"])
    assert window.tabs.tabText(0) == "Training" and not i18n._installed
    assert i18n.class_name(4) == "Coat"


def test_language_menu_saves_the_choice_for_the_next_start(open_window):
    window = open_window([])
    assert window.tabs.tabText(0) == "Training"  # the system's language (English here)
    menu = window.findChild(QMenu, "languageMenu")
    actions = {a.data(): a for a in menu.actions()}
    assert actions["en"].isChecked() and actions["fr"].text() == "Français"
    actions["fr"].trigger()
    assert app_settings().value(i18n.SETTINGS_KEY) == "fr"
    box = window.findChild(QMessageBox, "languageDialog")
    assert box is not None and "French" in box.text()
    box.close()
    assert open_window([]).tabs.tabText(0) == "Entraînement"
    assert open_window(["--lang", "en"]).tabs.tabText(0) == "Training"  # the option wins


def test_language_of_ui_languages():
    assert i18n.language_of(["fr-Latn-FR", "fr-FR", "fr"]) == "fr"
    assert i18n.language_of(["fr_CA"]) == "fr"
    assert i18n.language_of(["de-DE", "de", "fr"]) == "fr"  # French as a fallback beats English
    assert i18n.language_of(["en-GB", "fr"]) == "en"
    assert i18n.language_of(["C"]) == "en"
    assert i18n.language_of(["de-DE", "de"]) == "en"


@pytest.mark.parametrize(("env", "expected"), [("fr_FR.UTF-8", "fr"), ("C", "en"), ("de_DE.UTF-8", "en")])
def test_system_language_follows_the_locale(env, expected):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    code = "from explorer.platform.i18n import system_language; print(system_language())"
    out = subprocess.run(
        [sys.executable, "-c", code], env={**environ, "LANG": env}, cwd=ROOT, capture_output=True, text=True
    )
    assert out.stdout.strip() == expected, out.stderr


def test_class_names_match_core():
    assert i18n.CLASS_NAME_TEXTS == CLASS_NAMES


def test_format_count_groups_as_the_language_does():
    assert i18n.format_count(60000) == "60,000"
    i18n._language = "fr"
    try:
        assert i18n.format_count(60000) == "60\u202f000"
    finally:
        i18n._language = "en"


# --- the translation files ----------------------------------------------------------------


def messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(path).getroot()
    return {
        (context.findtext("name"), message.findtext("source")): message.find("translation")
        for context in root.iter("context")
        for message in context.iter("message")
    }


def qt_tool(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def test_ts_is_fully_translated():
    entries = messages(TS)
    assert len(entries) > 200
    unfinished = [key for key, t in entries.items() if t.get("type") or not (t.text or "").strip()]
    assert not unfinished, f"untranslated or obsolete entries in {TS.name}: {unfinished}"


def test_translations_keep_placeholders_and_accelerators():
    fields = re.compile(r"\{[^{}]*\}|%p|&&")
    wrong = []
    for (context, source), translation in messages(TS).items():
        if sorted(fields.findall(source)) != sorted(fields.findall(translation.text or "")):
            wrong.append((context, source, translation.text))
        if ("&" in source.replace("&&", "")) != ("&" in (translation.text or "").replace("&&", "")):
            wrong.append((context, source, translation.text))
    assert not wrong


def test_every_source_string_is_in_the_ts(tmp_path):
    """Fails when someone adds a string without `make translations` and translating it."""
    lupdate = qt_tool("pyside6-lupdate")
    if lupdate is None:
        pytest.skip("pyside6-lupdate not found")
    fresh = tmp_path / "latent_explorer_fr.ts"
    sources = sorted(str(p) for p in (ROOT / "explorer").rglob("*.py"))
    subprocess.run(
        [lupdate, *sources, "-silent", "-locations", "none", "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    missing = sorted(set(messages(fresh)) - set(messages(TS)))
    assert not missing, f"not in {TS.name} (run `make translations`, then translate): {missing}"


def test_qm_is_built_from_the_ts(tmp_path):
    lrelease = qt_tool("pyside6-lrelease")
    if lrelease is None:
        pytest.skip("pyside6-lrelease not found")
    built = tmp_path / "fresh.qm"
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(built)], check=True, capture_output=True)
    assert built.read_bytes() == QM.read_bytes(), "run `make translations` and commit the .qm"
