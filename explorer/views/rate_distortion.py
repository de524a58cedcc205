"""The rate–distortion plane: each VAE as a point, KL (rate) across, BCE (distortion) up."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Signal, Slot

from explorer.views.widgets import PALETTE


@dataclass(frozen=True)
class RatePoint:
    """One VAE: its test BCE and KL (nats per image), β and active units; ``key`` says which
    model (a session entry id, or a bundled file not opened yet)."""

    key: object
    beta: float
    bce: float
    kl: float
    active: int | None


class RateDistortionPlot(pg.PlotWidget):
    """One point per VAE, labelled by β and active units; the lab's β = 1 drawn as a star, the
    current model ringed. A click on a point emits ``pointClicked(key)``."""

    pointClicked = Signal(object)

    def __init__(self, parent=None, **kwargs) -> None:
        kwargs.setdefault("background", "w")
        super().__init__(parent, **kwargs)
        self.setObjectName("rateDistortionPlot")
        self.points: list[RatePoint] = []
        self.current = None
        self.setMenuEnabled(False)
        self.setLabel("bottom", self.tr("rate: KL(q(z|x) ‖ N(0, I)), nats per image"))
        self.setLabel("left", self.tr("distortion: BCE, nats per image"))
        self.showGrid(x=True, y=True, alpha=0.25)
        self.curve = self.plot([], [], pen=pg.mkPen(PALETTE[7], width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.scatter = pg.ScatterPlotItem(size=12, hoverable=True, tip=None)
        self.ring = pg.ScatterPlotItem(size=24, symbol="o", pen=pg.mkPen(PALETTE[5], width=3), brush=None)
        self.addItem(self.scatter)
        self.addItem(self.ring)
        self.labels: list[pg.TextItem] = []
        self.scatter.sigClicked.connect(self._on_scatter_clicked)

    def set_points(self, points: list[RatePoint], current=None) -> None:
        self.points = sorted(points, key=lambda p: (p.beta, p.kl))
        self.current = current
        spots = [
            {
                "pos": (p.kl, p.bce),
                "data": p.key,
                "symbol": "star" if p.beta == 1 else "o",
                "size": 18 if p.beta == 1 else 12,
                "brush": pg.mkBrush(PALETTE[4] if p.beta == 1 else PALETTE[1]),
                "pen": pg.mkPen("k", width=1),
            }
            for p in self.points
        ]
        self.scatter.setData(spots)
        self.curve.setData([p.kl for p in self.points], [p.bce for p in self.points])
        for item in self.labels:
            self.removeItem(item)
        self.labels = []
        for p in self.points:
            text = self.tr("β {beta:g}").format(beta=p.beta)
            if p.active is not None:
                text += " · " + self.tr("{n} active").format(n=p.active)
            item = pg.TextItem(text, color="#000000", anchor=(-0.1, 1.1))
            item.setPos(p.kl, p.bce)
            self.addItem(item)
            self.labels.append(item)
        self._update_ring()
        if self.points:
            kl = [p.kl for p in self.points]
            bce = [p.bce for p in self.points]
            # room for the labels on the right and above; a lone point gets a range around it
            x_span = max(max(kl) - min(kl), 0.2 * max(kl), 1.0)
            y_span = max(max(bce) - min(bce), 0.05 * max(bce), 1.0)
            self.setXRange(min(kl) - 0.1 * x_span, max(kl) + 0.45 * x_span, padding=0)
            self.setYRange(min(bce) - 0.15 * y_span, max(bce) + 0.25 * y_span, padding=0)

    def set_current(self, key) -> None:
        self.current = key
        self._update_ring()

    def _update_ring(self) -> None:
        here = [p for p in self.points if p.key == self.current]
        self.ring.setData([p.kl for p in here], [p.bce for p in here])

    def point_position(self, key) -> tuple[float, float] | None:
        """(KL, BCE) of a model's point, in data coordinates."""
        p = next((p for p in self.points if p.key == key), None)
        return (p.kl, p.bce) if p else None

    @Slot(object, object, object)
    def _on_scatter_clicked(self, _item, points, _event) -> None:
        if len(points):
            self.pointClicked.emit(points[0].data())
