"""The explorer's map, bound to its state: it asks the session's LatentMaps for the codes and
maps of the model and points the state names, draws the one the state's map kind asks for, plays
the training replay, and turns clicks and hovers into the state's changes (a click selects and
moves the code, Shift / Ctrl+click set the endpoints) or into previews."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from core.latent import Projection, aligned_replay, decode, subset_indices
from core.tsne import TsneMap, export_map_csv
from explorer.platform.i18n import format_count
from explorer.state.explorer import ExplorerState
from explorer.state.latent_maps import CodeMap, LatentMaps, map_key
from explorer.state.session import ModelEntry, Session
from explorer.views.binding import Binding, bind
from explorer.views.latent_map import MapPane, class_label, class_names
from explorer.views.map_progress import trust_text


class LatentMapPanel(MapPane):
    """The map column of the explorer. ``mapShown(CodeMap)`` when the codes of the map asked
    for are there; ``previewed(images, caption)`` for the image under the cursor."""

    mapShown = Signal(object)
    previewed = Signal(object, str)

    def __init__(self, session: Session, state: ExplorerState, maps: LatentMaps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.state, self.maps = session, state, maps
        self.key: tuple | None = None  # the map asked for
        self.current: CodeMap | None = None  # the map shown (the one asked for once it is there)
        self.encode_worker = None
        self._drawn: Projection | None = None
        self._tsne_map: tuple[np.ndarray | None, TsneMap | None] = (None, None)  # for hover blends
        self._replay_key: tuple | None = None
        self._replay_maps: list[np.ndarray] = []
        self._path_points: tuple[np.ndarray, np.ndarray] | None = None  # (alphas, map positions) drawn
        self._stale = False  # the map waits until the panel is shown
        self._tsne_timer = QTimer(self, interval=500)
        self._tsne_timer.timeout.connect(self._on_tsne_timer_timeout)
        self._replay_timer = QTimer(self, interval=700)
        self._replay_timer.timeout.connect(self._on_replay_timer_timeout)
        self._replay_binding = Binding(
            self.replay_slider.valueChanged, self._set_replay_frame, state.replayFrameChanged,
            self._show_replay_position, self.replay_slider,
        )  # fmt: skip
        self.replay_button.toggled.connect(self._on_replay_button_toggled)
        self.live_button.clicked.connect(self._on_live_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        bind(self.seed_spin, state, "tsne_seed")
        bind(self.perplexity_spin, state, "perplexity")
        state.tsneSeedChanged.connect(self._on_state_tsne_settings_changed)
        state.perplexityChanged.connect(self._on_state_tsne_settings_changed)
        self.tsne_progress.pauseToggled.connect(self._on_tsne_progress_pause_toggled)
        self.map.pointClicked.connect(self._on_map_point_clicked)
        self.map.hovered.connect(self._on_map_hovered)
        maps.mapChanged.connect(self._on_maps_map_changed)
        maps.failed.connect(self._on_maps_failed)
        state.entryChanged.connect(self._on_state_entry_changed)
        state.codeChanged.connect(self._update_here)
        state.selectionChanged.connect(self._update_selection_marker)
        for signal in (state.endpointsChanged, state.methodChanged, state.stepsChanged):
            signal.connect(self._update_path)
        state.mapKindChanged.connect(self._on_state_map_kind_changed)
        state.pointsChanged.connect(self._on_state_points_changed)
        state.replayFrameChanged.connect(self._on_state_replay_frame_changed)

    @property
    def entry(self) -> ModelEntry | None:
        return self.state.entry

    @property
    def projection(self) -> Projection | None:
        """The map asked for when ready (the app's t-SNE while it forms: its newest frame), else PCA."""
        return self.current.projection(self.state.map_kind) if self.current is not None else None

    @property
    def labels(self) -> np.ndarray:
        return self.current.labels if self.current is not None else np.zeros(0, dtype=np.int64)

    @property
    def indices(self) -> np.ndarray:
        return self.state.indices

    @property
    def replaying(self) -> bool:
        return self.state.replay_frame is not None

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self.request_codes()

    @Slot(object)
    def _on_state_entry_changed(self, entry: ModelEntry | None) -> None:
        """The previous model's map, replay and marks go."""
        self.current = self._drawn = None
        self.key = None
        self.map.clear_points()
        self._update_replay_controls()
        if entry is None:
            self.map_status.setText(self.tr("Train a model or open one to explore its latent space."))
        self.request_codes()

    def refresh(self) -> None:
        """New weights or data: the map is asked for again (and the legend names the classes)."""
        data = self.session.dataset
        self.map.set_classes(class_names(data.info if data is not None else None))
        self._update_replay_controls()
        self.request_codes()

    def request_codes(self) -> None:
        data, entry = self.session.dataset, self.entry
        # Encoding and t-SNE cost the CPU a training run needs: only for a panel on screen.
        self._stale = not self.isVisible()
        if self._stale:
            return
        self.key = map_key(entry, self.state.points) if entry is not None and data is not None else None
        self.maps.show("explorer", {self.key})  # older maps' t-SNEs stop here
        if self.key is None:
            if entry is not None:
                self.map_status.setText(self.tr("The map needs the Fashion-MNIST test images."))
            return
        cached = self.maps.get(self.key)
        if cached is not None:
            self._show_codes(cached)
            return
        n = len(subset_indices(data.test, self.state.points))
        self.map_status.setText(self.tr("Encoding {n} test images…").format(n=format_count(n)))
        self.encode_worker = self.maps.encode(entry, self.state.points)

    @Slot(object)
    def _on_maps_map_changed(self, key) -> None:
        result = self.maps.get(key)
        if key != self.key or result is None:  # another panel's map, or a stale one
            return
        if result is not self.current:
            self._show_codes(result)
            return
        if not self.replaying and self.projection is not self._drawn:  # a frame, or the t-SNE done
            self._show_map()
        kind = self.state.map_kind
        if kind != "pca" and result.tsne[kind] is None and result.frame is None:
            self.maybe_start_tsne()  # dropped (new settings): ask again
        else:
            self._on_tsne_timer_timeout()

    def _show_codes(self, result: CodeMap) -> None:
        self.current = result
        self.state.set_map_indices(result.indices)  # the same test image stays selected
        self.mapShown.emit(result)
        self._show_map()
        self.maybe_start_tsne()

    @Slot(int)
    def _on_state_tsne_settings_changed(self, _value: int) -> None:
        settings = self.maps.settings
        self.maps.set_settings(replace(settings, seed=self.state.tsne_seed, perplexity=float(self.state.perplexity)))

    def maybe_start_tsne(self) -> None:
        kind, result, entry = self.state.map_kind, self.current, self.entry
        if kind == "pca" or result is None or result.key != self.key or result.tsne[kind] is not None:
            self._on_tsne_timer_timeout()
            return
        if entry.training and kind != "tsne":
            self.map_status.setText(self.tr("PCA shown; the lab's t-SNE after training (it would slow training down)."))
            return
        # While the model trains, each epoch's map starts from the previous one (points glide).
        self.maps.start_tsne(entry, self.key, kind, warm=entry.training)
        self._tsne_timer.start()
        self._on_tsne_timer_timeout()

    @Slot()
    def _on_tsne_timer_timeout(self) -> None:
        progress = self.maps.progress(self.key, self.state.map_kind)
        if progress is None:
            self._tsne_timer.stop()
            self.tsne_progress.idle()
        else:
            self.tsne_progress.show_progress(*progress)

    @Slot(bool)
    def _on_tsne_progress_pause_toggled(self, on: bool) -> None:
        self.maps.set_paused(self.key, self.state.map_kind, on)
        self._on_tsne_timer_timeout()

    @Slot(object, str)
    def _on_maps_failed(self, key, message: str) -> None:
        if key == self.key:
            self._tsne_timer.stop()
            self.tsne_progress.idle()
            self.map_status.setText(self.tr("Could not compute the map: {m}").format(m=message))

    @Slot(str)
    def _on_state_map_kind_changed(self, _kind: str) -> None:
        self._show_map()
        self.maybe_start_tsne()

    @Slot(int)
    def _on_state_points_changed(self, _points: int) -> None:
        self.request_codes()

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

    @Slot(int, object)
    def _on_map_point_clicked(self, point: int, modifiers) -> None:
        if self.entry is None or self.replaying or self.current is None:
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
        self.state.set_code(self.current.codes[point])

    def set_endpoint_from_point(self, name: str, point: int) -> None:
        index, label = int(self.indices[point]), int(self.labels[point])
        text = self.tr("test image {i} ({c})").format(i=index, c=self._class(label))
        self.state.set_endpoint(name, self.current.codes[point], text)

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
            self.previewed.emit(
                data.test.images[index].float().numpy()[None, None] / 255,
                self.tr("Test image {i}: {c}").format(i=index, c=self._class(int(self.labels[point]))),
            )
            return
        z = projection.inverse(np.array([x, y]))
        if z is not None:
            self.previewed.emit(decode(self.entry.model, z)[None], self.tr("Decoded at this point of the PCA plane"))
        else:
            self.decode_blend(x, y)

    def decode_blend(self, x: float, y: float) -> None:
        """t-SNE has no inverse: decode a blend of the nearest map points' codes, and say how far
        the nearest real point is."""
        projection = self.projection
        if self._tsne_map[0] is not projection.coords:
            self._tsne_map = (projection.coords, TsneMap(projection.codes, projection.coords))
        blend = self._tsne_map[1].blend((x, y))
        self.previewed.emit(decode(self.entry.model, blend.code)[None], trust_text(blend))

    def _update_selection_marker(self) -> None:
        projection, point = self.projection, self.state.selected
        visible = projection is not None and point is not None and not self.replaying
        self.map.show_selected(projection.coords[point] if visible else None)

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

    def _class(self, label: int) -> str:
        data = self.session.dataset
        return class_label(data.info if data is not None else None, label)
