"""Where the app remembers things: one INI file per user (QSettings)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings


def app_settings() -> QSettings:
    home = os.environ.get("LATENT_EXPLORER_HOME")
    if home:  # tests and portable installs keep everything in one folder
        return QSettings(str(Path(home) / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "latent-explorer", "latent-explorer"
    )
