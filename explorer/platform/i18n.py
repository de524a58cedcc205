"""The interface's language: English (the source texts) or French.

The choice comes from ``--lang``, else from the View → Language menu (saved in the settings),
else from the system's UI languages (French for fr_*, English otherwise, a C/POSIX locale
included). Qt's own translations (``qtbase_fr``) come with ours, so that standard dialogs
(message box buttons, file dialogs) speak the same language.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QTranslator

from explorer.platform.settings import LANGUAGES, app_settings
from resources import resource_path

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
# Each language by its own name, as language menus show them whatever the current language.
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
SETTINGS_KEY = "ui/language"

# Fashion-MNIST's classes in label order, as core.data.CLASS_NAMES (core never imports Qt), marked
# here for lupdate and translated when shown, by class_name(). A test keeps the two equal.
CLASS_NAME_TEXTS = (
    QT_TRANSLATE_NOOP("FashionMNIST", "T-shirt/top"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Trouser"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Pullover"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Dress"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Coat"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Sandal"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Shirt"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Sneaker"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Bag"),
    QT_TRANSLATE_NOOP("FashionMNIST", "Ankle boot"),
)

# pyqtgraph titles its "X axis" and "Y axis" menus with an f-string that lupdate cannot read;
# marked here, so that the .ts holds it too (the rest of pyqtgraph's menus: see the Makefile).
QT_TRANSLATE_NOOP("ViewBox", "axis")

# The translators installed now (a QTranslator must outlive its installation), and their language.
_installed: list[QTranslator] = []
_language = SOURCE_LANGUAGE


def class_name(label: int) -> str:
    """The name of a Fashion-MNIST class in the interface's language."""
    return QCoreApplication.translate("FashionMNIST", CLASS_NAME_TEXTS[label])


def language_of(ui_languages: list[str]) -> str:
    """The first of these (BCP 47 or POSIX) names that we translate to, else English."""
    for name in ui_languages:
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return SOURCE_LANGUAGE


def system_language() -> str:
    return language_of(QLocale.system().uiLanguages())


def saved_language() -> str | None:
    value = app_settings().value(SETTINGS_KEY)
    return value if value in LANGUAGES else None


def save_language(language: str) -> None:
    app_settings().setValue(SETTINGS_KEY, language)


def resolve_language(requested: str | None = None) -> str:
    """``--lang`` if given, else the saved choice, else the system's language."""
    return requested or saved_language() or system_language()


def language() -> str:
    """The language installed now."""
    return _language


def install(lang: str) -> str:
    """Make ``lang`` the interface's language for widgets built from now on.

    The translators installed before are removed first, so that installing again (tests build
    many windows) never stacks them. Returns the language installed: English when the
    translation file is missing.
    """
    global _language
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _language = SOURCE_LANGUAGE
    if lang == SOURCE_LANGUAGE:
        return _language
    ours = _load(f"latent_explorer_{lang}", str(resource_path("translations")))
    if ours is None:
        log.warning("no %s translation of the interface: it stays in English", lang)
        return _language
    qt = _load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for translator in (qt, ours):
        if translator is not None:
            app.installTranslator(translator)
            _installed.append(translator)
    _language = lang
    return _language


def _load(name: str, folder: str) -> QTranslator | None:
    translator = QTranslator()
    if translator.load(name, folder):
        return translator
    log.warning("cannot load translation %s from %s", name, folder)
    return None


def format_count(n: int) -> str:
    """A whole number grouped by thousands as the interface's language writes it: 60,000 or 60 000."""
    text = f"{n:,}"
    return text.replace(",", "\u202f") if _language == "fr" else text
