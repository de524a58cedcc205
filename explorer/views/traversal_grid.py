"""The latent traversal atlas: one row per latent dimension, the code moved along it."""

from __future__ import annotations

import copy

import numpy as np
import torch
from PySide6.QtCore import QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPen

from core.analysis import DimensionSummary, traversal_codes, traversal_offsets, traversal_scale
from core.models import LatentModel
from core.training import resolve_precision
from explorer.views.widgets import PALETTE, ImageGrid

COLUMNS = 9
SPREAD = 3.0


class TraversalGrid(ImageGrid):
    """Rows sorted by how much each dimension is used (KL for a VAE, variance for an AE), with
    that figure at the row's start; columns from −3σ to +3σ around the current code. Follows
    ``set_center`` at most once per event-loop turn; a click on a cell emits ``cellClicked``
    with the dimension and the value that cell gave it."""

    cellClicked = Signal(int, float)  # dimension, value

    def __init__(self, parent=None, **kwargs) -> None:
        kwargs.setdefault("objectName", "traversalGrid")
        super().__init__(parent, **kwargs)
        self.model: LatentModel | None = None
        self.summary: DimensionSummary | None = None
        self.center = np.zeros(0, dtype=np.float32)
        self.codes = np.zeros((0, COLUMNS, 0), dtype=np.float32)
        self.rows = 0
        self._precision = "fp32"
        self._timer = QTimer(self, interval=0, singleShot=True)
        self._timer.timeout.connect(self.draw_now)
        self.setMinimumSize(240, 200)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_model(self, model: LatentModel | None, summary: DimensionSummary | None, rows: int = 10) -> None:
        """A private copy of the model decodes (bf16 in channels-last where the CPU has it:
        81 images in ~4 ms of CPU instead of 13 ms in fp32)."""
        if model is None or summary is None:
            self.model = self.summary = None
            self.clear()
            return
        device = next(model.parameters()).device
        self.model = copy.deepcopy(model).eval()
        self._precision = resolve_precision("auto", device)
        if self._precision == "bf16":
            self.model.to(memory_format=torch.channels_last)
        self.summary = summary
        self.rows = min(rows, model.latent_dim)
        if len(self.center) != model.latent_dim:
            self.center = np.zeros(model.latent_dim, dtype=np.float32)
        self.draw_now()

    def set_center(self, z: np.ndarray) -> None:
        self.center = np.asarray(z, dtype=np.float32).copy()
        # On a tab not shown, the atlas waits for showEvent: every move of the explorer's
        # sliders would decode the whole atlas for nobody to see.
        hidden = self.window() is not self and not self.isVisibleTo(self.window())
        if not hidden and not self._timer.isActive():
            self._timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._timer.start()

    @property
    def dims(self) -> np.ndarray:
        """The dimension of each row, most used first."""
        return self.summary.order[: self.rows] if self.summary is not None else np.zeros(0, dtype=np.int64)

    @Slot()
    def draw_now(self) -> None:
        if self.model is None or self.summary is None or len(self.center) != self.model.latent_dim:
            return
        dims = self.dims
        self.codes = traversal_codes(self.center, dims, traversal_scale(self.summary), COLUMNS, SPREAD)
        flat = torch.from_numpy(self.codes.reshape(-1, self.model.latent_dim))
        with torch.inference_mode():
            if self._precision == "bf16":
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    images = self.model.decode(flat)
            else:
                images = self.model.decode(flat)
        images = images.float()[:, 0].numpy().reshape(len(dims), COLUMNS, 28, 28)
        score = self.summary.score
        if self.summary.kind == "vae":
            labels = [self.tr("z{d} · KL {kl:.2f}").format(d=d, kl=score[d]) for d in dims]
        else:
            labels = [self.tr("z{d} · var {v:.2g}").format(d=d, v=score[d]) for d in dims]
        self.set_images(images, labels)

    def cell_code(self, row: int, column: int) -> np.ndarray:
        return self.codes[row, column].copy()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is None or not len(self.codes):
            return super().mousePressEvent(event)
        row, column = cell
        dim = int(self.dims[row])
        self.cellClicked.emit(dim, float(self.codes[row, column, dim]))

    def paint_overlay(self, painter: QPainter, x0, y0, side, caption_h, gap) -> None:
        """A frame around the middle column: the current code itself."""
        if not len(self.codes):
            return
        middle = int(np.argmin(np.abs(traversal_offsets(COLUMNS, SPREAD))))
        pen = QPen(QColor(PALETTE[4]))
        pen.setWidth(2)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        x = x0 + middle * (side + gap)
        height = len(self.codes) * (side + caption_h + gap) - gap
        painter.drawRect(QRectF(x - 2, y0 - 2, side + 4, height + 4))
