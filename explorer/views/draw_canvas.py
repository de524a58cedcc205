"""The drawing canvas (a 28×28 image drawn large) and the preview of an opened picture."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from core.drawing import paint_segment
from explorer.views.widgets import ImageGrid

SIDE = 28
UNDO_DEPTH = 100


class DrawCanvas(QWidget):
    """A 28×28 image in [0, 1] drawn large; the mouse paints (or erases) strokes on it."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.image = np.zeros((SIDE, SIDE), dtype=np.float32)
        self.brush_size = 2.5
        self.softness = 0.5
        self.erase = False
        self._undo: list[np.ndarray] = []
        self._last: tuple[float, float] | None = None  # where the stroke under way is
        self._stroke_erases = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(196, 196)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(self.tr("Draw with the mouse. Right button: erase."))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(336, 336)

    # --- the image ---

    def set_image(self, image: np.ndarray, undoable: bool = True) -> None:
        """Replace the drawing (a test image, an opened picture); Undo brings the old one back."""
        if undoable:
            self._push_undo()
        self.image = np.clip(np.asarray(image, dtype=np.float32).reshape(SIDE, SIDE), 0, 1).copy()
        self.update()
        self.changed.emit()

    def clear(self) -> None:
        if self.image.any():
            self.set_image(np.zeros((SIDE, SIDE), dtype=np.float32))

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> None:
        if self._undo:
            self.image = self._undo.pop()
            self.update()
            self.changed.emit()

    def _push_undo(self) -> None:
        self._undo.append(self.image.copy())
        del self._undo[:-UNDO_DEPTH]

    # --- geometry: widget pixels ↔ image pixels ---

    def _cell(self) -> tuple[float, float, float]:
        """(size of one image pixel on screen, left, top) of the square the image fills."""
        side = min(self.width(), self.height())
        return side / SIDE, (self.width() - side) / 2, (self.height() - side) / 2

    def to_image(self, pos: QPointF) -> tuple[float, float]:
        cell, left, top = self._cell()
        return (pos.x() - left) / cell, (pos.y() - top) / cell

    def widget_point(self, x: float, y: float) -> QPointF:
        """Where image point (x, y) is on the widget (tests script strokes with it)."""
        cell, left, top = self._cell()
        return QPointF(left + x * cell, top + y * cell)

    # --- mouse ---

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return
        self._push_undo()
        self._stroke_erases = self.erase or event.button() == Qt.MouseButton.RightButton
        point = self.to_image(event.position())
        self._last = point
        self._paint(point, point)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._last is None:
            return
        point = self.to_image(event.position())
        self._paint(self._last, point)
        self._last = point

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._last is not None:
            self._paint(self._last, self.to_image(event.position()))
        self._last = None

    def _paint(self, start, end) -> None:
        before = self.image.copy()
        paint_segment(self.image, start, end, self.brush_size, self.softness, self._stroke_erases)
        if not np.array_equal(before, self.image):
            self.update()
            self.changed.emit()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        cell, left, top = self._cell()
        side = cell * SIDE
        gray = np.ascontiguousarray((self.image * 255).round().astype(np.uint8))
        qimage = QImage(gray.data, SIDE, SIDE, SIDE, QImage.Format.Format_Grayscale8)
        painter.drawImage(QRectF(left, top, side, side), qimage)
        painter.setPen(QPen(QColor(80, 80, 80, 90), 1))
        for i in range(1, SIDE):  # a faint pixel grid: the drawing is 28×28, not a photo
            painter.drawLine(QPointF(left + i * cell, top), QPointF(left + i * cell, top + side))
            painter.drawLine(QPointF(left, top + i * cell), QPointF(left + side, top + i * cell))
        painter.setPen(QPen(QColor("#0072B2"), 2))
        painter.drawRect(QRectF(left, top, side, side))
        if not self.image.any():  # an empty canvas says what it is for
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(
                QRectF(left, top, side, side).adjusted(12, 12, -12, -12),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.tr("Draw here with the mouse (right button: erase)"),
            )
        painter.end()


class ImagePreview(QDialog):
    """Shows what an opened picture becomes before it replaces the drawing."""

    def __init__(self, image: np.ndarray, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="drawPreviewDialog")
        self.image = image
        self.setWindowTitle(self.tr("Use this picture?"))
        view = ImageGrid(objectName="drawPreviewImage")
        view.setMinimumSize(224, 224)
        view.set_images(image[None, None].astype(np.float32) / 255)
        text = QLabel(
            self.tr(
                "{name}, as the model will see it: grayscale, background to black, cropped to the object and "
                "fitted into 28×28 pixels, as Fashion-MNIST's photos were."
            ).format(name=name)
        )
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.use_button = buttons.addButton(self.tr("Use it"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.use_button.setObjectName("drawPreviewUseButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view, 1)
        layout.addWidget(text)
        layout.addWidget(buttons)


class BrushTools(QWidget):
    """The brush's size and softness and the eraser, driving a DrawCanvas."""

    def __init__(self, canvas: DrawCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.size_spin = QDoubleSpinBox(
            objectName="drawBrushSizeSpin", minimum=1.0, maximum=8.0, singleStep=0.5, value=2.5, decimals=1
        )
        self.size_spin.setToolTip(self.tr("Brush diameter, in pixels of the 28×28 image."))
        self.softness_slider = QSlider(Qt.Orientation.Horizontal, objectName="drawSoftnessSlider")
        self.softness_slider.setRange(0, 100)
        self.softness_slider.setValue(50)
        self.softness_slider.setToolTip(self.tr("0: a hard-edged brush; 100: ink fades from its centre."))
        self.eraser_check = QCheckBox(self.tr("Eraser"), objectName="drawEraserCheck")
        self.eraser_check.setToolTip(self.tr("Strokes remove ink (the right mouse button always does)."))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("Brush")))
        layout.addWidget(self.size_spin)
        layout.addWidget(QLabel(self.tr("Softness")))
        layout.addWidget(self.softness_slider)
        layout.addWidget(self.eraser_check)
        self.size_spin.valueChanged.connect(self._on_size_spin_value_changed)
        self.softness_slider.valueChanged.connect(self._on_softness_slider_value_changed)
        self.eraser_check.toggled.connect(self._on_eraser_check_toggled)

    @Slot(float)
    def _on_size_spin_value_changed(self, value: float) -> None:
        self.canvas.brush_size = value

    @Slot(int)
    def _on_softness_slider_value_changed(self, value: int) -> None:
        self.canvas.softness = value / 100

    @Slot(bool)
    def _on_eraser_check_toggled(self, on: bool) -> None:
        self.canvas.erase = on

