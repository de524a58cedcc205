"""AE vs VAE: the two latent maps side by side, same test images, same colours."""

from __future__ import annotations

from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.platform.i18n import format_count
from explorer.state.compare import KINDS, CompareState
from explorer.state.latent_maps import CodeMap, LatentMaps, map_key
from explorer.state.session import Session
from explorer.views.binding import Binding, bind
from explorer.views.latent_map import class_names
from explorer.views.map_progress import TsneProgress
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import PALETTE
from explorer.workers import TaskRunner

POINTS = 2000


class ComparePanel(QWidget):
    def __init__(self, session: Session, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparePanel")
        self.session = session
        self.state = CompareState(self)
        self.latent_maps = LatentMaps.of(session, runner)
        self.brushes = [pg.mkBrush(c) for c in PALETTE]
        self.pickers = {
            "ae": ModelPicker(session, "ae", objectName="compareAeCombo"),
            "vae": ModelPicker(session, "vae", objectName="compareVaeCombo"),
        }
        self.method_combo = QComboBox(objectName="compareMapKindCombo")
        self.method_combo.addItem(self.tr("PCA, both on the same axes"), "pca")
        self.method_combo.addItem(self.tr("t-SNE (forms live from PCA)"), "tsne")
        self.method_combo.addItem(self.tr("t-SNE (scikit-learn, as in the lab)"), "tsne-lab")
        self._stale = False
        self._timer = QTimer(self, interval=500)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.progress: dict[str, TsneProgress] = {}
        self.maps: dict[str, pg.PlotWidget] = {}
        self.scatters: dict[str, pg.ScatterPlotItem] = {}
        self.status: dict[str, QLabel] = {}
        self._keys: dict[str, tuple | None] = dict.fromkeys(KINDS)
        grid = QGridLayout()
        for column, kind in enumerate(KINDS):
            plot = pg.PlotWidget(background="w")
            plot.setObjectName(f"{kind}CompareMap")
            plot.getPlotItem().hideButtons()
            plot.setTitle(self.tr("AE: codes z") if kind == "ae" else self.tr("VAE: means μ"), size="16pt")
            scatter = pg.ScatterPlotItem(size=5, pen=None)
            plot.addItem(scatter)
            label = QLabel(objectName=f"{kind}CompareStatus")
            progress = TsneProgress(f"{kind}Compare")
            # Each map's own pause: the kind comes with the signal (a GUI-thread one), not from sender().
            progress.pauseToggled.connect(partial(self._on_progress_pause_toggled, kind))
            grid.addWidget(plot, 0, column)
            grid.addWidget(progress, 1, column)
            grid.addWidget(label, 2, column)
            self.maps[kind], self.scatters[kind], self.status[kind] = plot, scatter, label
            self.progress[kind] = progress
        # One legend for both maps, outside them, so it hides no point.
        self.legend = QLabel(objectName="compareLegend", wordWrap=True)
        self.method_note = QLabel(objectName="compareMethodNote")
        self.method_note.setWordWrap(True)
        self.caption = QLabel(objectName="compareCaption")
        self.caption.setWordWrap(True)
        self.caption.setText(
            self.tr(
                "The lab's question, answered: the same {n} test images, coloured by class. The AE places its "
                "classes wherever reconstruction is easiest — separate islands with empty space between them, "
                "where decoded points mean nothing. The VAE's KL term pulls every code towards N(0, I): its "
                "classes are packed around the origin into one continuous space, so any point in between "
                "decodes to something plausible, and interpolation and generation work."
            ).format(n=format_count(POINTS))
        )
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("AE")))
        bar.addWidget(self.pickers["ae"])
        bar.addWidget(QLabel(self.tr("VAE")))
        bar.addWidget(self.pickers["vae"])
        bar.addWidget(QLabel(self.tr("Map")))
        bar.addWidget(self.method_combo)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.legend)
        layout.addLayout(grid, 1)
        layout.addWidget(self.method_note)
        layout.addWidget(self.caption)
        for kind, picker in self.pickers.items():
            Binding(
                picker.entryChanged, partial(self.state.set_entry, kind), self.state.entriesChanged,
                partial(self._show_entry_in_picker, kind), picker,
            )  # fmt: skip
            self.state.set_entry(kind, picker.entry())
        bind(self.method_combo, self.state, "map_kind")
        self.state.entriesChanged.connect(self.refresh)
        self.state.mapKindChanged.connect(self._on_state_map_kind_changed)
        self.latent_maps.mapChanged.connect(self._on_maps_map_changed)
        self.latent_maps.failed.connect(self._on_maps_failed)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        session.modelUpdated.connect(self._on_session_model_updated)
        self._on_session_dataset_changed()

    def _show_entry_in_picker(self, kind: str) -> None:
        entry = self.state.entries[kind]
        if entry is not None and self.pickers[kind].entry() is not entry:
            self.pickers[kind].select(entry.id)

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        data = self.session.dataset
        names = class_names(data.info if data is not None else None)
        self.legend.setText(
            "&nbsp;&nbsp;".join(
                f'<span style="color:{PALETTE[c % len(PALETTE)]}; font-size:18px">●</span>&nbsp;{name}'
                for c, name in enumerate(names)
            )
        )
        self.refresh()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        if any(e is not None and e.id == entry_id for e in self.state.entries.values()):
            self.refresh()

    @Slot(str)
    def _on_state_map_kind_changed(self, _kind: str) -> None:
        for kind in KINDS:
            self._draw(kind)
            self._maybe_tsne(kind)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        # Encoding and t-SNE cost the CPU a training run needs: only for a panel on screen.
        self._stale = not self.isVisible()
        if self._stale:
            return
        data = self.session.dataset
        for kind, entry in self.state.entries.items():
            self._keys[kind] = map_key(entry, POINTS) if entry is not None and data is not None else None
        # Maps no longer compared: their t-SNEs stop, their late frames are never drawn.
        self.latent_maps.show("compare", set(self._keys.values()))
        for kind, entry in self.state.entries.items():
            if self._keys[kind] is None:
                self.scatters[kind].setData([])
                self.status[kind].setText(
                    self.tr("Open or train an {k} to compare.").format(k=kind.upper())
                    if data is not None
                    else self.tr("Needs the Fashion-MNIST test images.")
                )
            elif self.latent_maps.get(self._keys[kind]) is not None:
                self._draw(kind)
                self._maybe_tsne(kind)
            else:
                self.status[kind].setText(self.tr("Encoding…"))
                self.latent_maps.encode(entry, POINTS)

    def _result(self, kind: str) -> CodeMap | None:
        key = self._keys[kind]
        return self.latent_maps.get(key) if key is not None else None

    @Slot(object)
    def _on_maps_map_changed(self, key) -> None:
        for kind in KINDS:
            if key == self._keys[kind]:
                self._draw(kind)
                self._maybe_tsne(kind)

    def _maybe_tsne(self, kind: str) -> None:
        method, result, entry = self.state.map_kind, self._result(kind), self.state.entries[kind]
        if result is None or method == "pca" or result.tsne[method] is not None or entry is None:
            self._on_timer_timeout()
            return
        if entry.training and method != "tsne":
            self.status[kind].setText(self.tr("PCA shown; the lab's t-SNE after training."))
            return
        self.latent_maps.start_tsne(entry, self._keys[kind], method)
        self._timer.start()
        self._on_timer_timeout()

    @Slot()
    def _on_timer_timeout(self) -> None:
        running = False
        for kind in KINDS:
            progress = self.latent_maps.progress(self._keys[kind], self.state.map_kind)
            if progress is None:
                self.progress[kind].idle()
            else:
                running = True
                self.progress[kind].show_progress(*progress)
        if not running:
            self._timer.stop()

    def _on_progress_pause_toggled(self, kind: str, on: bool) -> None:
        if self._keys[kind] is not None:
            self.latent_maps.set_paused(self._keys[kind], self.state.map_kind, on)
        self._on_timer_timeout()

    @Slot(object, str)
    def _on_maps_failed(self, key, message: str) -> None:
        if key in self._keys.values():
            for label in self.status.values():
                label.setText(self.tr("Could not compute the map: {m}").format(m=message))

    def shutdown(self) -> None:
        """End the t-SNE children (the window closes)."""
        self.latent_maps.shutdown()

    def projection(self, kind: str):
        result = self._result(kind)
        return result.projection(self.state.map_kind) if result is not None else None

    def _draw(self, kind: str) -> None:
        projection, result = self.projection(kind), self._result(kind)
        if projection is None:
            return
        coords = projection.coords
        brushes = [self.brushes[c % len(self.brushes)] for c in result.labels]
        self.scatters[kind].setData(x=coords[:, 0], y=coords[:, 1], brush=brushes)
        pca = projection.method == "pca"
        plot = self.maps[kind].getPlotItem()
        plot.setLabel("bottom", self.tr("principal axis 1") if pca else self.tr("t-SNE 1 (no unit)"))
        plot.setLabel("left", self.tr("principal axis 2") if pca else self.tr("t-SNE 2 (no unit)"))
        self._fit_views()
        self._show_method_note()
        name = "t-SNE" if projection.method == "tsne" else "PCA"
        spread = np.linalg.norm(projection.codes - projection.codes.mean(0), axis=1).mean()
        self.status[kind].setText(
            self.tr("{m} of {n} codes; mean distance of a code from the centre: {s:.2f}").format(
                m=name, n=format_count(len(coords)), s=spread
            )
        )

    def _fit_views(self) -> None:
        """PCA: both maps on one range, so the VAE's packing around 0 is seen against the AE's
        spread. t-SNE: each map fills its own view (its scale means nothing)."""
        shown = {k: self.projection(k) for k in ("ae", "vae")}
        shown = {k: p for k, p in shown.items() if p is not None}
        if len(shown) == 2 and all(p.method == "pca" for p in shown.values()):
            both = np.concatenate([p.coords for p in shown.values()])
            low, high = both.min(0), both.max(0)
            for kind in shown:
                view = self.maps[kind].getViewBox()
                view.setRange(
                    xRange=(float(low[0]), float(high[0])), yRange=(float(low[1]), float(high[1])), padding=0.05
                )
        else:
            for kind in shown:
                self.maps[kind].getViewBox().autoRange(items=[self.scatters[kind]], padding=0.05)

    def _show_method_note(self) -> None:
        if self.state.map_kind == "pca":
            self.method_note.setText(
                self.tr(
                    "PCA keeps distances: both maps share the same axes and scale, so you see how far the AE "
                    "spreads its codes and how tightly the VAE packs them around 0. Choose t-SNE above to see "
                    "the neighbourhoods instead."
                )
            )
        else:
            self.method_note.setText(
                self.tr(
                    "t-SNE keeps only who is next to whom: each map is stretched to fill its box, and the sizes "
                    "of clusters and the gaps between them mean nothing. So both models look like islands here — "
                    "the VAE's packing around 0 shows only in PCA (and in the mean distance below)."
                )
            )
