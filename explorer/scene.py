"""Lesson scenes: a small JSON file that brings back one exact view of the app.

A teacher prepares the lesson's moments at home (File → Save scene) and steps through them in
class (File → Open scene, or ``latent-explorer lesson.scene.json``). A scene names its models by
path (relative to the scene's folder when they sit below it, so a folder of scenes and models
can be copied as a whole) or as the bundled ones, and holds the panel on screen, the latent
explorer's model, map, selected image, sliders and interpolation, the generation and
reconstruction settings, and presentation mode. It is data only: nothing in it is executed.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from explorer.i18n import format_count

FORMAT = "latent-explorer-scene"
VERSION = 1
SUFFIX = ".scene.json"
MAX_BYTES = 1_000_000
PANELS = ("training", "latent", "generation", "reconstruction", "compare", "understanding")


class SceneError(Exception):
    """A scene cannot be read or written; the message is meant for the user."""


def save_scene(path: str | os.PathLike, scene: dict) -> Path:
    """Write a scene atomically (a temporary file, then a rename)."""
    path = Path(path).expanduser()
    text = json.dumps({"format": FORMAT, "version": VERSION, **scene}, indent=2, ensure_ascii=False)
    try:
        handle, temp = tempfile.mkstemp(prefix=".scene-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SceneError(
            QCoreApplication.translate("Scene", "Cannot write the scene {path}: {error}").format(
                path=path, error=exc.strerror or exc
            )
        ) from None
    return path


def load_scene(path: str | os.PathLike) -> dict:
    """Read and check a scene; raises SceneError naming the file and the problem."""
    path = Path(path).expanduser()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SceneError(
                QCoreApplication.translate("Scene", "{path} is too large to be a scene ({n} bytes).").format(
                    path=path, n=format_count(path.stat().st_size)
                )
            )
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SceneError(
            QCoreApplication.translate("Scene", "Cannot read the scene {path}: {error}").format(
                path=path, error=exc.strerror or exc
            )
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SceneError(
            QCoreApplication.translate("Scene", "{path} is not a scene file (not JSON: {error}).").format(
                path=path, error=exc
            )
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SceneError(
            QCoreApplication.translate("Scene", "{path} is not a Latent Explorer scene.").format(path=path)
        )
    version = document.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SceneError(
            QCoreApplication.translate(
                "Scene", "{path} was written by a newer Latent Explorer (scene version {version})."
            ).format(path=path, version=version)
        )
    models = document.get("models", [])
    if not isinstance(models, list) or not all(_is_model_ref(m) for m in models):
        raise SceneError(
            QCoreApplication.translate("Scene", "{path}: its list of models is malformed.").format(path=path)
        )
    for key in ("latent", "generation", "reconstruction", "compare", "understanding"):
        if not isinstance(document.get(key, {}), dict):
            raise SceneError(
                QCoreApplication.translate("Scene", "{path}: '{key}' should be an object.").format(
                    path=path, key=key
                )
            )
    return document


def _is_model_ref(m: Any) -> bool:
    return isinstance(m, dict) and (
        (m.get("bundled") in ("ae", "vae")) or (isinstance(m.get("path"), str) and m["path"])
    )


def model_ref(path: Path | None, bundled_kind: str | None, scene_dir: Path) -> dict | None:
    """How a scene names a model: the bundled one, or its path (relative below the scene's folder)."""
    if bundled_kind:
        return {"bundled": bundled_kind}
    if path is None:
        return None
    path = path.resolve()
    try:
        return {"path": path.relative_to(scene_dir.resolve()).as_posix()}
    except ValueError:
        return {"path": str(path)}


def resolve_model_path(ref: dict, scene_dir: Path) -> Path:
    path = Path(ref["path"]).expanduser()
    return path if path.is_absolute() else scene_dir / path


# --- typed reading of a scene's values: a bad value is ignored, never trusted ---------------


def get_int(section: dict, key: str, low: int, high: int) -> int | None:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def get_float(section: dict, key: str, low: float, high: float) -> float | None:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) and low <= value <= high else None


def get_choice(section: dict, key: str, choices: tuple[str, ...]) -> str | None:
    value = section.get(key)
    return value if value in choices else None


def get_vector(section: dict, key: str, size: int) -> list[float] | None:
    value = section.get(key)
    if not isinstance(value, list) or len(value) != size:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        return None
    return [float(v) for v in value]
