"""Understanding: which dimensions matter (traversal atlas), what β trades (rate–distortion),
and honest baselines (PCA for the AE, the IWAE bound for the VAE).

The panel follows the latent explorer's model and code: the atlas moves with its sliders, a
click on a cell sets them, a click on a rate–distortion point opens that model there.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.analysis import AnalysisCancelled, PCABaseline, dimension_summary, likelihood_bounds
from core.checkpoint import CheckpointError, load_checkpoint, read_metadata
from core.training import evaluate, use_all_threads
from explorer.state.explorer import ExplorerState
from explorer.state.panels import UnderstandingState
from explorer.state.session import ModelEntry, Session
from explorer.views.rate_distortion import RateDistortionPlot, RatePoint
from explorer.views.traversal_grid import TraversalGrid
from explorer.workers import TaskRunner, Worker
from resources import resource_path

log = logging.getLogger(__name__)

SUMMARY_IMAGES = 10_000  # test images the per-dimension figures use (all of the full split)


def ladder_files() -> list[Path]:
    """The bundled β ladder (resources/models/ladder/vae-beta*.safetensors)."""
    folder = Path(str(resource_path("models"))) / "ladder"
    return sorted(folder.glob("vae-beta*.safetensors")) if folder.is_dir() else []


def pca_basis() -> PCABaseline | None:
    path = Path(str(resource_path("models"))) / "pca-fashion-mnist.npz"
    try:
        return PCABaseline.load(path)
    except (OSError, ValueError, KeyError):
        return None


def _file_point(path: Path) -> RatePoint | None:
    """A bundled ladder file's point, from the figures in its metadata (nothing loaded)."""
    try:
        meta = read_metadata(path)
    except CheckpointError:
        return None
    bundle = (meta.get("extra") or {}).get("bundle") or {}
    test = bundle.get("test_metrics") or {}
    if "test_bce" not in test or meta.get("beta") is None:
        return None
    return RatePoint(path, float(meta["beta"]), test["test_bce"], test["test_kl"], bundle.get("active_units"))


def _summary_task(model, split, key):
    import copy

    clone = copy.deepcopy(model).eval()

    def run(worker: Worker):
        use_all_threads()
        return key, dimension_summary(clone, split)

    return run


def _iwae_task(model, split, k, key):
    def run(worker: Worker):
        use_all_threads()
        try:
            estimate = likelihood_bounds(
                model,
                split,
                k,
                progress=lambda done, total: worker.report((done, total)),
                cancelled=lambda: worker.cancelled,
            )
        except AnalysisCancelled:
            return key, None
        return key, estimate

    return run


def _pca_task(model, split, basis: PCABaseline, key):
    import copy

    clone = copy.deepcopy(model).eval()

    def run(worker: Worker):
        use_all_threads()
        pca = basis.truncated(clone.latent_dim)
        return key, evaluate(clone, split)["test_mse"], pca.mse(split.images)

    return run


class UnderstandingPanel(QWidget):
    """The traversal atlas, the rate–distortion plane and the baselines of the explorer's model."""

    modelRequested = Signal(object)  # a ladder file to open in the explorer (Path)

    def __init__(
        self,
        session: Session,
        runner: TaskRunner,
        explorer: ExplorerState,
        state: UnderstandingState | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("understandingPanel")
        self.session = session
        self.state = state if state is not None else UnderstandingState(self)
        self.runner = runner
        self.explorer = explorer  # the explorer's state (ExplorerState): its model and its code
        self.entry: ModelEntry | None = None
        self.summaries: dict[tuple, object] = {}  # (entry id, epochs, data size) → DimensionSummary
        self.iwae: dict[tuple, object] = {}
        self.pca_results: dict[tuple, tuple[float, float]] = {}
        self.basis = pca_basis()
        self._build()
        explorer.entryChanged.connect(self._on_explorer_entry_changed)
        explorer.codeChanged.connect(self._on_explorer_code_changed)
        session.modelsChanged.connect(self._on_session_models_changed)
        session.modelUpdated.connect(self._on_session_model_updated)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        self.grid.cellClicked.connect(self._on_grid_cell_clicked)
        self.plot.pointClicked.connect(self._on_plot_point_clicked)
        self.iwae_button.clicked.connect(self._on_iwae_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        # The IWAE settings: the widgets write the state, the state moves the widgets.
        self.k_spin.valueChanged.connect(self.state.set_iwae_k)
        self.images_combo.currentIndexChanged.connect(self._on_images_combo_current_index_changed)
        self.state.iwaeKChanged.connect(self.k_spin.setValue)
        self.state.iwaeImagesChanged.connect(self._on_state_iwae_images_changed)
        self._on_explorer_entry_changed(explorer.entry)

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.grid = TraversalGrid()
        self.grid.setToolTip(
            self.tr(
                "Each row moves one latent dimension from −3σ to +3σ around the current code (framed "
                "column); the others stay put. Click an image to set the explorer's sliders there."
            )
        )
        self.grid_caption = QLabel(objectName="traversalCaption", wordWrap=True)
        atlas = QGroupBox(self.tr("Which dimensions matter?"))
        a = QVBoxLayout(atlas)
        a.addWidget(self.grid_caption)
        a.addWidget(self.grid, 1)

        self.plot = RateDistortionPlot()
        self.plot.setToolTip(
            self.tr(
                "Each point is a VAE: right = more information in the code (KL), down = sharper "
                "reconstructions (BCE). The star is the lab's β = 1; the ring, the explorer's model. "
                "Click a point to open that model in the explorer."
            )
        )
        self.plot_caption = QLabel(objectName="rateDistortionCaption", wordWrap=True)
        self.plot_caption.setText(
            self.tr(
                "What β trades: a larger β pays more for information in the code, so the VAE "
                "keeps less (fewer active dimensions) and reconstructs worse, but its space is "
                "more regular. Where the active units drop, collapse begins."
            )
        )
        rd = QGroupBox(self.tr("Rate and distortion"))
        r = QVBoxLayout(rd)
        r.addWidget(self.plot_caption)
        r.addWidget(self.plot, 1)

        self.baseline_label = QLabel(objectName="baselineLabel", wordWrap=True)
        self.baseline_label.setTextFormat(Qt.TextFormat.RichText)
        self.k_spin = QSpinBox(objectName="iwaeKSpin")
        self.k_spin.setRange(*self.state.K_RANGE)
        self.k_spin.setValue(self.state.iwae_k)
        self.k_spin.setToolTip(self.tr("Samples per image of the importance-weighted bound (k)."))
        self.images_combo = QComboBox(objectName="iwaeImagesCombo")
        self.images_combo.addItem(self.tr("2,000 images"), 2000)
        self.images_combo.addItem(self.tr("all images"), None)
        self.images_combo.setCurrentIndex(self.state.IMAGE_CHOICES.index(self.state.iwae_images))
        self.iwae_button = QPushButton(self.tr("Estimate log-likelihood"), objectName="iwaeButton")
        self.iwae_button.setToolTip(
            self.tr(
                "The IWAE bound (Burda et al.) with k samples per image, computed in the background. "
                "Targets are grayscale as in the lab, not the binarised images of published benchmarks: "
                "compare it with the ELBO here, not with papers."
            )
        )
        self.cancel_button = QPushButton(self.tr("Cancel"), objectName="iwaeCancelButton")
        self.cancel_button.setEnabled(False)
        self.iwae_progress = QProgressBar(objectName="iwaeProgress")
        self.iwae_progress.setTextVisible(False)
        self.iwae_progress.setMaximumHeight(12)
        baselines = QGroupBox(self.tr("Honest baselines"))
        b = QGridLayout(baselines)
        b.addWidget(self.baseline_label, 0, 0, 1, 5)
        b.addWidget(QLabel(self.tr("samples k")), 1, 0)
        b.addWidget(self.k_spin, 1, 1)
        b.addWidget(self.images_combo, 1, 2)
        b.addWidget(self.iwae_button, 1, 3)
        b.addWidget(self.cancel_button, 1, 4)
        b.addWidget(self.iwae_progress, 2, 0, 1, 5)
        b.setColumnStretch(2, 1)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(rd, 3)
        rl.addWidget(baselines, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(atlas)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

    # --- the explorer's model ---------------------------------------------------------------

    def _key(self, entry: ModelEntry | None) -> tuple | None:
        data = self.session.dataset
        if entry is None or data is None:
            return None
        return (entry.id, len(entry.history), len(data.test))

    @Slot(object)
    def _on_explorer_entry_changed(self, entry) -> None:
        self.entry = entry
        self._refresh()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        if self.entry is not None and self.entry.id == entry_id:
            self._refresh()
        else:
            self._update_points()

    @Slot()
    def _on_session_models_changed(self) -> None:
        self._update_points()

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        entry, key = self.entry, self._key(self.entry)
        self.iwae_button.setEnabled(entry is not None and entry.kind == "vae" and key is not None)
        self.k_spin.setEnabled(self.iwae_button.isEnabled())
        self.images_combo.setEnabled(self.iwae_button.isEnabled())
        if key is None:
            self.grid.set_model(None, None)
            self.grid_caption.setText(self.tr("Open or train a model to see its dimensions."))
            self._update_baselines()
            self._update_points()
            return
        summary = self.summaries.get(key)
        if summary is None:
            self.grid.set_model(None, None)
            self.grid_caption.setText(self.tr("Measuring each dimension on the test images…"))
            split = self.session.dataset.test.head(SUMMARY_IMAGES)
            worker = Worker(_summary_task(entry.model, split, key), "understandingSummary")
            worker.finished.connect(self._on_summary_worker_finished)
            worker.failed.connect(self._on_worker_failed)
            self.runner.start(worker)  # if one runs already, its end refreshes and asks again
        else:
            self.grid.set_model(entry.model, summary)
            self.grid.set_center(self.explorer.z)
            self.grid_caption.setText(self._grid_caption(summary))
        if entry.kind == "ae" and key not in self.pca_results and self.basis is not None:
            if self.basis.n_components >= entry.model.latent_dim:
                worker = Worker(_pca_task(entry.model, self.session.dataset.test, self.basis, key), "understandingPca")
                worker.finished.connect(self._on_pca_worker_finished)
                worker.failed.connect(self._on_worker_failed)
                self.runner.start(worker)
        self._update_baselines()
        self._update_points()

    def _grid_caption(self, summary) -> str:
        if summary.kind == "vae":
            return self.tr(
                "Rows: the dimensions, most used first, with their KL (nats): a dimension with KL ≈ 0 "
                "carries nothing, and its row does not change. Columns: −3 to +3 around the current "
                "code, in the prior's σ. Active dimensions (variance of μ over the test set > 0.01): "
                "{n} of {d}."
            ).format(n=summary.active_units, d=len(summary.variance))
        return self.tr(
            "Rows: the dimensions, largest variance over the test set first. Columns: −3σ to +3σ of "
            "each dimension around the current code. An AE's dimensions have no common scale and no "
            "prior: nothing makes them independent or meaningful one by one."
        )

    @Slot(object)
    def _on_summary_worker_finished(self, result) -> None:
        key, summary = result
        self.summaries[key] = summary
        self._refresh()  # the explorer's model, or another one chosen meanwhile

    @Slot(object)
    def _on_pca_worker_finished(self, result) -> None:
        key, ae_mse, pca_mse = result
        self.pca_results[key] = (ae_mse, pca_mse)
        self._update_baselines()

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        self.baseline_label.setText(self.tr("Could not compute: {message}").format(message=message))
        self.iwae_button.setEnabled(self.entry is not None and self.entry.kind == "vae")
        self.cancel_button.setEnabled(False)

    @Slot()
    def _on_explorer_code_changed(self) -> None:
        if self.grid.model is not None and len(self.explorer.z) == self.grid.model.latent_dim:
            self.grid.set_center(self.explorer.z)

    @Slot(int, float)
    def _on_grid_cell_clicked(self, dim: int, value: float) -> None:
        self.explorer.set_value(dim, value)

    # --- baselines ----------------------------------------------------------------------------

    def _update_baselines(self) -> None:
        entry, key = self.entry, self._key(self.entry)
        if entry is None or key is None:
            self.baseline_label.setText(self.tr("Open or train a model to compare it with a baseline."))
            return
        n = len(self.session.dataset.test)
        if entry.kind == "ae":
            result = self.pca_results.get(key)
            if self.basis is None or self.basis.n_components < entry.model.latent_dim:
                self.baseline_label.setText(self.tr("No PCA basis for this latent size."))
            elif result is None:
                self.baseline_label.setText(self.tr("Measuring the AE and PCA on the test images…"))
            else:
                ae_mse, pca_mse = result
                self.baseline_label.setText(
                    self.tr(
                        "Reconstruction error (MSE per pixel, {n} test images): this AE <b>{ae:.5f}</b>, "
                        "PCA with the same {d} dimensions (fitted on the training set) <b>{pca:.5f}</b>: "
                        "the AE's error is {ratio:.0%} of the linear projection's."
                    ).format(n=n, ae=ae_mse, d=entry.model.latent_dim, pca=pca_mse, ratio=ae_mse / pca_mse)
                )
            return
        test = entry.history[-1].test if entry.history else {}
        lines = []
        if "test_bce" in test:
            lines.append(
                self.tr("Test loss at z = μ (BCE + KL, as training reports it): {loss:.1f} nats per image.").format(
                    loss=test["test_bce"] + test["test_kl"]
                )
            )
        estimate = self.iwae.get((key, self.state.iwae_k, self.state.iwae_images))
        if estimate is None:
            estimate = next((v for (k2, *_), v in self.iwae.items() if k2 == key), None)
        if estimate is not None:
            lines.append(
                self.tr(
                    "On {n} images, k = {k}: ELBO <b>{elbo:.1f}</b>, IWAE bound <b>{iwae:.1f}</b> nats per image "
                    "(log-likelihood ≥ both; the ELBO is {gap:.1f} nats looser)."
                ).format(n=estimate.images, k=estimate.k, elbo=estimate.elbo, iwae=estimate.iwae, gap=estimate.gap)
            )
        else:
            lines.append(self.tr("Estimate the log-likelihood to see how loose the ELBO is."))
        self.baseline_label.setText("<br>".join(lines))

    @Slot()
    def _on_iwae_button_clicked(self) -> None:
        entry, key = self.entry, self._key(self.entry)
        if entry is None or key is None or entry.kind != "vae":
            return
        count = self.state.iwae_images
        split = self.session.dataset.test.head(count)
        k = self.state.iwae_k
        worker = Worker(_iwae_task(entry.model, split, k, (key, k, count)), "understandingIwae")
        worker.progress.connect(self._on_iwae_worker_progress)
        worker.finished.connect(self._on_iwae_worker_finished)
        worker.failed.connect(self._on_iwae_worker_failed)
        if self.runner.start(worker):
            self.iwae_button.setEnabled(False)
            self.cancel_button.setEnabled(True)
            self.iwae_progress.setRange(0, len(split))
            self.iwae_progress.setValue(0)

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        self.runner.cancel("understandingIwae")

    @Slot(object)
    def _on_iwae_worker_progress(self, payload) -> None:
        done, total = payload
        self.iwae_progress.setRange(0, total)
        self.iwae_progress.setValue(done)

    @Slot(object)
    def _on_iwae_worker_finished(self, result) -> None:
        key, estimate = result
        if estimate is not None:  # None: cancelled
            self.iwae[key] = estimate
        else:
            self.iwae_progress.setValue(0)
        self.cancel_button.setEnabled(False)
        self.iwae_button.setEnabled(self.entry is not None and self.entry.kind == "vae")
        self._update_baselines()

    @Slot(str)
    def _on_iwae_worker_failed(self, message: str) -> None:
        self.cancel_button.setEnabled(False)
        self.iwae_button.setEnabled(self.entry is not None and self.entry.kind == "vae")
        self.iwae_progress.setValue(0)
        self._on_worker_failed(message)

    # --- rate–distortion -------------------------------------------------------------------

    def _update_points(self) -> None:
        points = []
        data_size = len(self.session.dataset.test) if self.session.dataset is not None else None
        for entry in self.session.entries:
            if entry.kind != "vae" or not entry.history or "test_bce" not in entry.history[-1].test:
                continue
            beta = entry.train_config.beta if entry.train_config else 1.0
            summary = self.summaries.get((entry.id, len(entry.history), data_size))
            test = entry.history[-1].test
            points.append(
                RatePoint(entry.id, beta, test["test_bce"], test["test_kl"], summary.active_units if summary else None)
            )
        opened = {e.path.resolve() for e in self.session.entries if e.path is not None}
        for path in ladder_files():
            if path.resolve() in opened:
                continue
            point = _file_point(path)
            if point is not None:
                points.append(point)
        self.plot.set_points(points, self.entry.id if self.entry is not None else None)

    @Slot(object)
    def _on_plot_point_clicked(self, key) -> None:
        if isinstance(key, Path):
            entry = self.open_ladder_file(key)
            if entry is None:
                return
            key = entry.id
        entry = next((e for e in self.session.entries if e.id == key), None)
        if entry is not None:
            self.explorer.set_entry(entry)

    def open_ladder_file(self, path: Path) -> ModelEntry | None:
        existing = self.session.find_path(path)
        if existing is not None:
            return existing
        try:
            checkpoint = load_checkpoint(path)
        except CheckpointError as exc:
            self.baseline_label.setText(str(exc))
            return None
        entry = ModelEntry(
            checkpoint.model, checkpoint.train_config, checkpoint.history, path, replay=checkpoint.replay
        )
        return self.session.add(entry)

    def rate_point(self, key) -> RatePoint | None:
        return next((p for p in self.plot.points if p.key == key), None)

    def current_summary(self):
        return self.summaries.get(self._key(self.entry))

    def iwae_result(self):
        return next(iter(self.iwae.values()), None) if self.iwae else None

    @Slot(int)
    def _on_images_combo_current_index_changed(self, index: int) -> None:
        self.state.set_iwae_images(self.state.IMAGE_CHOICES[index])

    @Slot(object)
    def _on_state_iwae_images_changed(self, images) -> None:
        self.images_combo.setCurrentIndex(self.state.IMAGE_CHOICES.index(images))
