"""Where the app remembers things: one INI file per user (QSettings), checked on the way in.

The file is a boundary like a checkpoint or a scene: before Qt opens it, it must be a regular
file of at most 1 MB (a FIFO there hung the start for good; Qt reads the file as soon as a
QSettings object exists). A file Qt cannot parse, or one that is not UTF-8 text, is moved aside
to ``settings.ini.damaged``; every known key whose value is outside what its widget accepts
(``training/latent_dim=99999999999``, a window geometry that is not one) is removed. Each goes
to the log, and the app starts with its defaults for those keys instead of crashing.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from core import limits
from core.config import KINDS, TrainConfig
from core.safe_io import check_regular, read_regular

# The interface's languages (explorer.platform.i18n installs them; it reads its setting here).
LANGUAGES = ("en", "fr")

log = logging.getLogger(__name__)

_MAX_TEXT = 4096  # a path
_MAX_LIST = 100  # recent files, open models
_checked: dict[str, tuple[int, int]] = {}  # path → (size, mtime_ns) when last found sound


def settings_path() -> Path | None:
    """The INI file, or None where Qt picks it itself (Windows: no FIFOs to fear there)."""
    home = os.environ.get("LATENT_EXPLORER_HOME")
    if home:  # tests and portable installs keep everything in one folder
        return Path(home) / "settings.ini"
    if sys.platform == "win32":
        return None
    config = os.environ.get("XDG_CONFIG_HOME", "")  # where Qt puts IniFormat + UserScope
    root = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return root / "latent-explorer" / "latent-explorer.ini"


def app_settings() -> QSettings:
    path = settings_path()
    if path is None:
        return QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, "latent-explorer", "latent-explorer"
        )
    _check_file(path)
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    if settings.status() != QSettings.Status.NoError:
        _move_aside(path, "Qt cannot read it")
        settings = QSettings(str(path), QSettings.Format.IniFormat)
    _drop_bad_values(settings, path)
    return settings


def _check_file(path: Path) -> None:
    """Move the file aside unless it is absent or a regular UTF-8 file of at most 1 MB."""
    try:
        info = path.stat()
        if _checked.get(str(path)) == (info.st_size, info.st_mtime_ns):
            return
        check_regular(path, limits.SETTINGS_BYTES)
        if path.exists():
            read_regular(path, limits.SETTINGS_BYTES).decode("utf-8")
    except FileNotFoundError:
        return
    except UnicodeDecodeError:
        _move_aside(path, "it is not text")
    except OSError as exc:
        _move_aside(path, str(exc))


def _move_aside(path: Path, why: str) -> None:
    aside = path.with_name(path.name + ".damaged")
    try:
        os.replace(path, aside)
        log.warning("settings file %s ignored (%s); moved to %s, defaults apply", path, why, aside)
    except OSError as exc:
        log.warning("settings file %s ignored (%s) and cannot be moved aside: %s", path, why, exc)


def _drop_bad_values(settings: QSettings, path: Path) -> None:
    try:
        info = path.stat()
    except OSError:
        return
    if _checked.get(str(path)) == (info.st_size, info.st_mtime_ns):
        return
    for key, is_valid in VALIDATORS.items():
        if settings.contains(key) and not _valid(is_valid, settings.value(key)):
            log.warning("setting %s=%.80r ignored: out of range or of the wrong type", key, settings.value(key))
            settings.remove(key)
    settings.sync()
    try:
        info = path.stat()
        _checked[str(path)] = (info.st_size, info.st_mtime_ns)
    except OSError:
        pass


def _valid(is_valid: Callable[[object], bool], value: object) -> bool:
    try:
        return bool(is_valid(value))
    except (TypeError, ValueError, OverflowError, RecursionError):
        return False


def _text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= _MAX_TEXT


def _texts(value: object) -> bool:  # QSettings gives one string for a one-item list
    return _text(value) or (isinstance(value, list) and len(value) <= _MAX_LIST and all(map(_text, value)))


def _int_text(bounds: tuple[int, int]) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        text = str(value) if limits.is_int(value) else value
        return isinstance(text, str) and len(text) <= 10 and text.isdigit() and limits.int_in(int(text), bounds)

    return check


def _bool(value: object) -> bool:
    return isinstance(value, bool) or value in ("true", "false")


def _train_config(value: object) -> bool:
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        return False
    data = json.loads(value)
    if not isinstance(data, dict):
        return False
    limits.check_train_settings(data)
    TrainConfig.from_dict(data)
    return True


def _geometry(value: object) -> bool:
    return isinstance(value, QByteArray) and 0 < value.size() <= 10_000


# Every key the app reads, with what its reader accepts. A key added elsewhere and not listed
# here is read as before: list it to have it checked.
VALIDATORS: dict[str, Callable[[object], bool]] = {
    "training/config": _train_config,
    "training/kind": lambda v: v in KINDS,
    "training/latent_dim": _int_text(limits.LATENT_DIM),
    "window/geometry": _geometry,
    "view/presentation": _bool,
    "ui/language": lambda v: v in LANGUAGES,
    "files/recent": _texts,
    "files/last_folder": _text,
    "files/last_scene_folder": _text,
    "session/models": _texts,
}
