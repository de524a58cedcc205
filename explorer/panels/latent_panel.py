"""The latent explorer: sliders driving the decoder, a clickable map of the test set's codes,
and interpolation between two endpoints.

A view of its ExplorerState (explorer.state.explorer), bound to it both ways: every value comes
from the state and goes back to it, whatever moved it (a slider, Random, a map click, α, a
scene). The codes and maps come from the session's LatentMaps service.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.data import Split
from core.latent import Projection, aligned_replay, decode, reconstruct, subset_indices
from core.training import encode_split
from core.tsne import TsneMap, TsneSettings, export_map_csv
from explorer.platform.i18n import format_count
from explorer.state.explorer import POINT_COUNTS, ExplorerState
from explorer.state.latent_maps import CodeMap, LatentMaps, map_key
from explorer.state.session import ModelEntry, Session
from explorer.views.binding import Binding, bind
from explorer.views.interpolation_bar import InterpolationBar
from explorer.views.latent_map import MapPane, class_names
from explorer.views.map_progress import trust_text
from explorer.views.model_picker import ModelPicker
from explorer.views.slider_bank import CodePane, slider_ranges
from explorer.views.widgets import ImageGrid, shrinkable
from explorer.workers import TaskRunner


class LatentPanel(QWidget):
    """Sliders + decoded image, the latent map, and the interpolation strip."""

    def __init__(self, session: Session, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("latentPanel")
        self.session = session
        self.state = ExplorerState(self)
        self.maps = LatentMaps.of(session, runner)
        self.tsne_settings = TsneSettings()
        self._key: tuple | None = None  # the map asked for
        self._map: CodeMap | None = None  # the map shown (the one asked for once it is there)
        self._drawn: Projection | None = None
        self._encode_worker = None
        self._tsne_map: tuple[np.ndarray | None, TsneMap | None] = (None, None)  # for hover blends
        self._replay_key: tuple | None = None
        self._replay_maps: list[np.ndarray] = []
        self._path_points: tuple[np.ndarray, np.ndarray] | None = None  # (alphas, map positions) drawn
        self._stale = False  # the map waits until the panel is shown
        self._animation_step = 2
        # Child timers, not QTimer.singleShot(0, method): they die with the panel, so a decode
        # cannot fire into a window already closed and deleted.
        self._decode_timer = QTimer(self, interval=0, singleShot=True)
        self._decode_timer.timeout.connect(self._on_decode_timer_timeout)
        self._tsne_timer = QTimer(self, interval=500)
        self._tsne_timer.timeout.connect(self._on_tsne_timer_timeout)
        self._replay_timer = QTimer(self, interval=700)
        self._replay_timer.timeout.connect(self._on_replay_timer_timeout)
        self._animation = QTimer(self, interval=40)
        self._animation.timeout.connect(self._on_animation_timeout)
        self._build()
        self._bind()
        self.maps.mapChanged.connect(self._on_maps_map_changed)
        self.maps.failed.connect(self._on_maps_failed)
        session.modelUpdated.connect(self._on_session_model_updated)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        self.state.reset_for(self.picker.entry())  # also without a model: the empty view

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        code, centre, self.walk = CodePane(), MapPane(), InterpolationBar()
        self.decoded, self.bank, self.slider_note = code.decoded, code.bank, code.slider_note
        self.random_button, self.reset_button = code.random_button, code.reset_button
        self.from_selection_button = code.from_selection_button
        self.map, self.tsne_progress, self.export_button = centre.map, centre.tsne_progress, centre.export_button
        self.replay_slider, self.replay_button = centre.replay_slider, centre.replay_button
        self.live_button, self.replay_label = centre.live_button, centre.replay_label
        w = self.walk
        self.method_combo, self.steps_spin, self.strip = w.method_combo, w.steps_spin, w.strip
        self.random_ends_button, self.index_spin, self.endpoint_label = w.random_ends_button, w.index_spin, w.endpoint_label
        self.set_a_button, self.set_b_button = w.set_a_button, w.set_b_button
        self.alpha_slider, self.alpha_label, self.animate_button = w.alpha_slider, w.alpha_label, w.animate_button
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(code)
        upper.addWidget(centre)
        upper.addWidget(self._build_right())
        upper.setSizes([420, 1100, 300])
        outer = self.outer_splitter = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(upper)
        outer.addWidget(self.walk)
        outer.setSizes([760, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_top())
        layout.addWidget(outer, 1)
        for button, slot in (
            (self.random_button, self._on_random_button_clicked),
            (self.reset_button, self._on_reset_button_clicked),
            (self.from_selection_button, self._on_from_selection_button_clicked),
            (self.random_ends_button, self._on_random_ends_button_clicked),
            (self.set_a_button, self._on_set_a_button_clicked),
            (self.set_b_button, self._on_set_b_button_clicked),
            (self.live_button, self._on_live_button_clicked),
            (self.export_button, self._on_export_button_clicked),
        ):
            button.clicked.connect(slot)
        self.replay_button.toggled.connect(self._on_replay_button_toggled)
        self.animate_button.toggled.connect(self._on_animate_button_toggled)
        self.tsne_progress.pauseToggled.connect(self._on_tsne_progress_pause_toggled)
        self.map.pointClicked.connect(self._on_map_point_clicked)
        self.map.hovered.connect(self._on_map_hovered)

    def _build_top(self) -> QHBoxLayout:
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
        self.map_status = shrinkable(QLabel(objectName="mapStatusLabel"))
        top = QHBoxLayout()
        for widget in (QLabel(self.tr("Model")), self.picker):
            top.addWidget(widget)
        top.addSpacing(12)
        for widget in (QLabel(self.tr("Map")), self.map_combo, self.count_combo):
            top.addWidget(widget)
        top.addWidget(self.map_status, 1)
        return top

    def _build_right(self) -> QWidget:
        """The hover and selection previews."""
        self.hover = ImageGrid(objectName="hoverImage")
        self.hover.setMinimumSize(120, 90)
        self.hover.set_placeholder(self.tr("Hover over the map: the image under the cursor appears here."))
        self.hover_label = QLabel(objectName="hoverLabel")
        self.hover_label.setWordWrap(True)  # "Decoded at this point of the PCA plane", whole
        self.selection = ImageGrid(objectName="selectionImages")
        self.selection.setMinimumSize(120, 150)
        self.selection.set_placeholder(self.tr("Click a point on the map: its test image and its reconstruction appear here."))
        self.selection_label = QLabel(objectName="selectionLabel")
        self.selection_label.setWordWrap(True)
        right = QVBoxLayout()
        for title, image, label in (
            (self.tr("Under the cursor"), self.hover, self.hover_label),
            (self.tr("Selected test image"), self.selection, self.selection_label),
        ):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.addWidget(image, 1)
            inner.addWidget(label)
            right.addWidget(box, 1)
        widget = QWidget()
        widget.setLayout(right)
        widget.setMaximumWidth(300)
        return widget

    def _bind(self) -> None:
        """Every control to its state value, both ways; the state's signals to the views."""
        state = self.state
        self._entry_binding = Binding(
            self.picker.entryChanged, state.set_entry, state.entryChanged, self._show_entry_in_picker, self.picker
        )
        self._code_binding = Binding(
            self.bank.valueEdited, state.set_value, state.codeChanged, self._show_code_on_sliders, self.bank
        )
        self._replay_binding = Binding(
            self.replay_slider.valueChanged, self._set_replay_frame, state.replayFrameChanged,
            self._show_replay_position, self.replay_slider,
        )  # fmt: skip
        bind(self.map_combo, state, "map_kind")
        bind(self.count_combo, state, "points")
        bind(self.method_combo, state, "method")
        bind(self.steps_spin, state, "steps")
        bind(self.index_spin, state, "endpoint_index")
        bind(self.alpha_slider, state, "alpha", to_state=lambda v: v / 100, to_widget=lambda a: round(a * 100))
        state.entryChanged.connect(self._on_state_entry_changed)
        state.codeChanged.connect(self._on_state_code_changed)
        state.selectionChanged.connect(self._on_state_selection_changed)
        state.endpointsChanged.connect(self._on_state_endpoints_changed)
        state.mapKindChanged.connect(self._on_state_map_kind_changed)
        state.pointsChanged.connect(self._on_state_points_changed)
        state.methodChanged.connect(self._on_state_endpoints_changed)
        state.stepsChanged.connect(self._on_state_steps_changed)
        state.alphaChanged.connect(self._on_state_alpha_changed)
        state.replayFrameChanged.connect(self._on_state_replay_frame_changed)
        self._on_state_steps_changed(state.steps)

    def _show_entry_in_picker(self) -> None:
        entry = self.state.entry
        if entry is None:
            self.picker.setCurrentIndex(-1)
        elif self.picker.entry() is not entry:
            self.picker.select(entry.id)

    def _show_code_on_sliders(self) -> None:
        self.bank.show_code(self.state.z)

    def set_presentation(self, on: bool) -> None:
        """In presentation mode the interpolation strip gets more of the height: its images
        are what the back row must see."""
        total = sum(self.outer_splitter.sizes()) or 960
        strip = 0.34 if on else 0.21
        self.outer_splitter.setSizes([round(total * (1 - strip)), round(total * strip)])

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self._request_codes()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().hideEvent(event)
        self.animate_button.setChecked(False)

    def shutdown(self) -> None:
        """End the t-SNE children (the window closes)."""
        self.maps.shutdown()

    # --- what the map shows (for scenes, scripts and tests) ----------------------------------

    @property
    def entry(self) -> ModelEntry | None:
        return self.state.entry

    def set_entry(self, entry: ModelEntry | None) -> None:
        self.state.set_entry(entry)

    @property
    def codes(self) -> np.ndarray | None:
        return self._map.codes if self._map is not None else None

    @property
    def pca(self) -> Projection | None:
        return self._map.pca if self._map is not None else None

    @property
    def tsne(self) -> Projection | None:
        """The app's t-SNE (openTSNE), finished; None to compute it again."""
        return self._map.tsne["tsne"] if self._map is not None else None

    @tsne.setter
    def tsne(self, projection: Projection | None) -> None:
        if self._map is not None:
            self._map.tsne["tsne"] = projection

    @property
    def lab_tsne(self) -> Projection | None:
        """scikit-learn's t-SNE, as in the lab, finished."""
        return self._map.tsne["tsne-lab"] if self._map is not None else None

    @property
    def indices(self) -> np.ndarray:
        return self.state.indices

    @property
    def labels(self) -> np.ndarray:
        return self._map.labels if self._map is not None else np.zeros(0, dtype=np.int64)

    @property
    def projection(self) -> Projection | None:
        """The map asked for when ready (the app's t-SNE while it forms: its newest frame), else PCA."""
        return self._map.projection(self.state.map_kind) if self._map is not None else None

    @property
    def live(self):
        return self.maps.live

    @property
    def _cache(self) -> dict:
        return self.maps.cache

    @property
    def sliders(self) -> list[QSlider]:
        return self.bank.sliders

    @property
    def scatter(self):
        return self.map.scatter

    @property
    def here(self):
        return self.map.here

    @property
    def path_item(self):
        return self.map.path_item

    @property
    def replaying(self) -> bool:
        return self.state.replay_frame is not None

    def slider_range(self, i: int) -> tuple[float, float]:
        return self.bank.ranges[i]

    def slider_value(self, i: int) -> float:
        return self.bank.value(i)

    def selected_test_index(self) -> int | None:
        """The selected image's index in the test split, or None."""
        return self.state.selected_index

    def select_test_image(self, index: int | None) -> bool:
        """Select a test image by its index in the test split, as a click on its point does
        (without moving the sliders). False when the map's points do not hold it (yet)."""
        self.state.select_image(index)
        return index is None or self.state.selected is not None

    def _class_name(self, label: int) -> str:
        names = class_names(self.session.dataset.info if self.session.dataset is not None else None)
        return names[label] if 0 <= label < len(names) else str(label)

    # --- the model and its map --------------------------------------------------------------

    @Slot(object)
    def _on_state_entry_changed(self, entry: ModelEntry | None) -> None:
        """Everything of the previous model goes: its map, ranges, previews and replay."""
        for w in (
            self.random_button, self.reset_button, self.random_ends_button, self.from_selection_button,
            self.set_a_button, self.set_b_button, self.animate_button, self.alpha_slider,
        ):  # fmt: skip
            w.setEnabled(entry is not None)
        self.animate_button.setChecked(False)
        self._map = self._drawn = None
        self._key = None
        self.map.clear_points()
        self.hover.clear()
        self.hover_label.setText("")
        d = len(self.state.z)
        self.bank.set_dims(d)
        self.bank.set_ranges(slider_ranges(None, None, d))
        self._code_binding.refresh()
        self._update_range_note()  # from the start: the line never pushes the sliders down later
        self._update_replay_controls()
        if entry is None:
            self.decoded.clear()
            self.map_status.setText(self.tr("Train a model or open one to explore its latent space."))
        self._request_codes()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        if self.entry is not None and self.entry.id == entry_id:
            self._on_model_weights_changed()

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        data = self.session.dataset
        if data is not None:
            self.index_spin.setMaximum(len(data.test) - 1)
        self.map.set_classes(class_names(data.info if data is not None else None))
        self._on_model_weights_changed()  # data arriving late keeps the sliders

    def _on_model_weights_changed(self) -> None:
        """New weights (or data): every decoded view is redone, the map asked for again."""
        self._schedule_decode()
        self._on_state_endpoints_changed()
        self._on_state_selection_changed()
        self._update_replay_controls()
        self._request_codes()

    def _request_codes(self) -> None:
        data, entry = self.session.dataset, self.entry
        # Encoding and t-SNE cost the CPU a training run needs: only for a panel on screen.
        self._stale = not self.isVisible()
        if self._stale:
            return
        self._key = map_key(entry, self.state.points) if entry is not None and data is not None else None
        self.maps.show("explorer", {self._key})  # older maps' t-SNEs stop here
        if self._key is None:
            if entry is not None:
                self.map_status.setText(self.tr("The map needs the Fashion-MNIST test images."))
            return
        cached = self.maps.get(self._key)
        if cached is not None:
            self._show_codes(cached)
            return
        n = len(subset_indices(data.test, self.state.points))
        self.map_status.setText(self.tr("Encoding {n} test images…").format(n=format_count(n)))
        self._encode_worker = self.maps.encode(entry, self.state.points)

    @Slot(object)
    def _on_maps_map_changed(self, key) -> None:
        result = self.maps.get(key)
        if key != self._key or result is None:  # another panel's map, or a stale one
            return
        if result is not self._map:
            self._show_codes(result)
            return
        if not self.replaying and self.projection is not self._drawn:  # a frame, or the t-SNE done
            self._show_map()
        self._on_tsne_timer_timeout()

    def _show_codes(self, result: CodeMap) -> None:
        self._map = result
        self.state.set_map_indices(result.indices)  # the same test image stays selected
        self.bank.set_ranges(slider_ranges(result.stats, self.entry.kind, len(self.state.z)))
        self._code_binding.refresh()
        self._show_map()
        self._maybe_start_tsne()

    def _maybe_start_tsne(self) -> None:
        kind, result, entry = self.state.map_kind, self._map, self.entry
        if kind == "pca" or result is None or result.key != self._key or result.tsne[kind] is not None:
            self._on_tsne_timer_timeout()
            return
        if entry.training and kind != "tsne":
            self.map_status.setText(self.tr("PCA shown; the lab's t-SNE after training (it would slow training down)."))
            return
        # While the model trains, each epoch's map starts from the previous one (points glide).
        self.maps.start_tsne(entry, self._key, kind, self.tsne_settings, warm=entry.training)
        self._tsne_timer.start()
        self._on_tsne_timer_timeout()

    @Slot()
    def _on_tsne_timer_timeout(self) -> None:
        progress = self.maps.progress(self._key, self.state.map_kind)
        if progress is None:
            self._tsne_timer.stop()
            self.tsne_progress.idle()
        else:
            self.tsne_progress.show_progress(*progress)

    @Slot(bool)
    def _on_tsne_progress_pause_toggled(self, on: bool) -> None:
        self.maps.set_paused(self._key, self.state.map_kind, on)
        self._on_tsne_timer_timeout()

    @Slot(object, str)
    def _on_maps_failed(self, key, message: str) -> None:
        if key == self._key:
            self._tsne_timer.stop()
            self.tsne_progress.idle()
            self.map_status.setText(self.tr("Could not compute the map: {m}").format(m=message))

    @Slot(str)
    def _on_state_map_kind_changed(self, _kind: str) -> None:
        self._show_map()
        self._maybe_start_tsne()

    @Slot(int)
    def _on_state_points_changed(self, _points: int) -> None:
        self._request_codes()

    def _show_map(self) -> None:
        self._update_replay_controls()
        if self.replaying:
            self._show_replay_frame()
            return
        projection = self._drawn = self.projection
        if projection is None:
            return
        kind = "t-SNE" if projection.method == "tsne" else "PCA"
        self.map.show_points(projection.coords, self.labels, kind)
        self.map_status.setText(
            self.tr("{kind} of {n} test codes ({what}).").format(
                kind=kind, n=format_count(len(projection.coords)), what="μ" if self.entry.kind == "vae" else "z"
            )
        )
        self.map.fit()
        self._update_selection_marker()
        self._update_path()

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
        """The map on screen as CSV: x, y, label, class (the dataset's names), test index."""
        projection = self.projection
        if projection is not None:
            data = self.session.dataset
            names = class_names(data.info if data is not None else None)
            export_map_csv(path, projection.coords, self.labels, self.indices, names)

    # --- training replay --------------------------------------------------------------------

    def _replay_frames(self) -> int:
        replay = self.entry.replay if self.entry is not None else None
        return len(replay.frames) if replay is not None else 0

    def _update_replay_controls(self) -> None:
        frames = self._replay_frames()
        for w in (self.replay_slider, self.replay_button):
            w.setEnabled(frames > 1)
        self.live_button.setEnabled(self.replaying)
        self._replay_binding.refresh()  # its range: this model's epochs
        if frames <= 1:
            self.replay_label.setText(self.tr("(recorded while a model trains)"))
            self.state.replay_frame = None
        elif not self.replaying:
            self.replay_label.setText("")

    def _set_replay_frame(self, frame: int) -> None:
        if self._replay_frames():
            self.state.replay_frame = frame

    def _show_replay_position(self) -> None:
        self.replay_slider.setRange(0, max(0, self._replay_frames() - 1))
        self.replay_slider.setValue(self.state.replay_frame or 0)

    @Slot(object)
    def _on_state_replay_frame_changed(self, frame: int | None) -> None:
        if frame is None:
            self.replay_button.setChecked(False)
        self._show_map()
        self._update_here()

    def _show_replay_frame(self) -> None:
        replay = self.entry.replay
        key = (id(replay), len(replay.frames))
        if self._replay_key != key:
            self._replay_key, self._replay_maps = key, aligned_replay(replay.frames)
        maps = self._replay_maps
        frame = min(self.state.replay_frame, len(maps) - 1)
        data = self.session.dataset
        # Unknown classes (a replay recorded on test images this dataset lacks): one grey.
        labels = data.test_labels_at(replay.indices) if data is not None else None
        self.map.show_points(maps[frame], labels, "PCA", pickable=False)
        # One view for the whole replay, so that packing and spreading show as they are.
        self.map.fit(np.concatenate(maps))
        self.map.show_selected(None)
        self.map.show_path(None, {})
        when = self.tr("before training") if frame == 0 else self.tr("after epoch {e}").format(e=frame)
        self.replay_label.setText(self.tr("Replay: {when} of {n}").format(when=when, n=len(maps) - 1))
        self.map_status.setText(self.tr("Training replay: PCA of each epoch's codes, aligned to the previous epoch."))

    @Slot(bool)
    def _on_replay_button_toggled(self, on: bool) -> None:
        if not on:
            self._replay_timer.stop()
            return
        at_end = self.replay_slider.value() >= self.replay_slider.maximum()
        self.state.replay_frame = 0 if at_end else self.replay_slider.value()
        self._replay_timer.start()

    @Slot()
    def _on_replay_timer_timeout(self) -> None:
        frame = self.state.replay_frame or 0
        if frame >= self._replay_frames() - 1:
            self.replay_button.setChecked(False)
        else:
            self.state.replay_frame = frame + 1

    @Slot()
    def _on_live_button_clicked(self) -> None:
        self.state.replay_frame = None

    # --- the code: sliders, decoder, star ----------------------------------------------------

    def _update_range_note(self) -> None:
        if self.entry is not None and self.entry.kind == "vae":
            self.slider_note.setText(
                self.tr("Ranges: the test codes' mean ± 3σ, widened to the prior N(0, 1) ± 3, centred on 0.")
            )
        else:
            self.slider_note.setText(self.tr("Ranges: the test codes' mean ± 3σ per dimension."))

    @Slot()
    def _on_state_code_changed(self) -> None:
        self._schedule_decode()
        self._update_here()

    def _schedule_decode(self) -> None:
        """Decode at most once per event-loop turn, with the newest code."""
        self._decode_timer.start()

    @Slot()
    def _on_decode_timer_timeout(self) -> None:
        if self.entry is not None and len(self.state.z) == self.entry.model.latent_dim:
            self.decoded.set_images(decode(self.entry.model, self.state.z)[None])

    @Slot()
    def _on_random_button_clicked(self) -> None:
        rng, d = np.random.default_rng(), len(self.state.z)
        stats = self._map.stats if self._map is not None else None
        if self.entry.kind == "vae" or stats is None:
            self.state.set_code(rng.standard_normal(d))
        else:
            self.state.set_code(stats.mean + stats.std * rng.standard_normal(d))

    @Slot()
    def _on_reset_button_clicked(self) -> None:
        self.state.set_code(self._map.stats.mean if self._map is not None else np.zeros(len(self.state.z)))

    @Slot()
    def _on_from_selection_button_clicked(self) -> None:
        if self.state.selected is not None and self._map is not None:
            self.state.set_code(self._map.codes[self.state.selected])

    def here_position(self) -> np.ndarray | None:
        projection = self.projection
        if projection is None or self.replaying or len(self.state.z) != projection.codes.shape[1]:
            return None
        if not projection.exact and self._path_points is not None and self.state.on_path():
            # Walking from A to B (α, Animate) on t-SNE: the estimate of a code between two map
            # points could land anywhere, even past B; the star stays on the path drawn.
            alphas, points = self._path_points
            return np.array([np.interp(self.state.alpha, alphas, points[:, k]) for k in (0, 1)])
        return projection.position(self.state.z)

    def _update_here(self) -> None:
        position = self.here_position()
        self.map.show_here(position, position is not None and self.projection.exact)

    # --- the map's points: click and hover ----------------------------------------------------

    @Slot(int, object)
    def _on_map_point_clicked(self, point: int, modifiers) -> None:
        if self.entry is None or self.replaying or self._map is None:
            return
        if modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.set_endpoint_from_point("A", point)
        elif modifiers & Qt.KeyboardModifier.ControlModifier:
            self.set_endpoint_from_point("B", point)
        else:
            self.select_point(point)

    def select_point(self, point: int) -> None:
        """Select the point-th mapped test image: sliders take its code."""
        self.state.select(point)
        self.state.set_code(self._map.codes[point])

    def set_endpoint_from_point(self, name: str, point: int) -> None:
        index, label = int(self.indices[point]), int(self.labels[point])
        text = self.tr("test image {i} ({c})").format(i=index, c=self._class_name(label))
        self.state.set_endpoint(name, self._map.codes[point], text)

    def _on_map_mouse_moved(self, event) -> None:
        """The mouse over the map's scene (the benchmark's entry to hovering)."""
        self.map.hover_at(event)

    @Slot(float, float, object)
    def _on_map_hovered(self, x: float, y: float, point: int | None) -> None:
        projection, data = self.projection, self.session.dataset
        if self.entry is None or self.replaying or projection is None:
            return
        if point is not None and data is not None:
            index = int(self.indices[point])
            self.hover.set_images(data.test.images[index].float().numpy()[None, None] / 255)
            self.hover_label.setText(
                self.tr("Test image {i}: {c}").format(i=index, c=self._class_name(int(self.labels[point])))
            )
            return
        z = projection.inverse(np.array([x, y]))
        if z is not None:
            self.hover.set_images(decode(self.entry.model, z)[None])
            self.hover_label.setText(self.tr("Decoded at this point of the PCA plane"))
        else:
            self.decode_blend(x, y)

    def decode_blend(self, x: float, y: float) -> None:
        """t-SNE has no inverse: decode a blend of the nearest map points' codes, and say how far
        the nearest real point is."""
        projection = self.projection
        if self._tsne_map[0] is not projection.coords:
            self._tsne_map = (projection.coords, TsneMap(projection.codes, projection.coords))
        blend = self._tsne_map[1].blend((x, y))
        self.hover.set_images(decode(self.entry.model, blend.code)[None])
        self.hover_label.setText(trust_text(blend))

    @Slot()
    def _on_state_selection_changed(self) -> None:
        point, data = self.state.selected, self.session.dataset
        if point is None or data is None or self.entry is None or self._map is None:
            self.selection.clear()
            self.selection_label.setText(self.tr("Click a point on the map."))
        else:
            index = int(self.indices[point])
            original, recon = reconstruct(self.entry.model, data.test.images[index : index + 1])
            self.selection.set_images(np.stack([original, recon]), [self.tr("image"), self.tr("decoded")])
            self.selection_label.setText(
                self.tr("Test image {i}: {c}").format(i=index, c=self._class_name(int(self.labels[point])))
            )
        self._update_selection_marker()

    def _update_selection_marker(self) -> None:
        projection, point = self.projection, self.state.selected
        visible = projection is not None and point is not None and not self.replaying
        self.map.show_selected(projection.coords[point] if visible else None)

    # --- interpolation --------------------------------------------------------------------

    @Slot()
    def _on_random_ends_button_clicked(self) -> None:
        self.state.random_endpoints()

    @Slot()
    def _on_set_a_button_clicked(self) -> None:
        self.set_endpoint_from_index("A", self.state.endpoint_index)

    @Slot()
    def _on_set_b_button_clicked(self) -> None:
        self.set_endpoint_from_index("B", self.state.endpoint_index)

    def set_endpoint_from_index(self, name: str, index: int) -> None:
        """Endpoint from a test image given by its index in the test set (encoded here)."""
        data = self.session.dataset
        if data is None or self.entry is None or not 0 <= index < len(data.test):
            return
        z = encode_split(self.entry.model, Split(data.test.images[index : index + 1], data.test.labels[index : index + 1]))
        label = self.tr("test image {i} ({c})").format(i=index, c=self._class_name(int(data.test.labels[index])))
        self.state.set_endpoint(name, z[0].numpy(), label)

    @Slot(int)
    def _on_state_steps_changed(self, steps: int) -> None:
        self.steps_spin.setToolTip(
            self.tr("Steps from A to B: {n} steps give {m} images, A and B included.").format(n=steps, m=steps + 1)
        )
        self._on_state_endpoints_changed()

    @Slot(float)
    def _on_state_alpha_changed(self, alpha: float) -> None:
        self.alpha_label.setText(f"α = {alpha:.2f}")

    @Slot(bool)
    def _on_animate_button_toggled(self, on: bool) -> None:
        (self._animation.start if on else self._animation.stop)()

    @Slot()
    def _on_animation_timeout(self) -> None:
        value = round(self.state.alpha * 100) + self._animation_step
        if value > 100 or value < 0:  # back and forth
            self._animation_step = -self._animation_step
            value = max(0, min(100, value))
        self.state.alpha = value / 100

    @Slot()
    def _on_state_endpoints_changed(self) -> None:
        labels = self.state.endpoint_labels
        self.endpoint_label.setText(
            self.tr("A: {a}   B: {b}").format(
                a=labels["A"] or self.tr("(Shift+click a point)"), b=labels["B"] or self.tr("(Ctrl+click a point)")
            )
        )
        result = self.state.interpolation()
        if result is None:
            self.strip.clear()
        else:
            alphas, codes = result
            self.strip.set_images(decode(self.entry.model, codes)[None], captions=[[f"α={a:.2f}" for a in alphas]])
        self._update_path()

    def _update_path(self) -> None:
        projection, result = self.projection, self.state.interpolation()
        if projection is None or self.replaying:
            self._path_points = None
            self.map.show_path(None, {})
            self._update_here()
            return
        d = projection.codes.shape[1]
        ends = {k: projection.position(z) for k, z in self.state.endpoints.items() if z is not None and len(z) == d}
        if result is None or len(result[1][0]) != d:
            self._path_points = None
        else:
            self._path_points = (np.asarray(result[0], dtype=np.float64), np.array([projection.position(z) for z in result[1]]))
        self.map.show_path(self._path_points[1] if self._path_points is not None else None, ends)
        self._update_here()
