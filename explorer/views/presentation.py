"""Presentation mode: the app as the back row of a classroom sees it.

Fonts 1.5× larger (everything that follows the application font: labels, buttons, image
captions, table cells), plot text, lines and markers scaled alike, and a high-contrast light
theme (pure black on white, strong selection colour) that survives a washed-out projector.
Turning it off restores exactly what was there before, the splitters' sizes included (the
larger text widens columns; the normal text alone would not narrow them again). File dialogs
are Qt's own while it is on: a platform's native dialog ignores the app's font and colours.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QSplitter, QWidget

if TYPE_CHECKING:
    import pyqtgraph as pg

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
    splitters = root.findChildren(QSplitter)
    if on:
        for splitter in splitters:
            splitter.__dict__.setdefault("_sizes_before_presentation", splitter.sizes())
    font = QFont(_Saved.font)
    font.setPointSizeF(_Saved.font.pointSizeF() * scale)
    if on:
        app.setStyle("Fusion")  # honours the palette fully on every platform
        app.setPalette(high_contrast_palette())
    else:
        app.setStyle(_Saved.style)
        app.setPalette(_Saved.palette)
    app.setFont(font)
    # Widgets learn of the new font through posted events: deliver them now. A font change
    # alone leaves a combo box its old minimum height (Qt forgets only its size hint), and the
    # rows of combos stayed presentation-tall after it was turned off: a style change event
    # makes each combo measure both again.
    QApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)
    for combo in root.findChildren(QComboBox):
        QApplication.sendEvent(combo, QEvent(QEvent.Type.StyleChange))
        combo.updateGeometry()
    app.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, on)
    for widget in root.findChildren(QWidget):
        if widget.styleSheet():  # a style sheet fixes the font at polish time: polish again
            widget.setStyleSheet(widget.styleSheet())
    # pyqtgraph is imported with the panels: a window's frame, shown before them, has no plots.
    pyqtgraph = sys.modules.get("pyqtgraph")
    for plot in root.findChildren(pyqtgraph.PlotWidget) if pyqtgraph is not None else []:
        scale_plot(plot, scale)
    for widget in root.findChildren(QWidget):  # panels that lay themselves out differently
        if hasattr(widget, "set_presentation") and widget is not root:
            widget.set_presentation(on)
    if not on:
        for splitter in splitters:
            sizes = splitter.__dict__.pop("_sizes_before_presentation", None)
            if sizes is not None and len(sizes) == splitter.count():
                splitter.setSizes(sizes)


def scale_plot(plot: pg.PlotWidget, scale: float) -> None:
    """Text, line widths and marker sizes of one plot at ``scale`` times their normal size."""
    import pyqtgraph as pg

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
        # Less than the axes' growth: a long legend in large text would cover the curves.
        size = f"{LEGEND_PT * min(scale, 1.25):.0f}pt"
        legend.setLabelTextSize(size)
        legend.setLabelTextColor("#000000")
        for _sample, label in legend.items:
            label.setText(label.text, size=size, color="#000000")


def _scale_item(item, scale: float) -> None:
    import pyqtgraph as pg

    if isinstance(item, pg.PlotDataItem):
        pen = pg.mkPen(item.opts["pen"])
        base = item.__dict__.setdefault("_base_pen_width", pen.widthF())
        if base > 0:
            pen.setWidthF(base * scale)
            item.setPen(pen)
        if item.opts.get("symbolSize"):
            size = item.__dict__.setdefault("_base_symbol_size", item.opts["symbolSize"])
            item.setSymbolSize(size * scale)
    elif isinstance(item, pg.TextItem):  # InfLineLabel is one too
        font = item.textItem.font()
        base = item.__dict__.setdefault("_base_point_size", font.pointSizeF())
        if base > 0:
            font.setPointSizeF(base * scale)
            item.setFont(font)
    elif isinstance(item, pg.ScatterPlotItem):
        size = item.__dict__.setdefault("_base_size", item.opts["size"])
        item.setSize(size * scale)
    if isinstance(item, pg.InfiniteLine) and getattr(item, "label", None) is not None:  # "the lab's code reached …"
        _scale_item(item.label, scale)
    if isinstance(item, pg.BarGraphItem | pg.InfiniteLine):
        pen = getattr(item, "pen", None)
        if isinstance(pen, pg.QtGui.QPen):
            base = item.__dict__.setdefault("_base_pen_width", pen.widthF())
            scaled = pg.mkPen(pen)
            scaled.setWidthF(max(1.0, base * scale))
            item.setPen(scaled)
