"""The dataset setting: Fashion-MNIST, MNIST, KMNIST or a folder (IDX files or pictures per class).

The combo only asks (``datasetRequested(spec)``); the main window loads the dataset off the GUI
thread into the session, and the combo follows the session's dataset, whatever loaded it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QFileDialog

from core.datasets import DEFAULT, NAMED
from explorer.state.session import Session
from explorer.views.widgets import shrinkable_combo

FOLDER = "<folder>"  # the item that asks for a folder


class DatasetCombo(QComboBox):
    datasetRequested = Signal(str)  # a name or a folder

    def __init__(self, session: Session, parent=None, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.session = session
        for named in NAMED.values():
            self.addItem(named.title, named.name)
        self.addItem(self.tr("A folder (IDX files or pictures)…"), FOLDER)
        shrinkable_combo(self, 140)
        self.setToolTip(
            self.tr(
                "What to train on: Fashion-MNIST (the lab's), MNIST's digits, KMNIST's Japanese characters, "
                "a folder of IDX files (EMNIST…) or of your own pictures, one subfolder per class."
            )
        )
        self.activated.connect(self._on_activated)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        self._on_session_dataset_changed()

    def spec(self) -> str:
        data = self.session.dataset
        return data.info.spec if data is not None else DEFAULT

    def show_spec(self, spec: str) -> None:
        index = self.findData(spec)
        if index < 0:  # a folder: its own item, before "A folder…"
            index = self.count() - 1
            self.insertItem(index, Path(spec).name or spec, spec)
            self.setItemData(index, spec, role=3)  # Qt.ToolTipRole: the whole path
        self.blockSignals(True)
        self.setCurrentIndex(index)
        self.blockSignals(False)

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        self.show_spec(self.spec())

    @Slot(int)
    def _on_activated(self, index: int) -> None:
        spec = self.itemData(index)
        if spec == FOLDER:
            spec = QFileDialog.getExistingDirectory(self, self.tr("A folder of IDX files or of pictures"))
            if not spec:
                self.show_spec(self.spec())
                return
        if spec != self.spec():
            self.show_spec(spec)
            self.datasetRequested.emit(spec)
