"""The session: the models the app holds and the dataset, in one place, with change signals.

Everything that changes the list of models or an entry's file goes through a method here that
emits: open a model file, the bundled models, save, recover an autosave, the recent files and
the models to reopen at the next start. Widgets read from it and redraw when it signals; no
widget reaches into another widget. What the user should read comes out as signals too
(``problem`` for a dialog, ``message`` for the status bar): the session shows nothing itself.

Its texts keep the translation context "MainWindow", where they were first written, so the
translations stay as they are.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from core.checkpoint import SUFFIX, CheckpointError, load_checkpoint, save_checkpoint
from core.data import Dataset
from explorer.platform.settings import app_settings
from explorer.state import autosave
from explorer.state.entry import ModelEntry
from explorer.state.scene import resolve_model_path
from resources import resource_path

__all__ = ["MAX_RECENT", "ModelEntry", "Session"]

log = logging.getLogger(__name__)

MAX_RECENT = 8
BUNDLED_KINDS = ("ae", "vae")


class Session(QObject):
    """Models and data shared by every panel."""

    modelsChanged = Signal()  # added, removed, renamed, saved
    modelUpdated = Signal(int)  # an entry's weights or history changed (its id)
    datasetChanged = Signal()
    recentChanged = Signal()  # the recent files
    alreadyOpen = Signal(int)  # a file asked for is open already: its entry's id
    problem = Signal(str, str)  # title, message: something went wrong, for a dialog
    message = Signal(str, int)  # a line for the status bar, and for how many milliseconds

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[ModelEntry] = []
        self.dataset: Dataset | None = None
        self.dataset_error: str | None = None

    # --- the entries -----------------------------------------------------------------------

    @property
    def entries(self) -> list[ModelEntry]:
        return list(self._entries)

    def entry(self, entry_id: int) -> ModelEntry | None:
        return next((e for e in self._entries if e.id == entry_id), None)

    def add(self, entry: ModelEntry) -> ModelEntry:
        self._entries.append(entry)
        self.modelsChanged.emit()
        return entry

    def remove(self, entry_id: int) -> None:
        self._entries = [e for e in self._entries if e.id != entry_id]
        self.modelsChanged.emit()

    def find_path(self, path: Path) -> ModelEntry | None:
        path = Path(path).resolve()
        return next((e for e in self._entries if e.path and e.path.resolve() == path), None)

    def latest(self, kind: str) -> ModelEntry | None:
        return next((e for e in reversed(self._entries) if e.kind == kind), None)

    def unsaved(self) -> list[ModelEntry]:
        return [e for e in self._entries if not e.saved and e.history]

    def mark_updated(self, entry: ModelEntry) -> None:
        self.modelUpdated.emit(entry.id)
        self.modelsChanged.emit()  # names show epochs and the unsaved star

    def release(self, entry: ModelEntry) -> None:
        """No run trains entry any more (one stopped at close, whose end the window does not
        wait for): it can be saved."""
        if entry.training:
            entry.training = False
            self.modelsChanged.emit()

    def discard_unsaved(self) -> list[ModelEntry]:
        """The user chose to quit without saving: the unsaved models count as dealt with."""
        entries = self.unsaved()
        for entry in entries:
            entry.saved = True
        if entries:
            self.modelsChanged.emit()
        return entries

    def set_dataset(self, dataset: Dataset | None, error: str | None = None) -> None:
        self.dataset = dataset
        self.dataset_error = error
        self.datasetChanged.emit()

    # --- files -----------------------------------------------------------------------------

    def open_checkpoint(self, path: str | Path) -> ModelEntry | None:
        """Open a model file (the entry it is already, if open); a problem is signalled."""
        try:
            path = Path(path).expanduser()
        except RuntimeError:  # "~nobody/...": load_checkpoint explains
            path = Path(path)
        existing = self.find_path(path)
        if existing is not None:
            self.alreadyOpen.emit(existing.id)
            return existing
        try:
            checkpoint = load_checkpoint(path)
        except CheckpointError as exc:
            self.problem.emit(QCoreApplication.translate("MainWindow", "Cannot open model"), str(exc))
            self._forget_recent(path)
            return None
        entry = self.add(ModelEntry.from_checkpoint(checkpoint))
        self._remember_recent(path)
        self.message.emit(QCoreApplication.translate("MainWindow", "Opened {name}").format(name=path.name), 5000)
        for warning in checkpoint.warnings:  # a part of the file was dropped: say which
            self.problem.emit(QCoreApplication.translate("MainWindow", "Opened with a warning"), warning)
        return entry

    def open_bundled(self, kinds: tuple[str, ...] | list[str] = BUNDLED_KINDS) -> list[ModelEntry]:
        """The pretrained AE and VAE shipped with the app, so the explorer works at once."""
        entries = []
        for kind in (k for k in kinds if k in BUNDLED_KINDS):
            path = Path(str(resource_path(f"models/{kind}.safetensors")))
            try:
                checkpoint = load_checkpoint(path)
            except CheckpointError as exc:  # a broken install: say so, start empty
                log.warning("bundled model %s: %s", path, exc)
                continue
            entries.append(self.add(ModelEntry.from_checkpoint(checkpoint, bundled=True)))
        return entries

    def save_entry(self, entry: ModelEntry, path: str | Path) -> bool:
        """Write entry's model to path (``.safetensors`` added); it is then saved, and no longer
        the bundled one."""
        path = Path(path).expanduser()
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        if entry.training:
            self.problem.emit(
                QCoreApplication.translate("MainWindow", "Cannot save"),
                QCoreApplication.translate("MainWindow", "Stop or finish training before saving this model."),
            )
            return False
        try:
            save_checkpoint(
                path, entry.model, entry.train_config, entry.history, replay=entry.replay, dataset=entry.dataset
            )
        except CheckpointError as exc:
            self.problem.emit(QCoreApplication.translate("MainWindow", "Cannot save model"), str(exc))
            return False
        entry.path = path
        entry.saved = True
        entry.bundled = False
        autosave.remove(entry)
        self._remember_recent(path)
        self.modelsChanged.emit()
        self.message.emit(QCoreApplication.translate("MainWindow", "Saved {path}").format(path=path), 5000)
        return True

    def recover(self, files: list[Path]) -> list[ModelEntry]:
        """Open autosaved models as unsaved models of this session (their autosave moves to it)."""
        entries = []
        for path in files:
            try:
                checkpoint = load_checkpoint(path)
            except CheckpointError as exc:
                self.problem.emit(QCoreApplication.translate("MainWindow", "Cannot recover a model"), str(exc))
                continue
            entry = ModelEntry.from_checkpoint(checkpoint)
            entry.path = None
            entry.saved = False
            self.add(entry)
            if autosave.write(entry) is not None:
                path.unlink(missing_ok=True)
            entries.append(entry)
        if entries:
            self.message.emit(
                QCoreApplication.translate(
                    "MainWindow", "Recovered {n} model(s): save them with File → Save model as."
                ).format(n=len(entries)),
                10000,
            )
        return entries

    def open_scene_models(self, refs: list[dict], scene_dir: Path) -> tuple[list[ModelEntry | None], list[str]]:
        """The models a scene names, opened (or found open), and the names of those that could not be."""
        entries: list[ModelEntry | None] = []
        missing: list[str] = []
        for ref in refs:
            if "bundled" in ref:
                entry = next((e for e in self._entries if e.bundled and e.saved and e.kind == ref["bundled"]), None)
                if entry is None:
                    entry = next(iter(self.open_bundled([ref["bundled"]])), None)
                if entry is None:
                    missing.append(
                        QCoreApplication.translate("MainWindow", "the bundled {kind}").format(kind=ref["bundled"].upper())
                    )
            else:
                model_path = resolve_model_path(ref, scene_dir)
                entry = self.open_checkpoint(model_path) if model_path.is_file() else None
                if entry is None:
                    missing.append(str(model_path))
            entries.append(entry)
        return entries, missing

    # --- what the next start reopens, and the recent files ---------------------------------

    def reopen_last(self) -> bool:
        """The models open when the app last closed (saved ones only), if they still exist."""
        value = app_settings().value("session/models", [])
        refs = [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
        opened = False
        for ref in refs:
            if ref.startswith("bundled:"):
                opened |= bool(self.open_bundled([ref.removeprefix("bundled:")]))
            elif Path(ref).is_file():
                opened |= self.open_checkpoint(ref) is not None
        return opened

    def remember_models(self) -> None:
        """Note the saved models, for reopen_last at the next start."""
        refs = [
            f"bundled:{e.kind}" if e.bundled else str(e.path.resolve())
            for e in self._entries
            if e.saved and (e.bundled or e.path is not None)
        ]
        app_settings().setValue("session/models", refs)

    def recent(self) -> list[str]:
        value = app_settings().value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in value or [] if isinstance(v, str)]

    def _remember_recent(self, path: Path) -> None:
        s = app_settings()
        text = str(path.resolve())
        recent = [text] + [p for p in self.recent() if p != text]
        s.setValue("files/recent", recent[:MAX_RECENT])
        s.setValue("files/last_folder", str(path.resolve().parent))
        self.recentChanged.emit()

    def _forget_recent(self, path: Path) -> None:
        text = str(path.resolve())
        app_settings().setValue("files/recent", [p for p in self.recent() if p != text])
        self.recentChanged.emit()
