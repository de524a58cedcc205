"""Help → Keyboard shortcuts (F1): keys and what they do, in two aligned columns."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# (keys, what they do); keys in Qt's portable form, shown in the user's language (Ctrl+Maj+O).
SHORTCUTS = (
    ("Ctrl+1", QT_TRANSLATE_NOOP("ShortcutsDialog", "switch panels")),
    ("F5", QT_TRANSLATE_NOOP("ShortcutsDialog", "presentation mode")),
    ("F11", QT_TRANSLATE_NOOP("ShortcutsDialog", "full screen")),
    ("Ctrl+O", QT_TRANSLATE_NOOP("ShortcutsDialog", "open models")),
    ("Ctrl+S", QT_TRANSLATE_NOOP("ShortcutsDialog", "save the selected model")),
    ("Ctrl+Shift+O", QT_TRANSLATE_NOOP("ShortcutsDialog", "open a lesson scene")),
    ("Ctrl+Shift+S", QT_TRANSLATE_NOOP("ShortcutsDialog", "save the view as a scene")),
    ("Ctrl+E", QT_TRANSLATE_NOOP("ShortcutsDialog", "export the view as PNG")),
    ("Ctrl+G", QT_TRANSLATE_NOOP("ShortcutsDialog", "new draws (Generation)")),
    ("Ctrl+Enter", QT_TRANSLATE_NOOP("ShortcutsDialog", "start training")),
    ("Ctrl+L", QT_TRANSLATE_NOOP("ShortcutsDialog", "log scale for losses")),
    ("F1", QT_TRANSLATE_NOOP("ShortcutsDialog", "this list")),
    ("Ctrl+Q", QT_TRANSLATE_NOOP("ShortcutsDialog", "quit")),
)


def key_text(keys: str, panels: int = 6) -> str:
    """Keys as this platform and language write them; the panels' keys as one range."""
    if keys == "Ctrl+1" and panels > 1:
        return f"{key_text(keys, 1)} … {key_text(f'Ctrl+{panels}', 1)}"
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


class ShortcutsDialog(QDialog):
    """``shortcutsDialog``: a two-column table (``shortcutsTable``), keys left, actions right."""

    def __init__(self, parent: QWidget | None = None, panels: int = 6) -> None:
        super().__init__(parent, objectName="shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.table = QTableWidget(len(SHORTCUTS), 2, objectName="shortcutsTable")
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        for row, (keys, text) in enumerate(SHORTCUTS):
            key_item = QTableWidgetItem(key_text(keys, panels))
            font = key_item.font()
            font.setBold(True)
            key_item.setFont(font)
            self.table.setItem(row, 0, key_item)
            self.table.setItem(row, 1, QTableWidgetItem(QCoreApplication.translate("ShortcutsDialog", text)))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        # The whole table without scrolling, in any font (presentation mode's too).
        width = sum(self.table.columnWidth(c) for c in range(2)) + 4 * self.table.frameWidth() + 24
        height = self.table.horizontalHeader().height() + sum(
            self.table.rowHeight(r) for r in range(self.table.rowCount())
        )
        self.table.setMinimumSize(width, height + 2 * self.table.frameWidth())

    def rows(self) -> list[tuple[str, str]]:
        """(keys, action) as shown, one pair per row."""
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
