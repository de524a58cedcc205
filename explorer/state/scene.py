"""Lesson scenes: a small JSON file that brings back one exact view of the app.

A teacher prepares the lesson's moments at home (File → Save scene) and steps through them in
class (File → Open scene, or ``latent-explorer lesson.scene.json``). A scene names its models by
path (relative to the scene's folder when they sit below it, so a folder of scenes and models
can be copied as a whole) or as the bundled ones, and holds the panel on screen, the latent
explorer's model, map, selected image, sliders and interpolation, the generation and
reconstruction settings, and presentation mode. It is data only: nothing in it is executed.

Reading is bounded (core.safe_io: a regular file of at most 1 MB, no pipe, no device), nesting
deeper than limits.SCENE_DEPTH is refused before parsing, and every value is read through a
typed getter with the widget's own range: a bad value is ignored, never trusted.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication

from core import limits
from core.safe_io import UnsafeFileError, atomic_write, read_regular
from explorer.platform.i18n import format_count

FORMAT = "latent-explorer-scene"
VERSION = 1
SUFFIX = ".scene.json"
MAX_BYTES = limits.SCENE_BYTES
PANELS = ("training", "latent", "generation", "reconstruction", "compare", "understanding")
# The window's tabs, in order: a scene's "panel" names the one it shows.
PANEL_KEYS = (*PANELS, "draw")


class SceneError(Exception):
    """A scene cannot be read or written; the message is meant for the user."""


def save_scene(path: str | os.PathLike, scene: dict) -> Path:
    """Write a scene atomically (an exclusive temporary file, then a rename)."""
    path = Path(path).expanduser()
    text = json.dumps({"format": FORMAT, "version": VERSION, **scene}, indent=2, ensure_ascii=False)
    try:
        atomic_write(path, (text + "\n").encode("utf-8"))
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
        text = read_regular(path, MAX_BYTES).decode("utf-8")
        if _depth(text) > limits.SCENE_DEPTH:
            raise ValueError(f"nested deeper than {limits.SCENE_DEPTH} levels")
        document = json.loads(text)
    except UnsafeFileError as exc:
        if exc.reason == "too_large":
            raise SceneError(
                QCoreApplication.translate("Scene", "{path} is too large to be a scene ({n} bytes).").format(
                    path=path, n=format_count(exc.size)
                )
            ) from None
        raise SceneError(
            QCoreApplication.translate("Scene", "{path} is not a scene file: it is not a regular file.").format(
                path=path
            )
        ) from None
    except OSError as exc:
        raise SceneError(
            QCoreApplication.translate("Scene", "Cannot read the scene {path}: {error}").format(
                path=path, error=exc.strerror or exc
            )
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
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


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (strings skipped), without parsing it:
    json.loads would recurse once per level."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


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


# --- a scene over the states: each state writes and reads its own section -----------------


class SceneSection(Protocol):
    """A state that saves its part of a scene: ``at(entry)`` is a model's index in the scene's
    list of models (None when the scene cannot name it); ``entry_at(section, key)`` the model
    the section names under ``key``, or None."""

    def to_scene(self, at: Callable[[Any], int | None]) -> dict: ...

    def apply_scene(self, section: dict, entry_at: Callable[[dict, str], Any]) -> None: ...


def sections_to_scene(states: Mapping[str, SceneSection], at: Callable[[Any], int | None]) -> dict:
    return {name: state.to_scene(at) for name, state in states.items()}


def apply_sections(scene: dict, states: Mapping[str, SceneSection], entry_at: Callable[[dict, str], Any]) -> None:
    """Each state reads its section, in the mapping's order; a missing or malformed section is
    an empty one."""
    for name, state in states.items():
        section = scene.get(name)
        state.apply_scene(section if isinstance(section, dict) else {}, entry_at)


def scene_models(entries: Iterable, scene_dir: Path) -> tuple[list[dict], Callable[[Any], int | None], list[str]]:
    """How a scene names the session's models: (their refs, ``at(entry)`` giving an entry's index
    among them, the names of the models it cannot hold — never saved, or changed since)."""
    refs: list[dict] = []
    index: dict[int, int] = {}
    left_out: list[str] = []
    for entry in entries:
        ref = model_ref(entry.path, entry.kind if entry.bundled else None, scene_dir) if entry.saved else None
        if ref is None:
            left_out.append(entry.name)
            continue
        index[entry.id] = len(refs)
        refs.append(ref)

    def at(entry) -> int | None:
        return index.get(entry.id) if entry is not None else None

    return refs, at, left_out


def entry_finder(entries: list) -> Callable[[dict, str], Any]:
    """``entry_at(section, key)``: the model of a scene's list that a section names under key."""

    def entry_at(section: dict, key: str):
        i = get_int(section, key, 0, len(entries) - 1)
        return entries[i] if i is not None else None

    return entry_at


# --- typed reading of a scene's values: a bad value is ignored, never trusted ---------------


def get_int(section: dict, key: str, low: int, high: int) -> int | None:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def get_float(section: dict, key: str, low: float, high: float) -> float | None:
    value = section.get(key)
    return float(value) if limits.real_in(value, low, high) else None


def get_choice(section: dict, key: str, choices: tuple[str, ...]) -> str | None:
    value = section.get(key)
    return value if value in choices else None


def get_vector(section: dict, key: str, size: int, bound: float = limits.LATENT_CODE) -> list[float] | None:
    """A latent code of this size, every coordinate within ±bound (1e300 would overflow the
    decoder to infinities and the sliders' arithmetic to NaN)."""
    value = section.get(key)
    if not isinstance(value, list) or len(value) != size:
        return None
    if not all(limits.real_in(v, -bound, bound) for v in value):
        return None
    return [float(v) for v in value]
