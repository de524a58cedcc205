"""AE vs VAE: the two latent maps side by side, same test images, same colours."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.latent import Projection, subset_indices
from core.tsne import TsneSettings
from explorer.panels.latent_panel import TSNE_METHODS, _encode_task, start_tsne
from explorer.platform.i18n import class_name, format_count
from explorer.state.session import Session
from explorer.state.live_tsne import LiveTsne, prewarm
from explorer.views.map_progress import TsneProgress
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import PALETTE
from explorer.workers import TaskRunner, Worker

POINTS = 2000


class ComparePanel(QWidget):
    def __init__(self, session: Session, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparePanel")
        self.session = session
        self.runner = runner
        self.brushes = [pg.mkBrush(c) for c in PALETTE]
        self.pickers = {
            "ae": ModelPicker(session, "ae", objectName="compareAeCombo"),
            "vae": ModelPicker(session, "vae", objectName="compareVaeCombo"),
        }
        self.method_combo = QComboBox(objectName="compareMapKindCombo")
        # PCA first: its distances mean something, so the VAE's packing around 0 is seen at once.
        self.method_combo.addItem(self.tr("PCA, both on the same axes"), "pca")
        self.method_combo.addItem(self.tr("t-SNE (forms live from PCA)"), "tsne")
        self.method_combo.addItem(self.tr("t-SNE (scikit-learn, as in the lab)"), "tsne-lab")
        self.live = LiveTsne(self)
        self.live.frame.connect(self._on_live_frame)
        self.live.finished.connect(self._on_live_finished)
        self.live.failed.connect(self._on_live_failed)
        self.tsne_settings = TsneSettings()
        self._timer = QTimer(self, interval=500)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.progress: dict[str, TsneProgress] = {}
        self.maps: dict[str, pg.PlotWidget] = {}
        self.scatters: dict[str, pg.ScatterPlotItem] = {}
        self.status: dict[str, QLabel] = {}
        self.results: dict[str, dict] = {"ae": {}, "vae": {}}
        self._keys: dict[str, tuple | None] = {"ae": None, "vae": None}
        grid = QGridLayout()
        for column, kind in enumerate(("ae", "vae")):
            plot = pg.PlotWidget(background="w")
            plot.setObjectName(f"{kind}CompareMap")
            plot.getPlotItem().hideButtons()
            plot.setTitle(self.tr("AE: codes z") if kind == "ae" else self.tr("VAE: means μ"), size="16pt")
            scatter = pg.ScatterPlotItem(size=5, pen=None)
            plot.addItem(scatter)
            label = QLabel(objectName=f"{kind}CompareStatus")
            progress = TsneProgress(f"{kind}Compare")
            progress.pauseToggled.connect(self._on_progress_pause_toggled)
            grid.addWidget(plot, 0, column)
            grid.addWidget(progress, 1, column)
            grid.addWidget(label, 2, column)
            self.maps[kind], self.scatters[kind], self.status[kind] = plot, scatter, label
            self.progress[kind] = progress
        # One legend for both maps, outside them, so it hides no point.
        self.legend = QLabel(objectName="compareLegend", wordWrap=True)
        self.legend.setText(
            "&nbsp;&nbsp;".join(
                f'<span style="color:{colour}; font-size:18px">●</span>&nbsp;{class_name(c)}'
                for c, colour in enumerate(PALETTE)
            )
        )
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
        for picker in self.pickers.values():
            picker.entryChanged.connect(self._on_picker_entry_changed)
        self.method_combo.currentIndexChanged.connect(self._on_method_combo_changed)
        session.datasetChanged.connect(self.refresh)
        session.modelUpdated.connect(self._on_session_model_updated)
        self.refresh()

    @Slot(object)
    def _on_picker_entry_changed(self, _entry) -> None:
        self.refresh()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        if any(p.entry() is not None and p.entry().id == entry_id for p in self.pickers.values()):
            self.refresh()

    @Slot(int)
    def _on_method_combo_changed(self, _index: int) -> None:
        for kind in ("ae", "vae"):
            self._draw(kind)
            self._maybe_tsne(kind)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    _stale = False

    @Slot()
    def refresh(self) -> None:
        # Encoding and t-SNE cost the CPU a training run needs: only for a panel on screen.
        self._stale = not self.isVisible()
        if self._stale:
            return
        data = self.session.dataset
        for kind, picker in self.pickers.items():
            entry = picker.entry()
            if entry is None or data is None:
                self._keys[kind] = None
                self.scatters[kind].setData([])
                self.status[kind].setText(
                    self.tr("Open or train an {k} to compare.").format(k=kind.upper())
                    if data is not None
                    else self.tr("Needs the Fashion-MNIST test images.")
                )
                continue
            key = (kind, entry.id, len(entry.history))
            if key == self._keys[kind]:
                continue
            self._keys[kind] = key
            # Maps no longer compared: their t-SNEs stop, their late frames are never drawn.
            self.live.keep_only({(k, m) for k in self._keys.values() if k is not None for m in TSNE_METHODS})
            if key in self.results[kind]:
                self._draw(kind)
                self._maybe_tsne(kind)
                continue
            indices = subset_indices(data.test, POINTS)
            self.status[kind].setText(self.tr("Encoding…"))
            prewarm()
            worker = Worker(_encode_task(entry.model, data.test, indices, key), f"compare-encode-{key}")
            worker.finished.connect(self._on_encode_finished)
            worker.failed.connect(self._on_worker_failed)
            self.runner.start(worker)

    @Slot(object)
    def _on_encode_finished(self, result) -> None:
        key, codes, pca = result
        kind = key[0]
        self.results[kind][key] = {"codes": codes, "pca": pca, "tsne": None, "tsne-lab": None, "frame": None}
        if key == self._keys[kind]:
            self._draw(kind)
            self._maybe_tsne(kind)

    def _maybe_tsne(self, kind: str) -> None:
        key, method = self._keys[kind], self.method_combo.currentData()
        result = self.results[kind].get(key) if key else None
        entry = self.pickers[kind].entry()
        if result is None or method == "pca" or result[method] is not None or entry is None:
            self._on_timer_timeout()
            return
        if entry.training and method != "tsne":
            self.status[kind].setText(self.tr("PCA shown; the lab's t-SNE after training."))
            return
        if not self.live.running((key, method)):
            data = self.session.dataset
            indices = subset_indices(data.test, POINTS)
            start_tsne(self.live, key, method, entry, indices, result["codes"], self.tsne_settings)
        self._timer.start()
        self._on_timer_timeout()

    @Slot()
    def _on_timer_timeout(self) -> None:
        method, running = self.method_combo.currentData(), False
        for kind in ("ae", "vae"):
            key = self._keys[kind]
            progress = self.live.progress((key, method)) if key is not None and method != "pca" else None
            if progress is None:
                self.progress[kind].idle()
                continue
            running = True
            self.progress[kind].show_progress(*progress, self.live.paused((key, method)))
        if not running:
            self._timer.stop()

    @Slot(bool)
    def _on_progress_pause_toggled(self, on: bool) -> None:
        method = self.method_combo.currentData()
        for kind, progress in self.progress.items():
            if progress is self.sender() and self._keys[kind] is not None:
                (self.live.pause if on else self.live.resume)((self._keys[kind], method))
        self._on_timer_timeout()

    @Slot(object, object)
    def _on_live_frame(self, live_key, frame) -> None:
        key, method = live_key
        kind = key[0]
        result = self.results[kind].get(key)
        if result is None or method != "tsne" or result["tsne"] is not None:
            return
        result["frame"] = Projection("tsne", frame.coords, result["codes"], None)
        if key == self._keys[kind] and self.method_combo.currentData() == "tsne":
            self._draw(kind)

    @Slot(object, object)
    def _on_live_finished(self, live_key, coords) -> None:
        key, method = live_key
        kind = key[0]
        result = self.results[kind].get(key)
        if result is None:
            return
        result[method] = Projection("tsne", coords, result["codes"], None)
        result["frame"] = None
        if key == self._keys[kind]:
            self._draw(kind)
        self._on_timer_timeout()

    @Slot(object, str)
    def _on_live_failed(self, live_key, message: str) -> None:
        if live_key[0] in self._keys.values():
            self._on_worker_failed(message)

    def shutdown(self) -> None:
        """End the t-SNE children (the window closes)."""
        self.live.shutdown()

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        for label in self.status.values():
            label.setText(self.tr("Could not compute the map: {m}").format(m=message))

    def projection(self, kind: str):
        key = self._keys[kind]
        result = self.results[kind].get(key) if key else None
        if result is None:
            return None
        method = self.method_combo.currentData()
        if method == "tsne":
            return result["tsne"] or result["frame"] or result["pca"]
        if method == "tsne-lab":
            return result["tsne-lab"] or result["pca"]
        return result["pca"]

    def _draw(self, kind: str) -> None:
        projection = self.projection(kind)
        data = self.session.dataset
        if projection is None or data is None:
            return
        labels = data.test.labels.numpy()[subset_indices(data.test, POINTS)]
        coords = projection.coords
        self.scatters[kind].setData(x=coords[:, 0], y=coords[:, 1], brush=[self.brushes[c] for c in labels])
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
        if self.method_combo.currentData() == "pca":
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
