"""The latent explorer: sliders driving the decoder, a clickable map of the test set's codes,
and interpolation between two endpoints.

A view of its ExplorerState (explorer.state.explorer), bound to it both ways: every value comes
from the state and goes back to it, whatever moved it (a slider, Random, a map click, α, a
scene). The codes and maps come from the session's LatentMaps service.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from core.data import Split
from core.latent import Projection, decode, reconstruct
from core.training import encode_split
from core.tsne import TsneSettings
from explorer.panels.latent_map_panel import LatentMapPanel
from explorer.platform.i18n import format_count
from explorer.state.explorer import POINT_COUNTS, ExplorerState
from explorer.state.latent_maps import LatentMaps
from explorer.state.session import ModelEntry, Session
from explorer.views.binding import Binding, bind
from explorer.views.interpolation_bar import InterpolationBar
from explorer.views.latent_map import class_label
from explorer.views.model_picker import ModelPicker
from explorer.views.slider_bank import CodePane, slider_ranges
from explorer.views.widgets import ImageGrid
from explorer.workers import TaskRunner


class LatentPanel(QWidget):
    """Sliders + decoded image, the latent map, and the interpolation strip."""

    def __init__(self, session: Session, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("latentPanel")
        self.session = session
        self.state = ExplorerState(self)
        self.maps = LatentMaps.of(session, runner)
        self._animation_step = 2
        # Child timers, not QTimer.singleShot(0, method): they die with the panel, so a decode
        # cannot fire into a window already closed and deleted.
        self._decode_timer = QTimer(self, interval=0, singleShot=True)
        self._decode_timer.timeout.connect(self._on_decode_timer_timeout)
        self._animation = QTimer(self, interval=40)
        self._animation.timeout.connect(self._on_animation_timeout)
        self._build()
        self._bind()
        session.modelUpdated.connect(self._on_session_model_updated)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        self.state.reset_for(self.picker.entry())  # also without a model: the empty view

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        code, self.walk = CodePane(), InterpolationBar()
        centre = self.map_panel = LatentMapPanel(self.session, self.state, self.maps)
        centre.mapShown.connect(self._on_map_panel_map_shown)
        centre.previewed.connect(self._on_map_panel_previewed)
        self.decoded, self.bank, self.slider_note = code.decoded, code.bank, code.slider_note
        self.random_button, self.reset_button = code.random_button, code.reset_button
        self.from_selection_button = code.from_selection_button
        self.map, self.tsne_progress, self.map_status = centre.map, centre.tsne_progress, centre.map_status
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
        ):
            button.clicked.connect(slot)
        self.animate_button.toggled.connect(self._on_animate_button_toggled)

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
        state.methodChanged.connect(self._on_state_endpoints_changed)
        state.stepsChanged.connect(self._on_state_steps_changed)
        state.alphaChanged.connect(self._on_state_alpha_changed)
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

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().hideEvent(event)
        self.animate_button.setChecked(False)

    def shutdown(self) -> None:
        """End the t-SNE children (the window closes)."""
        self.maps.shutdown()

    # --- what the explorer shows, for scenes, scripts and tests --------------------------------

    entry = property(lambda self: self.state.entry)
    indices = property(lambda self: self.state.indices, doc="The test images on the map.")
    replaying = property(lambda self: self.state.replay_frame is not None)
    _map = property(lambda self: self.map_panel.current, doc="The codes and maps shown (a CodeMap).")
    codes = property(lambda self: self._map.codes if self._map is not None else None)
    pca = property(lambda self: self._map.pca if self._map is not None else None)
    lab_tsne = property(lambda self: self._map.tsne["tsne-lab"] if self._map is not None else None)
    labels = property(lambda self: self.map_panel.labels)
    projection = property(lambda self: self.map_panel.projection, doc="The map shown (PCA until a t-SNE is there).")
    live = property(lambda self: self.maps.live)
    _cache = property(lambda self: self.maps.cache)
    _key = property(lambda self: self.map_panel.key)
    _encode_worker = property(lambda self: self.map_panel.encode_worker)
    sliders = property(lambda self: self.bank.sliders)
    scatter = property(lambda self: self.map.scatter)
    here = property(lambda self: self.map.here)
    path_item = property(lambda self: self.map.path_item)

    @property
    def tsne(self) -> Projection | None:
        """The app's t-SNE (openTSNE), finished; None to compute it again."""
        return self._map.tsne["tsne"] if self._map is not None else None

    @tsne.setter
    def tsne(self, projection: Projection | None) -> None:
        if self._map is not None:
            self._map.tsne["tsne"] = projection

    @property
    def tsne_settings(self) -> TsneSettings:
        return self.maps.settings

    @tsne_settings.setter
    def tsne_settings(self, settings: TsneSettings) -> None:
        self.maps.set_settings(settings)

    def set_entry(self, entry: ModelEntry | None) -> None:
        self.state.set_entry(entry)

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

    def set_endpoint_from_point(self, name: str, point: int) -> None:
        self.map_panel.set_endpoint_from_point(name, point)

    def decode_blend(self, x: float, y: float) -> None:
        self.map_panel.decode_blend(x, y)

    def export_csv(self, path: str) -> None:
        self.map_panel.export_csv(path)

    def _request_codes(self) -> None:
        self.map_panel.request_codes()

    def _maybe_start_tsne(self) -> None:
        self.map_panel.maybe_start_tsne()

    def _on_map_mouse_moved(self, event) -> None:
        """The mouse over the map's scene (the benchmark's entry to hovering)."""
        self.map.hover_at(event)

    # --- the model -----------------------------------------------------------------------------

    @Slot(object)
    def _on_state_entry_changed(self, entry: ModelEntry | None) -> None:
        """Everything of the previous model goes: its ranges, its previews, its image."""
        for w in (
            self.random_button, self.reset_button, self.random_ends_button, self.from_selection_button,
            self.set_a_button, self.set_b_button, self.animate_button, self.alpha_slider,
        ):  # fmt: skip
            w.setEnabled(entry is not None)
        self.animate_button.setChecked(False)
        self.hover.clear()
        self.hover_label.setText("")
        self.bank.set_dims(len(self.state.z))
        self._show_ranges()  # the map's, when it came back from the cache at once; else the prior's
        self._update_range_note()  # from the start: the line never pushes the sliders down later
        if entry is None:
            self.decoded.clear()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        if self.entry is not None and self.entry.id == entry_id:
            self._on_model_weights_changed()

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        data = self.session.dataset
        if data is not None:
            self.index_spin.setMaximum(len(data.test) - 1)
        self._on_model_weights_changed()  # data arriving late keeps the sliders

    def _on_model_weights_changed(self) -> None:
        """New weights (or data): every decoded view is redone, the map asked for again."""
        self._schedule_decode()
        self._on_state_endpoints_changed()
        self._on_state_selection_changed()
        self.map_panel.refresh()

    @Slot(object)
    def _on_map_panel_map_shown(self, _result) -> None:
        self._show_ranges()
        self._on_state_selection_changed()

    @Slot(object, str)
    def _on_map_panel_previewed(self, images, caption: str) -> None:
        self.hover.set_images(images)
        self.hover_label.setText(caption)

    # --- the code: sliders and decoder ---------------------------------------------------------

    def _show_ranges(self) -> None:
        stats = self._map.stats if self._map is not None else None
        kind = self.entry.kind if self.entry is not None else None
        self.bank.set_ranges(slider_ranges(stats, kind, len(self.state.z)))
        self._code_binding.refresh()

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


    # --- the selected test image ---------------------------------------------------------------

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
                self.tr("Test image {i}: {c}").format(i=index, c=self._class(int(self.labels[point])))
            )


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
        label = self.tr("test image {i} ({c})").format(i=index, c=self._class(int(data.test.labels[index])))
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
            self.strip.set_images(decode(self.entry.model, codes)[None], ["α"], captions=[[f"{a:.2f}" for a in alphas]])

    def _class(self, label: int) -> str:
        data = self.session.dataset
        return class_label(data.info if data is not None else None, label)
