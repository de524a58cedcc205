"""AE vs VAE: the two latent maps side by side, same test images, same colours."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.latent import subset_indices
from explorer.panels.latent_panel import _encode_task, _tsne_task
from explorer.platform.i18n import class_name, format_count
from explorer.state.session import Session
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
        self.method_combo.addItem(self.tr("t-SNE (as in the lab)"), "tsne")
        self.method_combo.addItem(self.tr("PCA"), "pca")
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
            plot.setTitle(self.tr("AE: codes z") if kind == "ae" else self.tr("VAE: means μ"), size="14pt")
            scatter = pg.ScatterPlotItem(size=5, pen=None)
            plot.addItem(scatter)
            label = QLabel(objectName=f"{kind}CompareStatus")
            grid.addWidget(plot, 0, column)
            grid.addWidget(label, 1, column)
            self.maps[kind], self.scatters[kind], self.status[kind] = plot, scatter, label
        # One legend for both maps, outside them, so it hides no point.
        self.legend = QLabel(objectName="compareLegend", wordWrap=True)
        self.legend.setText(
            "&nbsp;&nbsp;".join(
                f'<span style="color:{colour}; font-size:18px">●</span>&nbsp;{class_name(c)}'
                for c, colour in enumerate(PALETTE)
            )
        )
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
            if key in self.results[kind]:
                self._draw(kind)
                self._maybe_tsne(kind)
                continue
            indices = subset_indices(data.test, POINTS)
            self.status[kind].setText(self.tr("Encoding…"))
            worker = Worker(_encode_task(entry.model, data.test, indices, key), f"compare-encode-{key}")
            worker.finished.connect(self._on_encode_finished)
            worker.failed.connect(self._on_worker_failed)
            self.runner.start(worker)

    @Slot(object)
    def _on_encode_finished(self, result) -> None:
        key, codes, pca = result
        kind = key[0]
        self.results[kind][key] = {"codes": codes, "pca": pca, "tsne": None}
        if key == self._keys[kind]:
            self._draw(kind)
            self._maybe_tsne(kind)

    def _maybe_tsne(self, kind: str) -> None:
        key = self._keys[kind]
        result = self.results[kind].get(key) if key else None
        if result is None or result["tsne"] is not None or self.method_combo.currentData() != "tsne":
            return
        entry = self.pickers[kind].entry()
        if entry is not None and entry.training:
            self.status[kind].setText(self.tr("PCA shown; t-SNE after training."))
            return
        name = f"compare-tsne-{key}"
        if self.runner.is_running(name):
            return
        self.status[kind].setText(self.tr("PCA shown; computing t-SNE…"))
        worker = Worker(_tsne_task(result["codes"], key), name)
        worker.finished.connect(self._on_tsne_finished)
        worker.failed.connect(self._on_worker_failed)
        self.runner.start(worker)

    @Slot(object)
    def _on_tsne_finished(self, result) -> None:
        key, projection = result
        if projection is None:  # cancelled
            return
        kind = key[0]
        if key in self.results[kind]:
            self.results[kind][key]["tsne"] = projection
        if key == self._keys[kind]:
            self._draw(kind)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        for label in self.status.values():
            label.setText(self.tr("Could not compute the map: {m}").format(m=message))

    def projection(self, kind: str):
        key = self._keys[kind]
        result = self.results[kind].get(key) if key else None
        if result is None:
            return None
        if self.method_combo.currentData() == "tsne" and result["tsne"] is not None:
            return result["tsne"]
        return result["pca"]

    def _draw(self, kind: str) -> None:
        projection = self.projection(kind)
        data = self.session.dataset
        if projection is None or data is None:
            return
        labels = data.test.labels.numpy()[subset_indices(data.test, POINTS)]
        coords = projection.coords
        self.scatters[kind].setData(x=coords[:, 0], y=coords[:, 1], brush=[self.brushes[c] for c in labels])
        self.maps[kind].getViewBox().autoRange(items=[self.scatters[kind]], padding=0.05)
        name = "t-SNE" if projection.method == "tsne" else "PCA"
        spread = np.linalg.norm(projection.codes - projection.codes.mean(0), axis=1).mean()
        self.status[kind].setText(
            self.tr("{m} of {n} codes; mean distance of a code from the centre: {s:.2f}").format(
                m=name, n=format_count(len(coords)), s=spread
            )
        )
