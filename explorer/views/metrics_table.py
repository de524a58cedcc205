"""The per-epoch metrics table of the Training panel (``metricsTable``)."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from core.training import EpochRecord


def format_metric(value, digits: int = 4) -> str:
    """A loss as the table and the status line show it; "—" when there is none."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if abs(value) < 0.1:
        return f"{value:.{digits}f}"
    return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:.1f}"


ALIGN = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class MetricsTable(QTableWidget):
    """One row per epoch: train and test loss, MSE, BCE, KL and seconds."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, 7, parent, objectName="metricsTable")
        self.setMinimumWidth(180)  # it scrolls; its columns must not widen the window
        # Short headers, their units in tooltips; every column as wide as its header and its
        # numbers (the table scrolls sideways rather than cut "MSE / pixel" to "ISE / pixe").
        for col, (header, tip) in enumerate(
            (
                (self.tr("Epoch"), self.tr("Epoch; “(stopped)” when it was cut short")),
                (self.tr("Train", "table header: training loss"), self.tr("Training loss, mean over the epoch's batches")),
                (self.tr("Test"), self.tr("Loss on the 10,000 test images")),
                (self.tr("MSE"), self.tr("Mean squared error per pixel, pixels in [0, 1]")),
                (self.tr("BCE"), self.tr("Binary cross-entropy, nats per image (summed over its pixels)")),
                (self.tr("KL"), self.tr("KL divergence, nats per image")),
                (self.tr("s"), self.tr("Seconds the epoch took")),
            )
        ):
            item = QTableWidgetItem(header)
            item.setToolTip(tip)
            self.setHorizontalHeaderItem(col, item)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setToolTip(
            self.tr(
                "Test loss: on the 10,000 test images, never seen in training. BCE and KL are sums per image "
                "(nats); MSE is per pixel, with pixels in [0, 1]."
            )
        )

    def set_history(self, history: list[EpochRecord]) -> None:
        self.setUpdatesEnabled(False)  # one layout for a whole history (10,000 epochs took 19 s)
        self.setRowCount(0)
        self.setRowCount(len(history))
        for row, record in enumerate(history):
            self._fill_row(row, record)
        self.setUpdatesEnabled(True)
        self.scrollToBottom()

    def add_record(self, record: EpochRecord) -> None:
        row = self.rowCount()
        self.insertRow(row)
        self._fill_row(row, record)
        self.scrollToBottom()

    def _fill_row(self, row: int, record: EpochRecord) -> None:
        t = record.test
        epoch = str(record.epoch) + ("" if record.complete else self.tr(" (stopped)"))
        values = [
            epoch,
            format_metric(record.train_loss),
            format_metric(t.get("test_loss")),
            format_metric(t.get("test_mse"), 5),
            format_metric(t.get("test_bce")),
            format_metric(t.get("test_kl")),
            f"{record.seconds:.1f}",
        ]
        for col, text in enumerate(values):
            # Made here, not cloned: a clone() is made in C++, so when the table deletes it
            # (setRowCount(0)) shiboken is not told, and its live wrapper could later stand for
            # another object at the same address (a segfault or a wrong type, in tests).
            item = QTableWidgetItem(text)
            item.setTextAlignment(ALIGN)
            self.setItem(row, col, item)
