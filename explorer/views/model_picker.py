"""A combo box of the session's models, for panels that show one model."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox

from explorer.state.session import ModelEntry, Session
from explorer.views.widgets import shrinkable_combo


class ModelPicker(QComboBox):
    """Lists the session's models (optionally of one kind); keeps its choice by model id."""

    entryChanged = Signal(object)  # ModelEntry or None

    def __init__(
        self, session: Session, kind: str | None = None, prefer: str | None = None, parent=None, **kwargs
    ) -> None:
        super().__init__(parent, **kwargs)
        self.session = session
        self.kind = kind
        self.prefer = prefer  # until the user picks, show the newest model of this kind
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

    @Slot()
    def _on_session_models_changed(self) -> None:
        entries = [e for e in self.session.entries if self.kind is None or e.kind == self.kind]
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
        if index < 0:  # no choice to keep: the newest model, of the preferred kind if any
            preferred = [e for e in entries if e.kind == self.prefer] or entries
            index = self.findData(preferred[-1].id) if preferred else -1
        self.setCurrentIndex(index)
        self.blockSignals(False)
        self.entryChanged.emit(self.entry())

    @Slot(int)
    def _on_activated(self, _index: int) -> None:
        self._user_chose = True

    @Slot(int)
    def _on_current_index_changed(self, index: int) -> None:
        self.entryChanged.emit(self.entry())
