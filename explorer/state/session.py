"""The session: the models the app holds and the dataset, in one place, with change signals.

Widgets read from it and redraw when it signals; no widget reaches into another widget.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from core.checkpoint import Checkpoint
from core.data import FASHION_MNIST, Dataset, DatasetInfo
from core.models import LatentModel
from core.training import EpochRecord, Replay, TrainConfig
from explorer.state.batch_losses import BatchLosses

_ids = itertools.count(1)


@dataclass
class ModelEntry:
    """One model of the session, trained here or opened from a file."""

    model: LatentModel
    train_config: TrainConfig | None = None
    history: list[EpochRecord] = field(default_factory=list)
    path: Path | None = None
    saved: bool = True  # False once trained since it was opened or saved
    # Batch losses of the runs made in this session: (x in epochs, loss) pairs, stored only here.
    batch_losses: BatchLosses = field(default_factory=BatchLosses)
    id: int = field(default_factory=lambda: next(_ids))
    training: bool = False
    replay: Replay | None = None  # codes of fixed test images after each epoch
    bundled: bool = False  # one of the pretrained models shipped with the app (never overwritten)
    dataset: DatasetInfo = FASHION_MNIST  # what it learnt

    @property
    def kind(self) -> str:
        return self.model.kind

    @property
    def epochs(self) -> int:
        return sum(1 for r in self.history if r.complete)

    @property
    def name(self) -> str:
        kind = self.kind.upper()
        if self.bundled:
            base = QCoreApplication.translate("ModelEntry", "bundled {kind}").format(kind=kind)
        elif self.path is not None:
            base = self.path.name
        else:
            base = QCoreApplication.translate("ModelEntry", "new {kind}").format(kind=kind)
        name = QCoreApplication.translate("ModelEntry", "{file} — {kind}, latent {d}, {n} ep.").format(
            file=base, kind=kind, d=self.model.latent_dim, n=self.epochs
        )
        return name if self.saved else name + " *"

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint, bundled: bool = False) -> ModelEntry:
        return cls(
            checkpoint.model,
            checkpoint.train_config,
            checkpoint.history,
            None if bundled else checkpoint.path,
            replay=checkpoint.replay,
            bundled=bundled,
            dataset=checkpoint.dataset,
        )


class Session(QObject):
    """Models and data shared by every panel."""

    modelsChanged = Signal()  # added, removed or renamed
    modelUpdated = Signal(int)  # an entry's weights or history changed (its id)
    datasetChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[ModelEntry] = []
        self.dataset: Dataset | None = None
        self.dataset_error: str | None = None

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

    def set_dataset(self, dataset: Dataset | None, error: str | None = None) -> None:
        self.dataset = dataset
        self.dataset_error = error
        self.datasetChanged.emit()
