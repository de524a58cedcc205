"""Where the app keeps its own files (data, autosaves, logs, caches)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "latent-explorer"


def user_data_dir() -> Path:
    """The app's data folder; ``LATENT_EXPLORER_HOME`` overrides it (tests, portable installs)."""
    override = os.environ.get("LATENT_EXPLORER_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_cache_dir() -> Path:
    """The app's cache folder (files it can always make again: maps, converted picture folders);
    under ``LATENT_EXPLORER_HOME`` when that is set."""
    override = os.environ.get("LATENT_EXPLORER_HOME")
    if override:
        return Path(override).expanduser() / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
