"""The latent map: the test codes' points coloured by class, the interpolation path with its
endpoints, the selected point, and the star where the current code is; with hit-testing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.data import FASHION_MNIST, DatasetInfo
from explorer.platform.i18n import class_name
from explorer.views.map_progress import TsneProgress
from explorer.views.widgets import PALETTE, shrinkable


HIT_RADIUS_PX = 8.0
UNKNOWN_CLASS = "#777777"


def class_names(info: DatasetInfo | None) -> list[str]:
    """The names of a dataset's classes in label order: Fashion-MNIST's in the interface's
    language, any other's (MNIST, a student's folder) as the dataset gives them."""
    if info is None or tuple(info.class_names) == FASHION_MNIST.class_names:
        return [class_name(c) for c in range(len(FASHION_MNIST.class_names))]
    return list(info.class_names)


def class_label(info: DatasetInfo | None, label: int) -> str:
    """The name of one class of a dataset (as class_names() gives them)."""
    names = class_names(info)
    return names[label] if 0 <= label < len(names) else str(label)


class LatentMapPlot(pg.PlotWidget):
    """A pyqtgraph plot of a 2-D map. ``pointClicked(point, modifiers)`` on a click near a point,
    ``hovered(x, y, point or None)`` as the mouse moves (in view coordinates)."""

    pointClicked = Signal(int, object)
    hovered = Signal(float, float, object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("latentMap")
        self.setAspectLocked(False)
        self.showGrid(x=True, y=True, alpha=0.15)
        self.getPlotItem().hideButtons()
        self.brushes = [pg.mkBrush(c) for c in PALETTE]
        self.coords = np.zeros((0, 2))  # the points that clicks and hovers find
        self.scatter = pg.ScatterPlotItem(size=6, pen=None, hoverable=False)
        self.addItem(self.scatter)
        self.path_item = pg.PlotDataItem(
            pen=pg.mkPen("#333333", width=2, style=Qt.PenStyle.DashLine),
            symbol="o",
            symbolSize=6,
            symbolBrush="#333333",
        )
        self.addItem(self.path_item)
        self.endpoint_items = {
            name: pg.TextItem(name, color="#000000", anchor=(0.5, 1.2), fill=pg.mkBrush(255, 255, 255, 200))
            for name in ("A", "B")
        }
        for item in self.endpoint_items.values():
            item.hide()
            self.addItem(item)
        self.here = pg.ScatterPlotItem(size=22, symbol="star", pen=pg.mkPen("#000000", width=2), brush=pg.mkBrush("#ffffff"))
        self.addItem(self.here)
        # On a light ground, above the star: readable over the points it covers.
        self.here_label = pg.TextItem(
            "", color="#000000", anchor=(-0.15, 1.15), fill=pg.mkBrush(255, 255, 255, 215), border="#777777"
        )
        self.addItem(self.here_label)
        self.selected_item = pg.ScatterPlotItem(size=16, symbol="o", pen=pg.mkPen("#000000", width=3), brush=None)
        self.addItem(self.selected_item)
        self.legend = self.addLegend(offset=(10, 10), labelTextSize="10pt")
        # A semi-opaque card in the corner (drag it elsewhere): points under it still show.
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 190))
        self.legend.setPen(pg.mkPen("#bbbbbb"))
        self.legend.setToolTip(self.tr("Drag the legend if it hides points."))
        self._classes: list[str] = []
        self.set_classes(class_names(None))
        self._mouse_proxy = pg.SignalProxy(self.scene().sigMouseMoved, rateLimit=60, slot=self.hover_at)
        self.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)

    def brush(self, label: int):
        return self.brushes[int(label) % len(self.brushes)]

    def set_classes(self, names: list[str]) -> None:
        """The legend: one entry per class, in its colour."""
        if names == self._classes:
            return
        self._classes = list(names)
        self.legend.clear()
        for c, name in enumerate(names):
            self.legend.addItem(pg.ScatterPlotItem(brush=self.brush(c), pen=None, size=10), name)

    # --- drawing ------------------------------------------------------------------------------

    def show_points(self, coords: np.ndarray, labels: np.ndarray | None, axis: str, pickable: bool = True) -> None:
        """The points (coloured by class; one grey without labels), axes named ``{axis} 1`` and
        ``{axis} 2``. Clicks and hovers find them when ``pickable``."""
        brushes = [self.brush(c) for c in labels] if labels is not None else pg.mkBrush(UNKNOWN_CLASS)
        self.scatter.setData(x=coords[:, 0], y=coords[:, 1], data=np.arange(len(coords)), brush=brushes)
        self.coords = coords if pickable else np.zeros((0, 2))
        plot = self.getPlotItem()
        plot.setLabel("bottom", f"{axis} 1")
        plot.setLabel("left", f"{axis} 2")

    def fit(self, coords: np.ndarray | None = None) -> None:
        """Fit the view to the points shown, or to ``coords`` (e.g. every frame of a replay)."""
        if coords is None:
            self.getViewBox().autoRange(items=[self.scatter], padding=0.05)
            return
        self.setXRange(float(coords[:, 0].min()), float(coords[:, 0].max()), padding=0.05)
        self.setYRange(float(coords[:, 1].min()), float(coords[:, 1].max()), padding=0.05)

    def clear_points(self) -> None:
        self.scatter.setData([])
        self.coords = np.zeros((0, 2))

    def show_here(self, position: np.ndarray | None, exact: bool = True) -> None:
        if position is None:
            self.here.setData([])
            self.here_label.setText("")
            return
        self.here.setData([position[0]], [position[1]])
        # Right of the star in the map's left half, left of it in the right half: never past the edge.
        (x_low, x_high), _ = self.getPlotItem().viewRange()
        right_half = float(position[0]) > (x_low + x_high) / 2
        self.here_label.setAnchor((1.15, 1.15) if right_half else (-0.15, 1.15))
        self.here_label.setPos(float(position[0]), float(position[1]))
        self.here_label.setText(self.tr("you are here") if exact else self.tr("you are here (approximate)"))

    def show_selected(self, position: np.ndarray | None) -> None:
        if position is None:
            self.selected_item.setData([])
        else:
            self.selected_item.setData([position[0]], [position[1]])

    def show_path(self, points: np.ndarray | None, ends: dict[str, np.ndarray | None]) -> None:
        """The interpolation's points (None: no path) and the endpoints' labels."""
        for name, item in self.endpoint_items.items():
            position = ends.get(name)
            if position is None:
                item.hide()
            else:
                item.setPos(float(position[0]), float(position[1]))
                item.show()
        if points is None:
            self.path_item.setData([], [])
        else:
            self.path_item.setData(points[:, 0], points[:, 1])

    # --- hit-testing ----------------------------------------------------------------------------

    def nearest_point(self, x: float, y: float) -> int | None:
        """The point within a few pixels of (x, y) in view coordinates, or None."""
        if not len(self.coords):
            return None
        px, py = self.getViewBox().viewPixelSize()
        dx = (self.coords[:, 0] - x) / px
        dy = (self.coords[:, 1] - y) / py
        d2 = dx * dx + dy * dy
        best = int(np.argmin(d2))
        return best if d2[best] <= HIT_RADIUS_PX**2 else None

    def hover_at(self, event) -> None:
        """The mouse at a scene position (``(QPointF,)``, as SignalProxy delivers it)."""
        pos: QPointF = event[0]
        if not self.sceneBoundingRect().contains(pos):
            return
        view = self.getViewBox().mapSceneToView(pos)
        self.hovered.emit(view.x(), view.y(), self.nearest_point(view.x(), view.y()))

    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        view = self.getViewBox().mapSceneToView(event.scenePos())
        point = self.nearest_point(view.x(), view.y())
        if point is not None:
            self.pointClicked.emit(point, event.modifiers())


class MapPane(QWidget):
    """The map with its t-SNE progress, Export as CSV, the training replay's bar and a hint;
    and its status line, for the panel to place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.map_status = shrinkable(QLabel(objectName="mapStatusLabel"))
        self.map = LatentMapPlot()
        self.map_hint = QLabel(
            self.tr(
                "Click a point: its code goes to the sliders. Shift+click: endpoint A, Ctrl+click: endpoint B. "
                "Hover: the image under the cursor."
            )
        )
        self.map_hint.setWordWrap(True)
        self.replay_slider = QSlider(Qt.Orientation.Horizontal, objectName="replaySlider")
        self.replay_slider.setMinimumWidth(90)
        self.replay_slider.setToolTip(self.tr("Watch the map form: the codes of 2,000 test images after each epoch."))
        self.replay_button = QPushButton(self.tr("Play training"), objectName="replayPlayButton", checkable=True)
        self.live_button = QPushButton(self.tr("Live map"), objectName="liveMapButton")
        self.live_button.setToolTip(self.tr("Back to the map of the model as it is now"))
        self.replay_label = shrinkable(QLabel(objectName="replayLabel"))
        replay_bar = QHBoxLayout()
        replay_bar.addWidget(self.replay_slider, 1)
        for widget in (self.replay_button, self.live_button, self.replay_label):
            replay_bar.addWidget(widget)
        self.tsne_progress = TsneProgress("map")
        self.export_button = QPushButton(self.tr("Export map as CSV…"), objectName="exportMapButton")
        self.export_button.setToolTip(self.tr("The points of this map: x, y, class and test image index"))
        # The app's t-SNE settings: same seed, same map; another seed, another honest map. In a
        # button's pop-up: the bar under the map must fit a 720p projector in presentation mode.
        self.seed_spin = QSpinBox(objectName="mapSeedSpin", minimum=0, maximum=9999)
        self.seed_spin.setToolTip(
            self.tr("t-SNE seed: the same seed always gives the same map; another seed, a slightly different one.")
        )
        self.perplexity_spin = QSpinBox(objectName="mapPerplexitySpin", minimum=5, maximum=100, singleStep=5)
        self.perplexity_spin.setToolTip(
            self.tr(
                "t-SNE perplexity: about how many neighbours each point keeps close. Small: many tight "
                "islands; large: the broad layout. 30 is the usual choice."
            )
        )
        # A button that shows them on a row of their own (no pop-up menu: its nested event loop
        # would block scripts and tests that click it).
        self.settings_button = QPushButton(self.tr("t-SNE settings"), objectName="mapSettingsButton", checkable=True)
        self.settings_button.setToolTip(self.tr("The seed and the perplexity of the app's t-SNE"))
        self.settings_row = QWidget(objectName="mapSettingsRow")
        row = QHBoxLayout(self.settings_row)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel(self.tr("Seed")), self.seed_spin, QLabel(self.tr("Perplexity")), self.perplexity_spin):
            row.addWidget(widget)
        row.addStretch(1)
        self.settings_row.hide()
        self.settings_button.toggled.connect(self.settings_row.setVisible)
        map_bar = QHBoxLayout()
        map_bar.addWidget(self.tsne_progress, 1)
        map_bar.addWidget(self.settings_button)
        map_bar.addWidget(self.export_button)
        centre = QVBoxLayout(self)
        centre.addWidget(self.map, 1)
        centre.addLayout(map_bar)
        centre.addWidget(self.settings_row)
        centre.addLayout(replay_bar)
        centre.addWidget(self.map_hint)
