"""The Draw panel's map: test images' codes as coloured points, the drawing as a labelled star.

Two kinds, chosen in its combo: the PCA plane of the codes (the drawing projected exactly, with
the VAE's 1-σ posterior as a dashed ellipse) or a t-SNE map (the drawing placed by openTSNE's
``transform``). The view only draws; the panel says what.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.views.widgets import PALETTE


class DrawMap(QWidget):
    """The map column of the Draw panel: kind combo, plot, status line."""

    kindChanged = Signal(str)  # "pca" or "tsne"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox(objectName="drawMapCombo")
        self.combo.addItem(self.tr("PCA (exact, with the VAE's posterior)"), "pca")
        self.combo.addItem(self.tr("t-SNE (your drawing placed by openTSNE's transform)"), "tsne")
        self.combo.setToolTip(
            self.tr(
                "PCA projects your drawing's code exactly. t-SNE forms a map of the test images once, "
                "then places your drawing among them without moving them."
            )
        )
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("drawMap")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.getPlotItem().hideButtons()
        self.scatter = pg.ScatterPlotItem(size=5, pen=None)
        self.plot.addItem(self.scatter)
        self.ellipse = pg.PlotCurveItem(pen=pg.mkPen("#000000", width=2, style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.ellipse)
        self.marker = pg.ScatterPlotItem(
            size=22, symbol="star", pen=pg.mkPen("#000000", width=2), brush=pg.mkBrush("#ffffff")
        )
        self.plot.addItem(self.marker)
        self.marker_label = pg.TextItem(
            self.tr("your drawing"), color="#000000", anchor=(-0.15, 1.1), fill=pg.mkBrush(255, 255, 255, 200)
        )
        self.marker_label.hide()
        self.plot.addItem(self.marker_label)
        self.brushes = [pg.mkBrush(c) for c in PALETTE]
        self.legend = self.plot.addLegend(
            offset=(10, 10), labelTextSize="9pt", brush=pg.mkBrush(255, 255, 255, 210), pen=pg.mkPen("#cccccc")
        )
        self.status = QLabel(objectName="drawMapStatus")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Map")))
        row.addWidget(self.combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        self._label_axes()
        self.combo.currentIndexChanged.connect(self._on_combo_current_index_changed)

    @property
    def kind(self) -> str:
        return self.combo.currentData()

    def set_kind(self, kind: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(kind)))

    @Slot(int)
    def _on_combo_current_index_changed(self, _index: int) -> None:
        self._label_axes()
        self.kindChanged.emit(self.kind)

    def _label_axes(self) -> None:
        tsne = self.kind == "tsne"
        self.plot.setLabel("bottom", self.tr("t-SNE 1") if tsne else self.tr("PCA 1"))
        self.plot.setLabel("left", self.tr("t-SNE 2") if tsne else self.tr("PCA 2"))

    def show_points(self, coords: np.ndarray, labels: np.ndarray, names: Sequence[str]) -> None:
        """The test images at ``coords``, coloured by class, with a legend of ``names``."""
        self.scatter.setData(
            pos=coords, brush=[self.brushes[c % len(self.brushes)] for c in labels], data=np.arange(len(labels))
        )
        self.legend.clear()
        for c in range(min(int(labels.max()) + 1 if len(labels) else 0, len(self.brushes), len(names))):
            self.legend.addItem(pg.ScatterPlotItem(brush=self.brushes[c], pen=None, size=10), names[c])

    def clear_points(self) -> None:
        self.scatter.setData([])
        self.legend.clear()

    def set_marker(self, point: np.ndarray | None, ellipse: np.ndarray | None = None) -> None:
        """The drawing's star at ``point`` (None: hidden), with its posterior ellipse if given."""
        if point is None:
            self.marker.setData([])
            self.ellipse.setData([], [])
            self.marker_label.hide()
            return
        x, y = (float(v) for v in point)
        self.marker.setData([x], [y])
        self.marker_label.setPos(x, y)
        self.marker_label.show()
        if ellipse is not None:
            self.ellipse.setData(ellipse[:, 0], ellipse[:, 1])
        else:
            self.ellipse.setData([], [])
