"""A combo box of the session's models, for panels that show one model."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox

from explorer.state.session import ModelEntry, Session
from explorer.views.widgets import shrinkable_combo


def default_entry(entries: list[ModelEntry], prefer: str | None = None) -> ModelEntry | None:
    """The model a panel shows until the user picks one: the most trained (the newest of equals),
    of the preferred kind if one is trained. A model with no finished epoch only when no other is
    trained: a stopped 0-epoch VAE reopened after a restart is not what a class should see first,
    nor a 1-epoch VAE beside the bundled 10-epoch AE."""
    trained = [e for e in entries if e.epochs > 0] or entries
    candidates = [e for e in trained if e.kind == prefer] or trained
    # max() keeps the first of equals: look from the newest back.
    return max(reversed(candidates), key=lambda e: e.epochs, default=None)


class ModelPicker(QComboBox):
    """Lists the session's models (optionally of one kind); keeps its choice by model id."""

    entryChanged = Signal(object)  # ModelEntry or None

    def __init__(
        self,
        session: Session,
        kind: str | None = None,
        prefer: str | None = None,
        parent=None,
        accept: Callable[[ModelEntry], bool] | None = None,
        **kwargs,
    ) -> None:
        """``accept``: list only the entries it says yes to (beyond ``kind``)."""
        super().__init__(parent, **kwargs)
        self.session = session
        self.kind = kind
        self.accept = accept
        self.prefer = prefer  # until the user picks, show the most trained model of this kind
        self._user_chose = False
        self.activated.connect(self._on_activated)
        shrinkable_combo(self, 180)
        self.setToolTip(self.tr("Which of the session's models this panel shows."))
        session.modelsChanged.connect(self._on_session_models_changed)
        self.currentIndexChanged.connect(self._on_current_index_changed)
        self._on_session_models_changed()

    def entry(self) -> ModelEntry | None:
        entry_id = self.currentData()
        return self.session.entry(entry_id) if entry_id is not None else None

    def select(self, entry_id: int) -> None:
        index = self.findData(entry_id)
        if index >= 0:
            self._user_chose = True
            self.setCurrentIndex(index)

    def show_entry(self, entry: ModelEntry | None) -> bool:
        """Show this entry, as if the user had picked it (a state or a scene asks); False when
        it is not one this picker lists."""
        if entry is not None and self.entry() is not entry:
            self.select(entry.id)
        return self.entry() is entry

    @Slot()
    def _on_session_models_changed(self) -> None:
        entries = [
            e
            for e in self.session.entries
            if (self.kind is None or e.kind == self.kind) and (self.accept is None or self.accept(e))
        ]
        ids = [self.itemData(i) for i in range(self.count())]
        if ids == [e.id for e in entries]:
            for i, entry in enumerate(entries):
                self.setItemText(i, entry.name)
            return
        current = self.currentData()
        self.blockSignals(True)
        self.clear()
        for entry in entries:
            self.addItem(entry.name, entry.id)
        index = self.findData(current) if self._user_chose else -1
        if index < 0:  # no choice to keep
            best = default_entry(entries, self.prefer)
            index = self.findData(best.id) if best is not None else -1
        self.setCurrentIndex(index)
        self.blockSignals(False)
        self.entryChanged.emit(self.entry())

    @Slot(int)
    def _on_activated(self, _index: int) -> None:
        self._user_chose = True

    @Slot(int)
    def _on_current_index_changed(self, index: int) -> None:
        self.entryChanged.emit(self.entry())
