"""Small reusable views: an image grid with crisp pixels, and the colour palette."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QLabel,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

# Okabe–Ito, colour-blind safe; one colour per class and per curve, defined once.
PALETTE = [
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
    "#000000",
    "#882255",
]
CURVES = {
    "batch": "#9aa7b8",
    "smooth": "#0072B2",
    "train": "#E69F00",
    "test": "#D55E00",
    "bce": "#009E73",
    "kl": "#CC79A7",
    "lab": "#555555",
}


def shrinkable(label: QLabel) -> QLabel:
    """A one-line status label that may be narrower than its text (the end is cut), so that a
    long message never widens the window beyond the screen, e.g. in presentation mode on a
    1280×720 projector."""
    label.setMinimumWidth(40)  # an explicit minimum replaces the text's width as the minimum
    return label


def select_data(combo: QComboBox, value) -> bool:
    """Choose the item holding value; False (and no change) for None or an unknown value."""
    index = combo.findData(value) if value is not None else -1
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0


def shrinkable_combo(combo: QComboBox, minimum: int = 140) -> QComboBox:
    """A combo box as wide as its longest item when there is room, narrower (its text cut)
    when there is not: long model names never widen the window beyond a 720p screen."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setMinimumWidth(minimum)
    return combo


class VerticalScrollArea(QScrollArea):
    """Scrolls its widget vertically only, and is as wide as the widget needs (so that larger
    fonts widen it instead of cutting its content)."""

    def __init__(self, widget: QWidget, **kwargs) -> None:
        super().__init__(**kwargs)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _width_for(self, content: QSize) -> int:
        return content.width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(self._width_for(self.widget().minimumSizeHint()), 80)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = self.widget().sizeHint()
        return QSize(self._width_for(hint), hint.height())


class ImageGrid(QWidget):
    """Rows of 28×28 grey images drawn large with nearest-neighbour scaling.

    ``set_images(rows)`` takes an array (R, C, 28, 28) of floats in [0, 1] and optional row
    labels and captions under each image; the widget keeps aspect and fills what it is given.
    With ``wrap=True`` the columns may wrap into bands of the R rows (say 8 pairs as two bands
    of 4), whichever draws the images largest in the widget's shape.
    """

    def __init__(self, parent: QWidget | None = None, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self._images = np.zeros((0, 0, 28, 28), dtype=np.float32)
        self._qimages: list[list[QImage]] = []
        self._row_labels: list[str] = []
        self._captions: list[list[str]] | None = None
        self._placeholder = ""
        self._wrap = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 80)

    def sizeHint(self) -> QSize:
        return QSize(640, 200)

    @property
    def images(self) -> np.ndarray:
        return self._images

    @property
    def row_labels(self) -> list[str]:
        return list(self._row_labels)

    def set_images(
        self,
        rows: np.ndarray,
        row_labels: list[str] | None = None,
        captions: list[list[str]] | None = None,
        wrap: bool = False,
    ) -> None:
        rows = np.asarray(rows, dtype=np.float32)
        if rows.ndim == 3:
            rows = rows[None]
        self._images = rows
        self._row_labels = list(row_labels or [])
        self._captions = captions
        self._wrap = wrap
        gray = np.ascontiguousarray((np.clip(rows, 0, 1) * 255).round().astype(np.uint8))
        self._qimages = [
            [
                QImage(gray[r, c].data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
                for c in range(rows.shape[1])
            ]
            for r in range(rows.shape[0])
        ]
        self.update()

    def save_png(self, path: str | Path) -> bool:
        """These images as drawn now, to a PNG file; False if it could not be written."""
        return self.grab().save(str(path), "PNG")

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._qimages:
            return
        menu = QMenu(self)
        action = menu.addAction(self.tr("Save these images as PNG…"))
        if menu.exec(event.globalPos()) is action:
            from explorer.platform.settings import app_settings

            folder = Path(app_settings().value("files/last_folder", str(Path.home())))
            name = (self.objectName() or "images") + ".png"
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save images"), str(folder / name), self.tr("PNG images (*.png)")
            )
            if path and not self.save_png(path):
                QMessageBox.warning(
                    self, self.tr("Cannot export"), self.tr("Could not write {path}.").format(path=path)
                )

    def set_placeholder(self, text: str) -> None:
        """What the empty grid says will appear in it (drawn until images are set)."""
        self._placeholder = text
        self.update()

    @property
    def placeholder(self) -> str:
        return self._placeholder

    def clear(self) -> None:
        self.set_images(np.zeros((0, 0, 28, 28)))

    BAND_GAP = 10  # between the bands of wrapped columns

    def _geometry(self, metrics) -> tuple[float, float, float, float, float, float, int]:
        """(x0, y0, side, caption_h, gap, label_w, per_band) of the drawn grid for a widget's font
        metrics; ``per_band`` columns are drawn side by side, the rest in bands below."""
        n_rows = len(self._qimages)
        n_cols = len(self._qimages[0]) if n_rows else 0
        label_w = max((metrics.horizontalAdvance(t) for t in self._row_labels), default=0)
        label_w = label_w + 12 if label_w else 0
        caption_h = metrics.height() + 2 if self._captions else 0
        gap = 4

        def side_for(per_band: int) -> float:
            bands = -(-n_cols // per_band)
            avail_w = self.width() - label_w - gap * (per_band + 1)
            avail_h = self.height() - (caption_h + gap) * n_rows * bands - gap - self.BAND_GAP * (bands - 1)
            return min(avail_w / per_band, avail_h / (n_rows * bands))

        # Balanced bands only (8 pairs: 8, 4, 3 or 2 a band — never 6 then 2).
        choices = {-(-n_cols // bands) for bands in range(1, n_cols + 1)} if self._wrap else {n_cols}
        per_band = max(choices, key=lambda k: (side_for(k), k))
        bands = -(-n_cols // per_band)
        side = max(8, side_for(per_band))
        total_w = label_w + per_band * side + (per_band + 1) * gap
        x0 = (self.width() - total_w) / 2 + label_w + gap
        total_h = bands * n_rows * (side + caption_h + gap) + gap + self.BAND_GAP * (bands - 1)
        y0 = max(gap, (self.height() - total_h) / 2 + gap)
        return x0, y0, side, caption_h, gap, label_w, per_band

    def _cell_origin(self, r: int, c: int, geometry) -> tuple[float, float]:
        """The top-left corner of image (r, c) on the widget."""
        x0, y0, side, caption_h, gap, _, per_band = geometry
        band, column = divmod(c, per_band)
        row = band * len(self._qimages) + r
        return x0 + column * (side + gap), y0 + row * (side + caption_h + gap) + band * self.BAND_GAP

    def cell_side(self) -> float:
        """The side, in pixels, each image is drawn at now (0 when there is none)."""
        if not self._qimages or not self._qimages[0]:
            return 0.0
        return self._geometry(self.fontMetrics())[2]

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the image under a point of the widget, or None."""
        n_rows = len(self._qimages)
        if not n_rows or not self._qimages[0]:
            return None
        geometry = self._geometry(self.fontMetrics())
        side = geometry[2]
        for r in range(n_rows):
            for c in range(len(self._qimages[0])):
                cx, cy = self._cell_origin(r, c, geometry)
                if cx <= x < cx + side and cy <= y < cy + side:
                    return r, c
        return None

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        n_rows = len(self._qimages)
        n_cols = len(self._qimages[0]) if n_rows else 0
        if not n_rows or not n_cols:
            if self._placeholder:  # say what will appear here, on a quiet frame
                painter.setPen(QColor(self.palette().color(QPalette.ColorRole.Mid)))
                painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
                painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(
                    self.rect().adjusted(8, 8, -8, -8),
                    Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                    self._placeholder,
                )
            return
        font = QFont(self.font())
        metrics = painter.fontMetrics()
        geometry = self._geometry(metrics)
        x0, y0, side, caption_h, gap, label_w, per_band = geometry
        bands = -(-n_cols // per_band)
        # A light ground behind the images only, not a large white box around small images.
        for band in range(bands):
            bx, by = self._cell_origin(0, band * per_band, geometry)
            columns = min(per_band, n_cols - band * per_band)
            painter.fillRect(
                QRectF(bx - gap, by - gap, columns * (side + gap) + gap, n_rows * (side + caption_h + gap) + gap),
                self.palette().color(QPalette.ColorRole.Base),
            )
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.setFont(font)
        text_color = self.palette().color(QPalette.ColorRole.Text)
        for r, row in enumerate(self._qimages):
            for band in range(bands):
                if r < len(self._row_labels):
                    _, y = self._cell_origin(r, band * per_band, geometry)
                    painter.setPen(text_color)
                    painter.drawText(
                        QRectF(x0 - label_w - gap, y, label_w, side),
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                        self._row_labels[r],
                    )
            for c, image in enumerate(row):
                x, y = self._cell_origin(r, c, geometry)
                painter.drawImage(QRectF(x, y, side, side), image)
                if self._captions and r < len(self._captions) and c < len(self._captions[r]):
                    painter.setPen(text_color)
                    painter.drawText(
                        QRectF(x - gap, y + side, side + 2 * gap, caption_h),
                        Qt.AlignmentFlag.AlignCenter,
                        self._captions[r][c],
                    )
        self.paint_overlay(painter, x0, y0, side, caption_h, gap)
        painter.setPen(QColor(text_color))
        painter.end()

    def paint_overlay(self, painter: QPainter, x0: float, y0: float, side: float, caption_h: float, gap: float):
        """For subclasses: draw over the images (a highlight); nothing here."""
