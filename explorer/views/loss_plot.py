"""The live loss plot and the VAE's KL-per-dimension chart (pyqtgraph)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QGroupBox, QLabel, QVBoxLayout

from core.training import EpochRecord
from explorer.views.widgets import CURVES

SMOOTHING = 0.05  # weight of the newest batch in the smoothed curve (an EMA over ≈20 batches)
SMOOTHING_PER_EPOCH = 10  # ... but never a window longer than a tenth of an epoch (short runs)
# What an empty plot shows before any training: the usual scale of each kind's loss.
EMPTY_RANGE = {"ae": (0.0, 0.1), "vae": (0.0, 600.0)}
EMPTY_LOG_RANGE = {"ae": (-3.0, -1.0), "vae": (2.0, 3.0)}  # log10


class PlainLogAxis(pg.AxisItem):
    """A value axis whose log-scale ticks read as plain numbers ("60", "80", "100"), never
    "6·10¹" with an SI multiplier: a class reads a loss, not an exponent."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.enableAutoSIPrefix(False)

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        return [f"{10 ** v:.3g}" if np.isfinite(v) else "" for v in np.asarray(values, dtype=float)]
INACTIVE_KL = 0.1  # nats per image: a dimension below this carries (almost) no information


class LossPlot(pg.PlotWidget):
    """Batch losses with a smoothed line, epoch points for train and test loss, the VAE's
    BCE and KL terms (toggled), and the lab's reference as a dashed line.

    Items are created once; updates only call ``setData``.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w", axisItems={"left": PlainLogAxis("left")})
        self.setObjectName("lossPlot")
        self.kind = "vae"
        # The entry's own batch losses and history (references, never copies): the curves are
        # drawn from them on each redraw. Only the smoothed line is cached, as it is derived.
        self._batches: Sequence = ()
        self._history: Sequence[EpochRecord] = ()
        self._smooth = np.zeros(0)
        self._smoothing = SMOOTHING
        self._show_terms = True
        self._log = False
        self.reference: dict[int, dict] | None = None
        plot = self.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=0.25)
        self.legend = plot.addLegend(offset=(-10, 10), labelTextSize="11pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 220))
        # The batch curves grow to thousands of points while a model trains: drawn without
        # antialiasing, clipped to the view and downsampled to the pixels, they cost the
        # training process (sharing two cores with us) a few percent instead of a third.
        self.batch_curve = plot.plot(
            pen=pg.mkPen(CURVES["batch"], width=1),
            name=self.tr("batch loss (train)"),
            skipFiniteCheck=True,
            antialias=False,
        )
        self.smooth_curve = plot.plot(
            pen=pg.mkPen(CURVES["smooth"], width=3),
            name=self.tr("batch loss, smoothed"),
            skipFiniteCheck=True,
            antialias=False,
        )
        for curve in (self.batch_curve, self.smooth_curve):
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
        self.train_points = plot.plot(
            pen=pg.mkPen(CURVES["train"], width=2),
            symbol="o",
            symbolSize=9,
            symbolBrush=CURVES["train"],
            symbolPen="w",
            name=self.tr("train loss (epoch mean)"),
        )
        self.test_points = plot.plot(
            pen=pg.mkPen(CURVES["test"], width=2),
            symbol="s",
            symbolSize=10,
            symbolBrush=CURVES["test"],
            symbolPen="w",
            name=self.tr("test loss"),
        )
        self.bce_points = plot.plot(
            pen=pg.mkPen(CURVES["bce"], width=2, style=Qt.PenStyle.DotLine),
            symbol="t",
            symbolSize=9,
            symbolBrush=CURVES["bce"],
            name=self.tr("test reconstruction (BCE)"),
        )
        self._bce_name = self.tr("test reconstruction (BCE)")
        self.kl_points = plot.plot(
            pen=pg.mkPen(CURVES["kl"], width=2, style=Qt.PenStyle.DotLine),
            symbol="d",
            symbolSize=9,
            symbolBrush=CURVES["kl"],
            name=self.tr("test KL divergence"),
        )
        self._kl_name = self.tr("test KL divergence")
        self.lab_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(CURVES["lab"], width=2, style=Qt.PenStyle.DashLine),
            label="",
            labelOpts={"position": 0.98, "color": CURVES["lab"], "anchors": [(1, 1), (1, 1)]},
        )
        plot.addItem(self.lab_line, ignoreBounds=True)
        self.lab_points = plot.plot(
            pen=None, symbol="star", symbolSize=16, symbolBrush=CURVES["lab"], name=self.tr("the lab's code")
        )
        self.lab_line.hide()
        plot.setLabel("bottom", self.tr("epoch"))
        # Repainting the axes' text is the dearest part of a redraw on a software-rendered
        # screen: cache them (and the legend), and move the ranges in steps (see _fit_ranges)
        # so that the caches stay valid while batches stream in.
        for item in (plot.getAxis("left"), plot.getAxis("bottom"), self.legend):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        plot.disableAutoRange()
        self._x_max = 1.0
        self._y_range: tuple[float, float] | None = None
        self._planned_epochs = 0
        self._set_units()

    # --- what is shown -------------------------------------------------------------------

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self._set_units()
        self._y_range = None  # never the other kind's scale under this kind's label
        self.redraw_epochs()

    def _set_units(self) -> None:
        if self.kind == "vae":
            self.setLabel("left", self.tr("loss"), units=None)
            self.getPlotItem().getAxis("left").setLabel(self.tr("BCE + β·KL (nats / image)"))
            self.setToolTip(
                self.tr(
                    "VAE loss per image, in nats: the reconstruction error (binary cross-entropy summed "
                    "over the 784 pixels) plus β times the KL divergence between the encoder's Gaussian "
                    "and N(0, I). Lower is better."
                )
            )
        else:
            self.getPlotItem().getAxis("left").setLabel(self.tr("loss (mean squared error per pixel)"))
            self.setToolTip(
                self.tr(
                    "AE loss: mean squared difference between input and reconstruction, per pixel, "
                    "with pixel values in [0, 1]. Lower is better."
                )
            )
        show = self.kind == "vae" and self._show_terms
        for item, name in ((self.bce_points, self._bce_name), (self.kl_points, self._kl_name)):
            item.setVisible(show)
            listed = any(sample.item is item for sample, _ in self.legend.items)
            if show and not listed:
                self.legend.addItem(item, name)
            elif not show and listed:
                self.legend.removeItem(item)  # an AE has no such terms: no blank entries

    def set_show_terms(self, show: bool) -> None:
        self._show_terms = show
        self._set_units()
        self._y_range = None
        self._fit_ranges()

    def set_log_scale(self, on: bool) -> None:
        self._log = on
        self.getPlotItem().setLogMode(y=on)
        self.set_reference(self.reference)
        self._y_range = None
        self._fit_ranges()

    def set_planned_epochs(self, last_epoch: int) -> None:
        """Show the whole run on the x axis from its start, so it does not move while training."""
        self._planned_epochs = last_epoch
        self._fit_ranges()

    def _fit_ranges(self) -> None:
        """Fit the view to the data, moving each bound only when data leaves it, by a step."""
        batch_x, batch_y = self._batch_arrays()
        values = [r.train_loss for r in self._history] + [r.test["test_loss"] for r in self._history]
        if self.kind == "vae" and self._show_terms:
            values += [r.test.get("test_kl", 0.0) for r in self._history]
        if self.reference:
            values += [m["test_loss"] for m in self.reference.values()]
        values = np.concatenate([batch_y, np.asarray(values, dtype=np.float64)])
        values = values[np.isfinite(values) & ((values > 0) | (not self._log))]
        x_max = max(
            [self._planned_epochs, 1.0] + batch_x[-1:].tolist() + [r.epoch for r in self._history]
        )
        if x_max > self._x_max or x_max < self._x_max * 0.5 or not self._history and not len(batch_x):
            self._x_max = x_max
            self.setXRange(0, x_max * 1.02, padding=0)
        if not len(values):
            if self._y_range is None:
                empty = (EMPTY_LOG_RANGE if self._log else EMPTY_RANGE).get(self.kind, (0.0, 1.0))
                self.setYRange(*empty, padding=0)
            return
        lo, hi = float(values.min()), float(values.max())
        if self._log:
            lo, hi = np.log10(lo), np.log10(hi)
            pad = max(0.05, 0.1 * (hi - lo))
        else:
            pad = max(1e-6, 0.08 * (hi - lo), 0.02 * abs(hi))
        current = self._y_range
        if (
            current is None
            or lo < current[0]
            or hi > current[1]
            or (hi - lo) < 0.25 * (current[1] - current[0])
        ):
            low = lo - pad if self._log else max(0.0, lo - pad)
            self._y_range = (low, hi + pad)
            self.setYRange(*self._y_range, padding=0)

    def set_reference(self, reference: dict[int, dict] | None) -> None:
        """The lab's figures for these settings (epoch → metrics), or None to hide them."""
        self.reference = reference
        if not reference:
            self.lab_line.hide()
            self.lab_points.setData([], [])
            self._fit_ranges()
            return
        last = max(reference)
        value = reference[last]["test_loss"]
        # An InfiniteLine lives in view coordinates, which are log10 in log mode.
        self.lab_line.setValue(np.log10(value) if self._log else value)
        self.lab_line.label.setFormat(
            self.tr("the lab's code reached {v:.4g} after {n} epochs").format(v=value, n=last)
        )
        self.lab_line.show()
        xs = sorted(reference)
        self.lab_points.setData(xs, [reference[x]["test_loss"] for x in xs])
        self._fit_ranges()

    # --- data ------------------------------------------------------------------------------

    def set_data(self, batch_losses: Sequence, history: Sequence[EpochRecord]) -> None:
        """Show a model's batch losses ((x in epochs, loss) pairs: a BatchLosses or a list) and
        its history. Both are kept by reference: after they grow, ``redraw_batches`` /
        ``redraw_epochs`` draw what they hold now."""
        self._batches = batch_losses
        self._history = history
        self._smooth = np.zeros(0)
        self._smoothing = SMOOTHING
        self._y_range = None
        self._x_max = 0.0
        self._planned_epochs = 0
        self.redraw_batches()
        self.redraw_epochs()

    @property
    def batch_count(self) -> int:
        return len(self._batches)

    @property
    def epoch_count(self) -> int:
        return len(self._history)

    def _batch_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """x and y of the batch losses: views of a BatchLosses, or arrays made from a list."""
        batches = self._batches
        if hasattr(batches, "x") and hasattr(batches, "y"):
            return batches.x, batches.y
        pairs = np.asarray(list(batches), dtype=np.float64).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]

    def _smoothed(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The EMA of y, extended over the points added since the last redraw."""
        if len(y) < len(self._smooth):  # another model's data: start again
            self._smooth = np.zeros(0)
        if len(x) >= 2 and self._smoothing == SMOOTHING:
            # Batches sit at x = epoch − 1 + step / steps: their spacing gives the epoch's length.
            step = x[1] - x[0]
            if step > 0:
                self._smoothing = min(1.0, max(SMOOTHING, SMOOTHING_PER_EPOCH * step))
        done = len(self._smooth)
        if done == len(y):
            return self._smooth
        value = self._smooth[-1] if done else float(y[0])
        new = np.empty(len(y) - done)
        for i, v in enumerate(y[done:].tolist()):
            value = value + self._smoothing * (v - value)
            new[i] = value
        self._smooth = np.concatenate([self._smooth, new])
        return self._smooth

    def redraw_batches(self) -> None:
        x, y = self._batch_arrays()
        self.batch_curve.setData(x, y)
        self.smooth_curve.setData(x, self._smoothed(x, y))
        self._fit_ranges()

    def redraw_epochs(self) -> None:
        h = self._history
        x = [r.epoch if r.complete else r.epoch - 0.5 for r in h]
        self.train_points.setData(x, [r.train_loss for r in h])
        self.test_points.setData(x, [r.test["test_loss"] for r in h])
        if self.kind == "vae":
            self.bce_points.setData(x, [r.test.get("test_bce", np.nan) for r in h])
            self.kl_points.setData(x, [max(r.test.get("test_kl", np.nan), 1e-3) for r in h])
        else:
            self.bce_points.setData([], [])
            self.kl_points.setData([], [])
        self._fit_ranges()


class KlBars(pg.PlotWidget):
    """The VAE's KL divergence per latent dimension (nats per image), one bar per dimension."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("klPerDimensionPlot")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=CURVES["kl"])
        self.addItem(self.bars)
        self.threshold = pg.InfiniteLine(
            pos=INACTIVE_KL, angle=0, pen=pg.mkPen(CURVES["lab"], width=1, style=Qt.PenStyle.DashLine)
        )
        self.addItem(self.threshold)
        # Short enough for the axis of a short plot at presentation size; the tooltip and the
        # box's title say it is per dimension, averaged per image.
        self.setLabel("left", self.tr("KL (nats)"))
        self.setLabel("bottom", self.tr("latent dimension"))
        self.setMouseEnabled(x=False, y=False)
        self.setMenuEnabled(False)
        self.getAxis("left").enableAutoSIPrefix(False)
        # Half a line of margin above the plot, so the top tick's text is not cut.
        self.getPlotItem().setContentsMargins(2, 10, 6, 2)
        self.setToolTip(
            self.tr(
                "How much information each latent dimension carries: its KL divergence from the "
                "N(0, 1) prior, in nats per image, averaged over the test images. A dimension near 0 (below the dashed "
                "line) is unused: the decoder ignores it."
            )
        )
        self.values = np.zeros(0)

    def set_values(self, kl_per_dim: list[float] | None) -> tuple[int, int]:
        """Draw the bars; returns (active dimensions, all dimensions)."""
        values = np.asarray(kl_per_dim or [], dtype=np.float64)
        self.values = values
        self.bars.setOpts(x=np.arange(len(values)), height=values, width=0.7)
        if len(values):
            self.setXRange(-0.6, len(values) - 0.4, padding=0)
            self.setYRange(0, max(float(values.max()) * 1.1, 2 * INACTIVE_KL), padding=0)
        else:  # nothing yet: a plain empty frame, not an autoranged axis around nothing
            self.setXRange(-0.6, 9.6, padding=0)
            self.setYRange(0, 1, padding=0)
        return int((values >= INACTIVE_KL).sum()), len(values)


class KlBox(QGroupBox):
    """The KL bars with a line that says how many dimensions carry information, and warns of
    posterior collapse."""

    def __init__(self, parent=None) -> None:
        super().__init__(self.tr("KL per dimension (VAE)"), parent)
        self.bars = KlBars()
        self.warning = QLabel(objectName="klWarningLabel")
        self.warning.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bars, 1)
        layout.addWidget(self.warning)

    def set_values(self, kl_per_dim: list[float] | None) -> None:
        active, total = self.bars.set_values(kl_per_dim)
        if not total:
            self.warning.setText(self.tr("Appears after the first epoch."))
            self.warning.setStyleSheet("")
        elif active * 2 < total:
            self.warning.setText(
                self.tr(
                    "Only {a} of {n} dimensions carry information: the others match the prior and "
                    "the decoder ignores them (posterior collapse). A smaller β gives the code room."
                ).format(a=active, n=total)
            )
            self.warning.setStyleSheet("color: #b00020; font-weight: bold;")
        else:
            self.warning.setText(self.tr("{a} of {n} dimensions carry information.").format(a=active, n=total))
            self.warning.setStyleSheet("")
