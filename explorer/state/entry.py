"""ModelEntry: one model of the session, trained here or opened from a file.

Its fields change only through explorer.state.session.Session (open, save, recover) and the
training run, which then emit the session's signals.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from core.checkpoint import Checkpoint
from core.data import FASHION_MNIST, DatasetInfo
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
    # Batch losses of the runs made in this session: (x in epochs, loss) pairs.
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
