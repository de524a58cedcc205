"""Presentation mode: the app as the back row of a classroom sees it.

Fonts 1.5× larger (everything that follows the application font: labels, buttons, image
captions, table cells), plot text, lines and markers scaled alike, and a high-contrast light
theme (pure black on white, strong selection colour) that survives a washed-out projector.
Turning it off restores exactly what was there before.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

SCALE = 1.5
PLOT_TEXT_PT = 11  # plot tick labels and axis titles in normal mode, in points
TITLE_PT = 14
LEGEND_PT = 10


class _Saved:
    """The application's look before presentation mode, to restore it."""

    font: QFont | None = None
    palette: QPalette | None = None
    style: str | None = None


def high_contrast_palette() -> QPalette:
    palette = QPalette()
    black, white = QColor("#000000"), QColor("#ffffff")
    for role, colour in (
        (QPalette.ColorRole.Window, white),
        (QPalette.ColorRole.WindowText, black),
        (QPalette.ColorRole.Base, white),
        (QPalette.ColorRole.AlternateBase, QColor("#ececec")),
        (QPalette.ColorRole.Text, black),
        (QPalette.ColorRole.Button, QColor("#e6e6e6")),
        (QPalette.ColorRole.ButtonText, black),
        (QPalette.ColorRole.ToolTipBase, QColor("#ffffcc")),
        (QPalette.ColorRole.ToolTipText, black),
        (QPalette.ColorRole.Highlight, QColor("#0044aa")),
        (QPalette.ColorRole.HighlightedText, white),
        (QPalette.ColorRole.Mid, QColor("#707070")),
        (QPalette.ColorRole.Dark, QColor("#404040")),
        (QPalette.ColorRole.Light, white),
        (QPalette.ColorRole.PlaceholderText, QColor("#404040")),
    ):
        palette.setColor(role, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6b6b6b"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b6b6b"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6b6b6b"))
    return palette


def apply_presentation(root: QWidget, on: bool) -> None:
    """Switch the application's look, and the plots under ``root``, to presentation mode or back."""
    app = QApplication.instance()
    if _Saved.font is None:
        _Saved.font = QFont(app.font())
        _Saved.palette = QPalette(app.palette())
        _Saved.style = app.style().name()
    scale = SCALE if on else 1.0
    font = QFont(_Saved.font)
    font.setPointSizeF(_Saved.font.pointSizeF() * scale)
    if on:
        app.setStyle("Fusion")  # honours the palette fully on every platform
        app.setPalette(high_contrast_palette())
    else:
        app.setStyle(_Saved.style)
        app.setPalette(_Saved.palette)
    app.setFont(font)
    for widget in root.findChildren(QWidget):
        if widget.styleSheet():  # a style sheet fixes the font at polish time: polish again
            widget.setStyleSheet(widget.styleSheet())
    for plot in root.findChildren(pg.PlotWidget):
        scale_plot(plot, scale)
    for widget in root.findChildren(QWidget):  # panels that lay themselves out differently
        if hasattr(widget, "set_presentation") and widget is not root:
            widget.set_presentation(on)


def scale_plot(plot: pg.PlotWidget, scale: float) -> None:
    """Text, line widths and marker sizes of one plot at ``scale`` times their normal size."""
    item = plot.getPlotItem()
    tick_font = QFont()
    tick_font.setPointSizeF(PLOT_TEXT_PT * scale)
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setTickFont(tick_font)
        axis.setPen(pg.mkPen(axis.pen().color(), width=max(1.0, scale)))
        axis.setTextPen(pg.mkPen("#000000"))
        axis.labelStyle["font-size"] = f"{PLOT_TEXT_PT * scale:.0f}pt"
        if axis.label.isVisible():
            axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix)
    if item.titleLabel.text:
        item.titleLabel.setText(item.titleLabel.text, size=f"{TITLE_PT * scale:.0f}pt")
    for data_item in item.items:
        _scale_item(data_item, scale)
    legend = item.legend
    if legend is not None:
        size = f"{LEGEND_PT * scale:.0f}pt"
        legend.setLabelTextSize(size)
        legend.setLabelTextColor("#000000")
        for _sample, label in legend.items:
            label.setText(label.text, size=size, color="#000000")


def _scale_item(item, scale: float) -> None:
    if isinstance(item, pg.PlotDataItem):
        pen = pg.mkPen(item.opts["pen"])
        base = item.__dict__.setdefault("_base_pen_width", pen.widthF())
        if base > 0:
            pen.setWidthF(base * scale)
            item.setPen(pen)
        if item.opts.get("symbolSize"):
            size = item.__dict__.setdefault("_base_symbol_size", item.opts["symbolSize"])
            item.setSymbolSize(size * scale)
    elif isinstance(item, pg.TextItem):
        font = item.textItem.font()
        base = item.__dict__.setdefault("_base_point_size", font.pointSizeF())
        if base > 0:
            font.setPointSizeF(base * scale)
            item.setFont(font)
    elif isinstance(item, pg.ScatterPlotItem):
        size = item.__dict__.setdefault("_base_size", item.opts["size"])
        item.setSize(size * scale)
    elif isinstance(item, pg.BarGraphItem | pg.InfiniteLine):
        pen = getattr(item, "pen", None)
        if isinstance(pen, pg.QtGui.QPen):
            base = item.__dict__.setdefault("_base_pen_width", pen.widthF())
            scaled = pg.mkPen(pen)
            scaled.setWidthF(max(1.0, base * scale))
            item.setPen(scaled)
