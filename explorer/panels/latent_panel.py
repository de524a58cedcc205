"""The latent explorer: sliders driving the decoder, a clickable map of the test set's codes,
and interpolation between two endpoints."""

from __future__ import annotations


import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.data import Split
from core.latent import (
    Projection,
    aligned_replay,
    decode,
    interpolate,
    latent_stats,
    path_points,
    pca_projection,
    reconstruct,
    sample_prior,
    subset_indices,
)
from core.training import encode_split, use_all_threads
from core.tsne import TsneMap, TsneSettings, cache_key, export_map_csv, weights_hash
from explorer.state.live_tsne import LAB_METHOD, OPENTSNE_METHOD, LiveTsne, prewarm
from explorer.views.map_progress import TsneProgress, trust_text
from explorer.platform.i18n import class_name, format_count
from explorer.state.session import ModelEntry, Session
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import PALETTE, ImageGrid, shrinkable
from explorer.workers import TaskRunner, Worker

SLIDER_STEPS = 1000
POINT_COUNTS = (1000, 2000, 5000, 10000)


class ExplorerState(QObject):
    """What the explorer shows: the current code, the selected test image, the endpoints."""

    codeChanged = Signal()
    selectionChanged = Signal()
    endpointsChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.z = np.zeros(0, dtype=np.float32)
        self.selected: int | None = None  # test-set index
        self.endpoints: dict[str, np.ndarray | None] = {"A": None, "B": None}
        self.endpoint_labels: dict[str, str] = {"A": "", "B": ""}

    def set_code(self, z: np.ndarray) -> None:
        self.z = np.asarray(z, dtype=np.float32).copy()
        self.codeChanged.emit()

    def set_value(self, dim: int, value: float) -> None:
        self.z[dim] = value
        self.codeChanged.emit()

    def select(self, index: int | None) -> None:
        self.selected = index
        self.selectionChanged.emit()

    def set_endpoints(self, a: np.ndarray, b: np.ndarray, label_a: str = "", label_b: str = "") -> None:
        """Both ends at once (e.g. for a model of another latent size)."""
        self.endpoints = {
            "A": np.asarray(a, dtype=np.float32).copy(),
            "B": np.asarray(b, dtype=np.float32).copy(),
        }
        self.endpoint_labels = {"A": label_a, "B": label_b}
        self.endpointsChanged.emit()

    def set_endpoint(self, name: str, z: np.ndarray | None, label: str = "") -> None:
        self.endpoints[name] = None if z is None else np.asarray(z, dtype=np.float32).copy()
        self.endpoint_labels[name] = label
        self.endpointsChanged.emit()


def _encode_task(model, split: Split, indices: np.ndarray, key):
    """Worker function: codes of the chosen test images and their PCA map."""
    model_copy = _copy_model(model)

    def run(worker: Worker):
        use_all_threads()
        subset = Split(split.images[torch.from_numpy(indices)], split.labels[torch.from_numpy(indices)])
        codes = encode_split(model_copy, subset).numpy()
        return key, codes, pca_projection(codes)

    return run


TSNE_METHODS = {"tsne": OPENTSNE_METHOD, "tsne-lab": LAB_METHOD}  # map method → core.tsne_stream's


def start_tsne(live: LiveTsne, key, method: str, entry: ModelEntry, indices, codes, settings, init=None) -> None:
    """Start the t-SNE ``method`` of a map in ``live``, cached on disk by the model's weights,
    the points and the settings (a warm start from a previous layout is not cached)."""
    core_method = TSNE_METHODS[method]
    cached = None if init is not None else cache_key(weights_hash(entry.model), indices, core_method, settings)
    live.start((key, method), codes, settings, method=core_method, init=init, cache_key=cached)


def _copy_model(model):
    """A private copy for a worker thread, so the GUI thread may keep using (and updating) its own."""
    import copy

    clone = copy.deepcopy(model)
    clone.eval()
    return clone


class LatentPanel(QWidget):
    """Sliders + decoded image, the latent map, and the interpolation strip."""

    def __init__(self, session: Session, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("latentPanel")
        self.session = session
        self.runner = runner
        self.state = ExplorerState(self)
        self.entry: ModelEntry | None = None
        self.indices = np.zeros(0, dtype=np.int64)
        self.codes: np.ndarray | None = None
        self.labels = np.zeros(0, dtype=np.int64)
        self.pca: Projection | None = None
        self.tsne: Projection | None = None  # the app's t-SNE (openTSNE), finished
        self.lab_tsne: Projection | None = None  # scikit-learn's, as in the lab
        self._frame: Projection | None = None  # the newest frame of the app's t-SNE while it forms
        self._lab: dict[tuple, Projection] = {}
        self._layouts: dict[tuple, np.ndarray] = {}  # (entry id, points) → its last t-SNE, for a warm start
        self.tsne_settings = TsneSettings()
        self.live = LiveTsne(self)
        self.live.frame.connect(self._on_live_frame)
        self.live.finished.connect(self._on_live_finished)
        self.live.failed.connect(self._on_live_failed)
        self._cache: dict[tuple, tuple[np.ndarray, Projection, Projection | None]] = {}
        self._key: tuple | None = None
        self._tsne_started = 0.0
        self.stats = None
        self.sliders: list[QSlider] = []
        self.value_labels: list[QLabel] = []
        self.range_labels: list[list[QLabel]] = []
        self._decode_pending = False
        # A child timer, not QTimer.singleShot(0, method): it dies with the panel, so a decode
        # cannot fire into a window already closed and deleted.
        self._decode_timer = QTimer(self, interval=0, singleShot=True)
        self._decode_timer.timeout.connect(self._decode_now)
        self._build()
        self.picker.entryChanged.connect(self._on_picker_entry_changed)
        session.modelUpdated.connect(self._on_session_model_updated)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        self.state.codeChanged.connect(self._on_state_code_changed)
        self.state.selectionChanged.connect(self._on_state_selection_changed)
        self.state.endpointsChanged.connect(self._on_state_endpoints_changed)
        self._tsne_timer = QTimer(self, interval=500)
        self._tsne_timer.timeout.connect(self._on_tsne_timer_timeout)
        self._on_picker_entry_changed(self.picker.entry())

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.picker = ModelPicker(self.session, prefer="vae", objectName="latentModelCombo")
        self.map_combo = QComboBox(objectName="mapMethodCombo")
        self.map_combo.addItem(self.tr("t-SNE (forms live from PCA)"), "tsne")
        self.map_combo.addItem(self.tr("t-SNE (scikit-learn, as in the lab)"), "tsne-lab")
        self.map_combo.addItem(self.tr("PCA"), "pca")
        self.map_combo.setToolTip(
            self.tr(
                "PCA: a linear view, exact — hover anywhere to decode that point. t-SNE: a non-linear view, "
                "better at showing clusters; it forms on screen from the PCA map (openTSNE), or, as in the lab, "
                "appears when scikit-learn has finished. Hovering empty t-SNE space decodes an estimate."
            )
        )
        self.count_combo = QComboBox(objectName="mapPointsCombo")
        for n in POINT_COUNTS:
            self.count_combo.addItem(self.tr("{n} points").format(n=format_count(n)), n)
        self.count_combo.setCurrentIndex(1)
        self.map_status = shrinkable(QLabel(objectName="mapStatusLabel"))
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Model")))
        top.addWidget(self.picker)
        top.addSpacing(12)
        top.addWidget(QLabel(self.tr("Map")))
        top.addWidget(self.map_combo)
        top.addWidget(self.count_combo)
        top.addWidget(self.map_status, 1)

        # left: decoded image and sliders
        self.decoded = ImageGrid(objectName="decodedImage")
        self.decoded.setMinimumSize(200, 200)
        self.random_button = QPushButton(self.tr("Random"), objectName="randomCodeButton")
        self.random_button.setToolTip(
            self.tr("A random code: from N(0, I) for the VAE, from the codes' spread for the AE.")
        )
        self.reset_button = QPushButton(self.tr("Reset"), objectName="resetCodeButton")
        self.reset_button.setToolTip(self.tr("Every slider to the mean of the test images' codes."))
        self.from_selection_button = QPushButton(
            self.tr("From selected image"), objectName="fromSelectionButton"
        )
        buttons = QHBoxLayout()
        for b in (self.random_button, self.reset_button, self.from_selection_button):
            buttons.addWidget(b)
        self.slider_box = QWidget()
        self.slider_layout = QGridLayout(self.slider_box)
        self.slider_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.slider_box)
        self.slider_note = QLabel(objectName="sliderNoteLabel")
        self.slider_note.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.decoded, 3)
        left.addLayout(buttons)
        left.addWidget(self.slider_note)
        left.addWidget(scroll, 4)
        left_widget = QWidget()
        left_widget.setLayout(left)

        # centre: the map
        self.map = pg.PlotWidget(background="w")
        self.map.setObjectName("latentMap")
        self.map.setAspectLocked(False)
        self.map.showGrid(x=True, y=True, alpha=0.15)
        self.map.getPlotItem().hideButtons()
        self.scatter = pg.ScatterPlotItem(size=6, pen=None, hoverable=False)
        self.map.addItem(self.scatter)
        self.path_item = pg.PlotDataItem(
            pen=pg.mkPen("#333333", width=2, style=Qt.PenStyle.DashLine),
            symbol="o",
            symbolSize=6,
            symbolBrush="#333333",
        )
        self.map.addItem(self.path_item)
        self.endpoint_items = {
            name: pg.TextItem(name, color="#000000", anchor=(0.5, 1.2), fill=pg.mkBrush(255, 255, 255, 200))
            for name in ("A", "B")
        }
        for item in self.endpoint_items.values():
            item.hide()
            self.map.addItem(item)
        self.here = pg.ScatterPlotItem(
            size=22, symbol="star", pen=pg.mkPen("#000000", width=2), brush=pg.mkBrush("#ffffff")
        )
        self.map.addItem(self.here)
        # On a light ground, up and right of the star: readable over the points it covers.
        self.here_label = pg.TextItem(
            "", color="#000000", anchor=(-0.15, 1.15), fill=pg.mkBrush(255, 255, 255, 215), border="#777777"
        )
        self.map.addItem(self.here_label)
        self.selected_item = pg.ScatterPlotItem(
            size=16, symbol="o", pen=pg.mkPen("#000000", width=3), brush=None
        )
        self.map.addItem(self.selected_item)
        legend = self.map.addLegend(offset=(10, 10), labelTextSize="10pt")
        # A semi-opaque card in the corner (drag it elsewhere): points under it still show.
        legend.setBrush(pg.mkBrush(255, 255, 255, 190))
        legend.setPen(pg.mkPen("#bbbbbb"))
        legend.setToolTip(self.tr("Drag the legend if it hides points."))
        self.brushes = [pg.mkBrush(c) for c in PALETTE]
        for c, brush in enumerate(self.brushes):
            legend.addItem(pg.ScatterPlotItem(brush=brush, pen=None, size=10), class_name(c))
        self.map_hint = QLabel(
            self.tr(
                "Click a point: its code goes to the sliders. Shift+click: endpoint A, Ctrl+click: endpoint B. "
                "Hover: the image under the cursor."
            )
        )
        self.map_hint.setWordWrap(True)
        self.mouse_proxy = pg.SignalProxy(
            self.map.scene().sigMouseMoved, rateLimit=60, slot=self._on_map_mouse_moved
        )
        self.map.scene().sigMouseClicked.connect(self._on_map_scene_clicked)
        self.replay_slider = QSlider(Qt.Orientation.Horizontal, objectName="replaySlider")
        self.replay_slider.setMinimumWidth(90)
        self.replay_slider.setToolTip(
            self.tr("Watch the map form: the codes of 2,000 test images after each epoch.")
        )
        self.replay_button = QPushButton(
            self.tr("Play training"), objectName="replayPlayButton", checkable=True
        )
        self.live_button = QPushButton(self.tr("Live map"), objectName="liveMapButton")
        self.live_button.setToolTip(self.tr("Back to the map of the model as it is now"))
        self.replay_label = shrinkable(QLabel(objectName="replayLabel"))
        self._replay_timer = QTimer(self, interval=700)
        self._replay_timer.timeout.connect(self._on_replay_timer_timeout)
        self._replay_maps: list[np.ndarray] = []
        self.replaying = False
        replay_bar = QHBoxLayout()
        replay_bar.addWidget(self.replay_slider, 1)
        replay_bar.addWidget(self.replay_button)
        replay_bar.addWidget(self.live_button)
        replay_bar.addWidget(self.replay_label)
        self.tsne_progress = TsneProgress("map")
        self.export_button = QPushButton(self.tr("Export map as CSV…"), objectName="exportMapButton")
        self.export_button.setToolTip(self.tr("The points of this map: x, y, class and test image index"))
        map_bar = QHBoxLayout()
        map_bar.addWidget(self.tsne_progress, 1)
        map_bar.addWidget(self.export_button)
        centre = QVBoxLayout()
        centre.addWidget(self.map, 1)
        centre.addLayout(map_bar)
        centre.addLayout(replay_bar)
        centre.addWidget(self.map_hint)
        centre_widget = QWidget()
        centre_widget.setLayout(centre)

        # right: hover and selection previews
        self.hover = ImageGrid(objectName="hoverImage")
        self.hover.setMinimumSize(120, 90)
        self.hover.set_placeholder(self.tr("Hover over the map: the image under the cursor appears here."))
        self.hover_label = QLabel(objectName="hoverLabel")
        self.hover_label.setWordWrap(True)  # "Decoded at this point of the PCA plane", whole
        self.selection = ImageGrid(objectName="selectionImages")
        self.selection.setMinimumSize(120, 150)
        self.selection.set_placeholder(
            self.tr("Click a point on the map: its test image and its reconstruction appear here.")
        )
        self.selection_label = QLabel(objectName="selectionLabel")
        self.selection_label.setWordWrap(True)
        right = QVBoxLayout()
        hover_box = QGroupBox(self.tr("Under the cursor"))
        hl = QVBoxLayout(hover_box)
        hl.addWidget(self.hover, 1)
        hl.addWidget(self.hover_label)
        sel_box = QGroupBox(self.tr("Selected test image"))
        sl = QVBoxLayout(sel_box)
        sl.addWidget(self.selection, 1)
        sl.addWidget(self.selection_label)
        right.addWidget(hover_box, 1)
        right.addWidget(sel_box, 1)
        right_widget = QWidget()
        right_widget.setLayout(right)
        right_widget.setMaximumWidth(300)

        # bottom: interpolation
        self.steps_spin = QSpinBox(objectName="interpolationStepsSpin", minimum=1, maximum=20, value=10)
        self.method_combo = QComboBox(objectName="interpolationMethodCombo")
        self.method_combo.addItem(self.tr("linear (the lab's)"), "linear")
        self.method_combo.addItem(self.tr("spherical (slerp)"), "spherical")
        self.method_combo.setToolTip(self.tr("How the strip below interpolates from A to B"))
        self.random_ends_button = QPushButton(self.tr("Random A and B"), objectName="randomEndpointsButton")
        self.endpoint_label = shrinkable(QLabel(objectName="endpointLabel"))
        self.index_spin = QSpinBox(objectName="endpointIndexSpin", minimum=0, maximum=9999)
        self.index_spin.setPrefix(self.tr("Test image #"))
        self.index_spin.setToolTip(self.tr("A test image by its index (0–9,999), as in the lab's notebook."))
        self.set_a_button = QPushButton(self.tr("Set as A"), objectName="setEndpointAButton")
        self.set_b_button = QPushButton(self.tr("Set as B"), objectName="setEndpointBButton")
        self.alpha_slider = QSlider(Qt.Orientation.Horizontal, objectName="alphaSlider")
        self.alpha_slider.setRange(0, 100)
        self.alpha_slider.setMinimumWidth(100)
        self.alpha_slider.setToolTip(self.tr("Walk from A to B: the large image and the sliders follow."))
        self.alpha_label = QLabel("α = 0.00", objectName="alphaLabel")
        self.animate_button = QPushButton(self.tr("Animate"), objectName="animateButton", checkable=True)
        self._animation = QTimer(self, interval=40)
        self._animation.timeout.connect(self._on_animation_timeout)
        self._animation_step = 2
        self.strip = ImageGrid(objectName="interpolationStrip")
        self.strip.setMinimumHeight(60)  # the walk row below the endpoints takes the rest
        steps_label = QLabel(self.tr("Steps A→B"))
        steps_label.setBuddy(self.steps_spin)
        self._on_steps_spin_value_changed(self.steps_spin.value())
        self.steps_spin.valueChanged.connect(self._on_steps_spin_value_changed)
        # Two rows: the endpoints, then the walk between them (one row would not fit 1280×720).
        bar = QHBoxLayout()
        bar.addWidget(self.method_combo)
        bar.addWidget(steps_label)
        bar.addWidget(self.steps_spin)
        bar.addWidget(self.random_ends_button)
        bar.addWidget(self.index_spin)
        bar.addWidget(self.set_a_button)
        bar.addWidget(self.set_b_button)
        bar.addWidget(self.endpoint_label, 1)
        walk = QHBoxLayout()
        walk.addWidget(self.alpha_slider, 1)
        walk.addWidget(self.alpha_label)
        walk.addWidget(self.animate_button)
        bottom = QVBoxLayout()
        bottom.addLayout(bar)
        bottom.addLayout(walk)
        bottom.addWidget(self.strip, 1)
        bottom_widget = QWidget()
        bottom_widget.setLayout(bottom)

        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(left_widget)
        upper.addWidget(centre_widget)
        upper.addWidget(right_widget)
        upper.setSizes([420, 1100, 300])
        outer = self.outer_splitter = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(upper)
        outer.addWidget(bottom_widget)
        outer.setSizes([760, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(outer, 1)

        self.random_button.clicked.connect(self._on_random_button_clicked)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.from_selection_button.clicked.connect(self._on_from_selection_button_clicked)
        self.random_ends_button.clicked.connect(self._on_random_ends_button_clicked)
        self.set_a_button.clicked.connect(self._on_set_a_button_clicked)
        self.set_b_button.clicked.connect(self._on_set_b_button_clicked)
        self.alpha_slider.valueChanged.connect(self._on_alpha_slider_value_changed)
        self.replay_slider.valueChanged.connect(self._on_replay_slider_value_changed)
        self.replay_button.toggled.connect(self._on_replay_button_toggled)
        self.live_button.clicked.connect(self._on_live_button_clicked)
        self.animate_button.toggled.connect(self._on_animate_button_toggled)
        self.steps_spin.valueChanged.connect(self._on_interpolation_settings_changed)
        self.method_combo.currentIndexChanged.connect(self._on_interpolation_settings_changed)
        self.map_combo.currentIndexChanged.connect(self._on_map_combo_changed)
        self.tsne_progress.pauseToggled.connect(self._on_tsne_progress_pause_toggled)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.count_combo.currentIndexChanged.connect(self._on_count_combo_changed)

    @Slot(int)
    def _on_steps_spin_value_changed(self, steps: int) -> None:
        self.steps_spin.setToolTip(
            self.tr("Steps from A to B: {n} steps give {m} images, A and B included.").format(n=steps, m=steps + 1)
        )

    # --- model and data -------------------------------------------------------------------

    @Slot(object)
    def _on_picker_entry_changed(self, entry) -> None:
        self.set_entry(entry)

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        if self.entry is not None and self.entry.id == entry_id:
            self.set_entry(self.entry, keep_code=True)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self._request_codes()

    def set_presentation(self, on: bool) -> None:
        """In presentation mode the interpolation strip gets more of the height: its images
        are what the back row must see."""
        total = sum(self.outer_splitter.sizes()) or 960
        strip = 0.34 if on else 0.21
        self.outer_splitter.setSizes([round(total * (1 - strip)), round(total * strip)])

    _stale = False

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        if self.session.dataset is not None:
            self.index_spin.setMaximum(len(self.session.dataset.test) - 1)
        self.set_entry(self.entry, keep_code=True)  # data arriving late keeps the sliders

    def set_entry(self, entry: ModelEntry | None, keep_code: bool = False) -> None:
        changed = entry is not self.entry
        self.entry = entry
        if changed:
            self.replaying = False
            self.replay_button.setChecked(False)
            # The previous model's codes, maps and ranges never serve the new one (they may not
            # even have its latent size); a cached result comes back at once below.
            self.codes = self.pca = self.tsne = self.lab_tsne = self._frame = self.stats = None
            self.scatter.setData([])
        for w in (
            self.random_button,
            self.reset_button,
            self.random_ends_button,
            self.from_selection_button,
            self.set_a_button,
            self.set_b_button,
            self.animate_button,
            self.alpha_slider,
        ):
            w.setEnabled(entry is not None)
        if entry is None:
            self._update_replay_controls()
            self._build_sliders(0)
            self.decoded.clear()
            self.scatter.setData([])
            self.map_status.setText(self.tr("Train a model or open one to explore its latent space."))
            return
        d = entry.model.latent_dim
        self._update_range_note()  # from the start: the line never pushes the sliders down later
        if changed or len(self.state.z) != d:
            self._build_sliders(d)
            self.state.select(None)
            self.state.z = np.zeros(d, dtype=np.float32)
            # Start as the lab does: two random points of the prior.
            self._on_random_ends_button_clicked()
        if not keep_code or len(self.state.z) != d:
            self.state.set_code(np.zeros(d, dtype=np.float32))
        else:
            self._schedule_decode()
        # New weights: every decoded view is redone (the strip, the selection's reconstruction).
        self._on_state_endpoints_changed()
        if self.state.selected is not None and self.codes is not None:
            self._on_state_selection_changed()
        self._request_codes()

    def _request_codes(self) -> None:
        data = self.session.dataset
        entry = self.entry
        # Encoding and t-SNE cost the CPU a training run needs: only for a panel on screen.
        self._stale = not self.isVisible()
        if self._stale:
            return
        if data is None or entry is None:
            self.map_status.setText(self.tr("The map needs the Fashion-MNIST test images."))
            return
        n = self.count_combo.currentData()
        key = (entry.id, len(entry.history), n)
        self._key = key
        self._frame = None
        self.live.keep_only({(key, m) for m in TSNE_METHODS})  # older maps' t-SNEs stop here
        cached = self._cache.get(key)
        if cached is not None:
            self._apply_codes(key, *cached[:2])
            self.tsne, self.lab_tsne = cached[2], self._lab.get(key)
            self._show_map()
            self._maybe_start_tsne()
            return
        self.indices = subset_indices(data.test, n)
        self.map_status.setText(
            self.tr("Encoding {n} test images…").format(n=format_count(len(self.indices)))
        )
        prewarm()  # a t-SNE's process starts while the codes are encoded
        worker = Worker(_encode_task(entry.model, data.test, self.indices, key), f"encode-{key}")
        worker.finished.connect(self._on_encode_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        self._encode_worker = worker
        self.runner.start(worker)

    @Slot(object)
    def _on_encode_worker_finished(self, result) -> None:
        key, codes, pca = result
        if key != self._key:  # a newer model or request: drop this stale result
            return
        self._cache[key] = (codes, pca, None)
        self._apply_codes(key, codes, pca)
        self.tsne = self.lab_tsne = None
        self._show_map()
        self._maybe_start_tsne()

    def _apply_codes(self, key, codes: np.ndarray, pca: Projection) -> None:
        data = self.session.dataset
        n = key[2]
        previous = self.selected_test_index()
        self.indices = subset_indices(data.test, n)
        self.codes = codes
        self.pca = pca
        self.labels = data.test.labels.numpy()[self.indices]
        self.stats = latent_stats(codes)
        self._update_slider_ranges()
        # The same test image stays selected when the map's points change (or the one a scene
        # asked for, now that its point exists).
        target = self._pending_selection if self._pending_selection is not None else previous
        if target is not None and not self.select_test_image(target):
            self.state.select(None)

    _pending_selection: int | None = None

    def selected_test_index(self) -> int | None:
        """The selected image's index in the test split, or None."""
        point = self.state.selected
        if point is None or point >= len(self.indices):
            return None
        return int(self.indices[point])

    def select_test_image(self, index: int | None) -> bool:
        """Select a test image by its index in the test split, as a click on its point does
        (without moving the sliders). Before the map's codes exist, the selection waits for
        them. False when the image is not among the map's points."""
        self._pending_selection = index
        if index is None:
            self.state.select(None)
            return True
        if self.codes is None or not len(self.indices):
            return False
        point = int(np.searchsorted(self.indices, index))
        if point >= len(self.indices) or int(self.indices[point]) != index:
            return False
        self._pending_selection = None
        self.state.select(point)
        return True

    def _maybe_start_tsne(self) -> None:
        method = self.map_combo.currentData()
        done = {"tsne": self.tsne, "tsne-lab": self.lab_tsne}.get(method)
        if method == "pca" or done is not None or self.codes is None or self.entry is None:
            self._on_tsne_timer_timeout()
            return
        training = self.entry.training
        if training and method != "tsne":
            self.map_status.setText(self.tr("PCA shown; the lab's t-SNE after training (it would slow training down)."))
            return
        if not self.live.running((self._key, method)):
            # While the model trains, each epoch's map starts from the previous one (points glide).
            init = self._layouts.get((self.entry.id, self._key[2])) if training and method == "tsne" else None
            if init is not None and len(init) != len(self.codes):
                init = None
            start_tsne(self.live, self._key, method, self.entry, self.indices, self.codes, self.tsne_settings, init)
        self._tsne_timer.start()
        self._on_tsne_timer_timeout()

    @Slot()
    def _on_tsne_timer_timeout(self) -> None:
        method = self.map_combo.currentData()
        progress = self.live.progress((self._key, method)) if method != "pca" else None
        if progress is None:
            self._tsne_timer.stop()
            self.tsne_progress.idle()
            return
        self.tsne_progress.show_progress(*progress, self.live.paused((self._key, method)))

    @Slot(bool)
    def _on_tsne_progress_pause_toggled(self, on: bool) -> None:
        live_key = (self._key, self.map_combo.currentData())
        (self.live.pause if on else self.live.resume)(live_key)
        self._on_tsne_timer_timeout()

    @Slot(object, object)
    def _on_live_frame(self, live_key, frame) -> None:
        # A frame of the forming t-SNE: drawn only for the map shown, as it is asked for.
        key, method = live_key
        if key != self._key or method != "tsne" or self.tsne is not None or self.codes is None:
            return
        self._frame = Projection("tsne", frame.coords, self.codes, None)
        if self.map_combo.currentData() == "tsne" and not self.replaying:
            self._show_map()
        self._on_tsne_timer_timeout()

    @Slot(object, object)
    def _on_live_finished(self, live_key, coords) -> None:
        key, method = live_key
        cached = self._cache.get(key)
        if cached is None:
            return
        projection = Projection("tsne", coords, cached[0], None)
        if method == "tsne":
            self._cache[key] = (cached[0], cached[1], projection)
            self._layouts[(key[0], key[2])] = coords
        else:
            self._lab[key] = projection
        if key != self._key:
            return
        if method == "tsne":
            self.tsne, self._frame = projection, None
        else:
            self.lab_tsne = projection
        self._show_map()
        self._on_tsne_timer_timeout()

    @Slot(object, str)
    def _on_live_failed(self, live_key, message: str) -> None:
        if live_key[0] == self._key:
            self._on_worker_failed(message)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        if self.projection is None:
            return
        # Window-modal without a nested event loop: QFileDialog.getSaveFileName blocked the
        # monkey test (and would block any script that clicks the button) for good.
        dialog = QFileDialog(self.window(), self.tr("Export map as CSV"), "latent-map.csv", self.tr("CSV files (*.csv)"))
        dialog.setObjectName("exportMapDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.export_csv)
        dialog.open()

    @Slot(str)
    def export_csv(self, path: str) -> None:
        """The map on screen as CSV: x, y, label, class, test index."""
        from core.data import CLASS_NAMES

        projection = self.projection
        if projection is not None:
            export_map_csv(path, projection.coords, self.labels, self.indices, CLASS_NAMES)

    def shutdown(self) -> None:
        """End the t-SNE children (the window closes)."""
        self.live.shutdown()

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        self._tsne_timer.stop()
        self.tsne_progress.idle()
        self.map_status.setText(self.tr("Could not compute the map: {m}").format(m=message))

    @Slot(int)
    def _on_map_combo_changed(self, _index: int) -> None:
        self._show_map()
        self._maybe_start_tsne()

    @Slot(int)
    def _on_count_combo_changed(self, _index: int) -> None:
        self._request_codes()

    @property
    def projection(self) -> Projection | None:
        """The map asked for when ready (the app's t-SNE while it forms: its newest frame), else PCA."""
        method = self.map_combo.currentData()
        if method == "tsne":
            return self.tsne or self._frame or self.pca
        if method == "tsne-lab":
            return self.lab_tsne or self.pca
        return self.pca

    def _show_map(self) -> None:
        self._update_replay_controls()
        if self.replaying:
            self._show_replay_frame()
            return
        projection = self.projection
        if projection is None:
            return
        coords = projection.coords
        self.scatter.setData(
            x=coords[:, 0],
            y=coords[:, 1],
            data=np.arange(len(coords)),
            brush=[self.brushes[c] for c in self.labels],
        )
        kind = "t-SNE" if projection.method == "tsne" else "PCA"
        status = self.tr("{kind} of {n} test codes ({what}).").format(
            kind=kind,
            n=format_count(len(coords)),
            what="μ" if self.entry and self.entry.kind == "vae" else "z",
        )
        self.map_status.setText(status)
        self.map.getPlotItem().setLabel("bottom", f"{kind} 1")
        self.map.getPlotItem().setLabel("left", f"{kind} 2")
        self.map.getViewBox().autoRange(items=[self.scatter], padding=0.05)
        self._update_here()
        self._update_selection_marker()
        self._update_path()

    # --- training replay --------------------------------------------------------------------

    def _update_replay_controls(self) -> None:
        replay = self.entry.replay if self.entry is not None else None
        frames = len(replay.frames) if replay is not None else 0
        for w in (self.replay_slider, self.replay_button):
            w.setEnabled(frames > 1)
        self.live_button.setEnabled(self.replaying)
        self.replay_slider.blockSignals(True)
        self.replay_slider.setRange(0, max(0, frames - 1))
        self.replay_slider.blockSignals(False)
        if frames <= 1:
            self.replay_label.setText(self.tr("(recorded while a model trains)"))
            if self.replaying:
                self._leave_replay()

    def _replay_maps_for(self, replay) -> list[np.ndarray]:
        key = (id(replay), len(replay.frames))
        if getattr(self, "_replay_key", None) != key:
            self._replay_key = key
            self._replay_maps = aligned_replay(replay.frames)
        return self._replay_maps

    @Slot(int)
    def _on_replay_slider_value_changed(self, _value: int) -> None:
        if self.entry is None or self.entry.replay is None:
            return
        self.replaying = True
        self.live_button.setEnabled(True)
        self._show_replay_frame()

    def _show_replay_frame(self) -> None:
        replay = self.entry.replay if self.entry is not None else None
        if replay is None or not replay.frames:
            return
        maps = self._replay_maps_for(replay)
        frame = min(self.replay_slider.value(), len(maps) - 1)
        coords = maps[frame]
        data = self.session.dataset
        labels = data.test_labels_at(replay.indices) if data is not None else None
        # Unknown classes (a replay recorded on test images this dataset lacks): one grey.
        brushes = [self.brushes[c] for c in labels] if labels is not None else pg.mkBrush("#777777")
        self.scatter.setData(x=coords[:, 0], y=coords[:, 1], brush=brushes)
        # One view for the whole replay, so that packing and spreading show as they are.
        everything = np.concatenate(maps)
        self.map.setXRange(float(everything[:, 0].min()), float(everything[:, 0].max()), padding=0.05)
        self.map.setYRange(float(everything[:, 1].min()), float(everything[:, 1].max()), padding=0.05)
        for item in (self.here, self.selected_item):
            item.setData([])
        self.path_item.setData([], [])
        self.here_label.setText("")
        for item in self.endpoint_items.values():
            item.hide()
        when = self.tr("before training") if frame == 0 else self.tr("after epoch {e}").format(e=frame)
        self.replay_label.setText(self.tr("Replay: {when} of {n}").format(when=when, n=len(maps) - 1))
        self.map_status.setText(
            self.tr("Training replay: PCA of each epoch's codes, aligned to the previous epoch.")
        )
        self.map.getPlotItem().setLabel("bottom", "PCA 1")
        self.map.getPlotItem().setLabel("left", "PCA 2")

    @Slot(bool)
    def _on_replay_button_toggled(self, on: bool) -> None:
        if on:
            if self.replay_slider.value() >= self.replay_slider.maximum():
                self.replay_slider.setValue(0)
            else:
                self._on_replay_slider_value_changed(self.replay_slider.value())
            self._replay_timer.start()
        else:
            self._replay_timer.stop()

    @Slot()
    def _on_replay_timer_timeout(self) -> None:
        if self.replay_slider.value() >= self.replay_slider.maximum():
            self.replay_button.setChecked(False)
            return
        self.replay_slider.setValue(self.replay_slider.value() + 1)

    @Slot()
    def _on_live_button_clicked(self) -> None:
        self._leave_replay()

    def _leave_replay(self) -> None:
        self.replay_button.setChecked(False)
        self.replaying = False
        self.live_button.setEnabled(False)
        self.replay_label.setText("")
        self._show_map()

    # --- sliders ------------------------------------------------------------------------------

    def _build_sliders(self, d: int) -> None:
        for w in self.sliders + self.value_labels:
            w.deleteLater()
        while self.slider_layout.count():
            item = self.slider_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.sliders, self.value_labels = [], []
        self.range_labels = []
        for i in range(d):
            name = QLabel(f"z{i}")
            slider = QSlider(Qt.Orientation.Horizontal, objectName=f"latentSlider{i}")
            slider.setRange(0, SLIDER_STEPS)
            slider.setValue(SLIDER_STEPS // 2)
            slider.valueChanged.connect(self._on_slider_value_changed)
            value = QLabel("0.00", objectName=f"latentValue{i}")
            value.setMinimumWidth(52)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            # The range's ends, small and grey, either side of the slider.
            ends = [QLabel(objectName=f"latentRange{side}{i}") for side in ("Low", "High")]
            for end in ends:
                end.setStyleSheet("color: #666;")
                end.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.slider_layout.addWidget(name, i, 0)
            self.slider_layout.addWidget(ends[0], i, 1)
            self.slider_layout.addWidget(slider, i, 2)
            self.slider_layout.addWidget(ends[1], i, 3)
            self.slider_layout.addWidget(value, i, 4)
            self.range_labels.append(ends)
            self.sliders.append(slider)
            self.value_labels.append(value)

    def slider_range(self, i: int) -> tuple[float, float]:
        # No codes yet, or still the previous model's (another latent size) while the new
        # model's are encoded: the prior's range until they arrive.
        if self.stats is None or i >= len(self.stats.low):
            return -3.0, 3.0
        low, high = float(self.stats.low[i]), float(self.stats.high[i])
        if self.entry is not None and self.entry.kind == "vae":  # show the N(0, 1) prior too,
            reach = max(-low, high, 3.0)  # symmetric: a handle at the centre reads 0
            low, high = -reach, reach
        return low, high

    def slider_value(self, i: int) -> float:
        low, high = self.slider_range(i)
        return low + (high - low) * self.sliders[i].value() / SLIDER_STEPS

    def _update_slider_ranges(self) -> None:
        self._update_range_note()
        self._sync_sliders()

    def _update_range_note(self) -> None:
        if self.entry is not None and self.entry.kind == "vae":
            self.slider_note.setText(
                self.tr("Ranges: the test codes' mean ± 3σ, widened to the prior N(0, 1) ± 3, centred on 0.")
            )
        else:
            self.slider_note.setText(self.tr("Ranges: the test codes' mean ± 3σ per dimension."))

    def _sync_sliders(self) -> None:
        """Put the sliders where the state's code is, without feeding back."""
        for i, slider in enumerate(self.sliders):
            if i >= len(self.state.z):
                break
            low, high = self.slider_range(i)
            position = int(round((self.state.z[i] - low) / (high - low) * SLIDER_STEPS))
            slider.blockSignals(True)
            slider.setValue(max(0, min(SLIDER_STEPS, position)))
            slider.blockSignals(False)
            self.value_labels[i].setText(f"{self.state.z[i]:+.2f}")
            if i < len(self.range_labels):
                for label, end in zip(self.range_labels[i], (low, high)):
                    label.setText(f"{end:.1f}")

    @Slot(int)
    def _on_slider_value_changed(self, _value: int) -> None:
        slider = self.sender()
        i = self.sliders.index(slider)
        value = self.slider_value(i)
        self.value_labels[i].setText(f"{value:+.2f}")
        self.state.z[i] = value
        self._schedule_decode()
        self._update_here()

    @Slot()
    def _on_state_code_changed(self) -> None:
        self._sync_sliders()
        self._schedule_decode()
        self._update_here()

    def _schedule_decode(self) -> None:
        """Decode at most once per event-loop turn, with the newest code."""
        if not self._decode_pending:
            self._decode_pending = True
            self._decode_timer.start()

    @Slot()
    def _decode_now(self) -> None:
        self._decode_pending = False
        if self.entry is None or len(self.state.z) != self.entry.model.latent_dim:
            return
        self.decoded.set_images(decode(self.entry.model, self.state.z)[None])

    @Slot()
    def _on_random_button_clicked(self) -> None:
        d = len(self.state.z)
        rng = np.random.default_rng()
        if self.entry.kind == "vae" or self.stats is None:
            z = rng.standard_normal(d)
        else:
            z = self.stats.mean + self.stats.std * rng.standard_normal(d)
        self.state.set_code(z)

    @Slot()
    def _on_reset_button_clicked(self) -> None:
        self.state.set_code(self.stats.mean if self.stats is not None else np.zeros(len(self.state.z)))

    @Slot()
    def _on_from_selection_button_clicked(self) -> None:
        if self.state.selected is not None and self.codes is not None:
            self.state.set_code(self.codes[self.state.selected])

    # --- the map ------------------------------------------------------------------------------

    def _nearest_point(self, view_pos) -> int | None:
        projection = self.projection
        if projection is None:
            return None
        px, py = self.map.getViewBox().viewPixelSize()
        dx = (projection.coords[:, 0] - view_pos.x()) / px
        dy = (projection.coords[:, 1] - view_pos.y()) / py
        d2 = dx * dx + dy * dy
        best = int(np.argmin(d2))
        return best if d2[best] <= 8.0**2 else None

    def _on_map_mouse_moved(self, event) -> None:
        pos = event[0]
        if self.entry is None or not self.map.sceneBoundingRect().contains(pos):
            return
        view_pos = self.map.getViewBox().mapSceneToView(pos)
        point = self._nearest_point(view_pos)
        data = self.session.dataset
        if point is not None and data is not None:
            index = int(self.indices[point])
            self.hover.set_images(data.test.images[index].float().numpy()[None, None] / 255)
            self.hover_label.setText(
                self.tr("Test image {i}: {c}").format(i=index, c=class_name(int(self.labels[point])))
            )
            return
        projection = self.projection
        z = projection.inverse(np.array([view_pos.x(), view_pos.y()])) if projection is not None else None
        if z is not None:
            self.hover.set_images(decode(self.entry.model, z)[None])
            self.hover_label.setText(self.tr("Decoded at this point of the PCA plane"))
        elif projection is not None:
            self.decode_blend(view_pos.x(), view_pos.y())

    def decode_blend(self, x: float, y: float) -> None:
        """t-SNE has no inverse: decode a blend of the nearest map points' codes, and say how far
        the nearest real point is."""
        projection = self.projection
        if getattr(self, "_tsne_map", (None, None))[0] is not projection.coords:
            self._tsne_map = (projection.coords, TsneMap(projection.codes, projection.coords))
        blend = self._tsne_map[1].blend((x, y))
        self.hover.set_images(decode(self.entry.model, blend.code)[None])
        self.hover_label.setText(trust_text(blend))

    def _on_map_scene_clicked(self, event) -> None:
        if self.entry is None or event.button() != Qt.MouseButton.LeftButton:
            return
        view_pos = self.map.getViewBox().mapSceneToView(event.scenePos())
        point = self._nearest_point(view_pos)
        if point is None:
            return
        modifiers = event.modifiers()
        if modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.set_endpoint_from_point("A", point)
        elif modifiers & Qt.KeyboardModifier.ControlModifier:
            self.set_endpoint_from_point("B", point)
        else:
            self.select_point(point)

    def select_point(self, point: int) -> None:
        """Select the point-th mapped test image: sliders take its code."""
        self.state.select(point)
        self.state.set_code(self.codes[point])

    def set_endpoint_from_point(self, name: str, point: int) -> None:
        label = self.tr("test image {i} ({c})").format(
            i=int(self.indices[point]), c=class_name(int(self.labels[point]))
        )
        self.state.set_endpoint(name, self.codes[point], label)

    @Slot()
    def _on_state_selection_changed(self) -> None:
        point = self.state.selected
        data = self.session.dataset
        if point is None or data is None or self.entry is None:
            self.selection.clear()
            self.selection_label.setText(self.tr("Click a point on the map."))
            self._update_selection_marker()
            return
        index = int(self.indices[point])
        original, recon = reconstruct(self.entry.model, data.test.images[index : index + 1])
        self.selection.set_images(np.stack([original, recon]), [self.tr("image"), self.tr("decoded")])
        self.selection_label.setText(
            self.tr("Test image {i}: {c}").format(i=index, c=class_name(int(self.labels[point])))
        )
        self._update_selection_marker()

    def _update_selection_marker(self) -> None:
        projection = self.projection
        if projection is None or self.state.selected is None:
            self.selected_item.setData([])
            return
        x, y = projection.coords[self.state.selected]
        self.selected_item.setData([x], [y])

    _path_points: tuple[np.ndarray, np.ndarray] | None = None  # (alphas, map positions) drawn

    def here_position(self) -> np.ndarray | None:
        projection = self.projection
        if projection is None or len(self.state.z) != projection.codes.shape[1]:
            return None
        if not projection.exact and self._path_points is not None:
            # Walking from A to B (α, Animate) on t-SNE: the estimate of a code between two map
            # points could land anywhere, even past B; the star stays on the path drawn.
            alpha = self.alpha_slider.value() / 100
            on_path = self.code_at(alpha)
            if on_path is not None and np.allclose(on_path, self.state.z, atol=1e-6):
                alphas, points = self._path_points
                return np.array([np.interp(alpha, alphas, points[:, k]) for k in (0, 1)])
        return projection.position(self.state.z)

    def _update_here(self) -> None:
        position = self.here_position()
        if position is None:
            self.here.setData([])
            self.here_label.setText("")
            return
        self.here.setData([position[0]], [position[1]])
        self.here_label.setPos(float(position[0]), float(position[1]))
        exact = self.projection.exact
        self.here_label.setText(self.tr("you are here") if exact else self.tr("you are here (approximate)"))

    # --- interpolation --------------------------------------------------------------------

    @Slot()
    def _on_random_ends_button_clicked(self) -> None:
        d = len(self.state.z)
        z = sample_prior(2, d, seed=int(np.random.default_rng().integers(1 << 31)))
        self.state.set_endpoints(z[0], z[1], self.tr("random N(0, I)"), self.tr("random N(0, I)"))

    def code_at(self, alpha: float) -> np.ndarray | None:
        """The code at α on the current path (linear or spherical), or None without endpoints."""
        a, b = self.state.endpoints["A"], self.state.endpoints["B"]
        d = self.entry.model.latent_dim if self.entry is not None else -1
        if a is None or b is None or len(a) != d or len(b) != d:
            return None
        return path_points(a, b, alpha, self.method_combo.currentData())

    @Slot(int)
    def _on_alpha_slider_value_changed(self, value: int) -> None:
        alpha = value / 100
        self.alpha_label.setText(f"α = {alpha:.2f}")
        z = self.code_at(alpha)
        if z is not None:
            self.state.set_code(z)

    @Slot(bool)
    def _on_animate_button_toggled(self, on: bool) -> None:
        if on:
            self._animation.start()
        else:
            self._animation.stop()

    @Slot()
    def _on_animation_timeout(self) -> None:
        value = self.alpha_slider.value() + self._animation_step
        if value > 100 or value < 0:  # back and forth
            self._animation_step = -self._animation_step
            value = max(0, min(100, value))
        self.alpha_slider.setValue(value)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().hideEvent(event)
        self.animate_button.setChecked(False)

    @Slot()
    def _on_set_a_button_clicked(self) -> None:
        self.set_endpoint_from_index("A", self.index_spin.value())

    @Slot()
    def _on_set_b_button_clicked(self) -> None:
        self.set_endpoint_from_index("B", self.index_spin.value())

    def set_endpoint_from_index(self, name: str, index: int) -> None:
        """Endpoint from a test image given by its index in the test set (encoded here)."""
        data = self.session.dataset
        if data is None or self.entry is None or not 0 <= index < len(data.test):
            return
        z = encode_split(
            self.entry.model, Split(data.test.images[index : index + 1], data.test.labels[index : index + 1])
        )
        label = self.tr("test image {i} ({c})").format(i=index, c=class_name(int(data.test.labels[index])))
        self.state.set_endpoint(name, z[0].numpy(), label)

    @Slot()
    def _on_interpolation_settings_changed(self) -> None:
        self._on_state_endpoints_changed()

    def interpolation(self) -> tuple[np.ndarray, np.ndarray] | None:
        a, b = self.state.endpoints["A"], self.state.endpoints["B"]
        d = self.entry.model.latent_dim if self.entry is not None else -1
        if a is None or b is None or len(a) != d or len(b) != d:
            return None
        return interpolate(a, b, self.steps_spin.value(), self.method_combo.currentData())

    @Slot()
    def _on_state_endpoints_changed(self) -> None:
        labels = self.state.endpoint_labels
        self.endpoint_label.setText(
            self.tr("A: {a}   B: {b}").format(
                a=labels["A"] or self.tr("(Shift+click a point)"),
                b=labels["B"] or self.tr("(Ctrl+click a point)"),
            )
        )
        result = self.interpolation()
        if result is None or self.entry is None:
            self.strip.clear()
        else:
            alphas, codes = result
            images = decode(self.entry.model, codes)
            self.strip.set_images(images[None], captions=[[f"α={a:.2f}" for a in alphas]])
        self._update_path()

    def _update_path(self) -> None:
        projection = self.projection
        result = self.interpolation()
        for name, item in self.endpoint_items.items():
            z = self.state.endpoints[name]
            if projection is None or z is None or len(z) != projection.codes.shape[1]:
                item.hide()
                continue
            x, y = projection.position(z)
            item.setPos(float(x), float(y))
            item.show()
        if projection is None or result is None or len(result[1][0]) != projection.codes.shape[1]:
            self._path_points = None
            self.path_item.setData([], [])
            return
        points = np.array([projection.position(z) for z in result[1]])
        self._path_points = (np.asarray(result[0], dtype=np.float64), points)
        self.path_item.setData(points[:, 0], points[:, 1])
        self._update_here()
