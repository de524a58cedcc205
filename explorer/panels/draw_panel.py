"""Your drawing: a 28×28 canvas the chosen model encodes on every stroke.

Beside the canvas: the model's reconstruction with its error, the code, the drawing's point on a
map of test images, its nearest test images' class, and how typical it is (its loss as a share of
the test images' losses). The map is the PCA plane of the codes (exact, with the VAE's 1-σ
posterior) or a t-SNE map, formed live once per model version, on which openTSNE's ``transform``
places the drawing without moving the test images. Pictures open from a file or by drag and drop,
made Fashion-MNIST-like by ``core.images`` and shown before they replace the drawing.

One forward pass costs about a millisecond, so strokes are analysed on the GUI thread, coalesced
to one per event-loop turn; the test images' codes and losses (``core.drawing.Reference``), their
t-SNE map and each t-SNE placement (about 0.1 s) run in workers, the newest drawing winning.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from core.data import FASHION_MNIST
from core.datasets import box_for, describe
from core.drawing import Reference, analyse, encode_images, typicality_words
from core.images import ImageError, open_image
from core.tsne import TsneMap, TsneSettings, run_tsne
from explorer.platform.i18n import class_name
from explorer.state.panels import DrawState
from explorer.state.session import ModelEntry, Session
from explorer.views.draw_canvas import DrawCanvas, ImagePreview
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import PALETTE, ImageGrid
from explorer.workers import TaskRunner, Worker

REFERENCE_POINTS = 2000
NEIGHBOURS = 10


def _reference_task(model, test, beta: float, key):
    model_copy = copy.deepcopy(model).eval()

    def run(worker: Worker):
        return key, Reference.build(model_copy, test, REFERENCE_POINTS, beta)

    return run


class DrawPanel(QWidget):
    """Draw or open an image; see what the chosen model makes of it."""

    errorRaised = Signal(str, str)  # title, message
    # (entry id, code): the drawing's code, for the explorer's sliders to follow.
    codeChanged = Signal(int, object)

    def __init__(
        self, session: Session, runner: TaskRunner, state: DrawState | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("drawPanel")
        self.setAcceptDrops(True)
        self.session = session
        self.state = state if state is not None else DrawState(self)
        self.runner = runner
        self.reference: Reference | None = None
        self.analysis = None
        self._reference_key = None  # (entry id, epochs, dataset) the reference is for
        self.tsne_map: TsneMap | None = None  # the reference's t-SNE map, once formed
        self._tsne_key = None  # the reference key it belongs to
        self._place_code: np.ndarray | None = None  # a code waiting for its t-SNE placement
        self._wanted_key = None
        self.preview_dialog: ImagePreview | None = None
        self._file_dialog: QFileDialog | None = None
        self._test_seed = 0
        self._push_code = False
        self._build()
        self._analyse_timer = QTimer(self, singleShot=True, interval=0)
        self._analyse_timer.timeout.connect(self._on_analyse_timer_timeout)
        self.state.set_model(self.picker.entry())
        self.canvas.set_image(self.state.image, undoable=False)
        # The model and the drawing: the widgets write the state, the state's signals move them.
        self.canvas.changed.connect(self._on_canvas_changed)
        self.picker.entryChanged.connect(self.state.set_model)
        self.state.imageChanged.connect(self._on_state_image_changed)
        self.state.modelChanged.connect(self._on_state_model_changed)
        session.modelUpdated.connect(self._on_session_model_updated)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        self._request_reference()
        self._analyse_now()

    def _build(self) -> None:
        self.picker = ModelPicker(self.session, prefer="vae", objectName="drawModelCombo")
        self.canvas = DrawCanvas(objectName="drawCanvas")
        self.size_spin = QDoubleSpinBox(
            objectName="drawBrushSizeSpin", minimum=1.0, maximum=8.0, singleStep=0.5, value=2.5, decimals=1
        )
        self.size_spin.setToolTip(self.tr("Brush diameter, in pixels of the 28×28 image."))
        self.softness_slider = QSlider(Qt.Orientation.Horizontal, objectName="drawSoftnessSlider")
        self.softness_slider.setRange(0, 100)
        self.softness_slider.setValue(50)
        self.softness_slider.setToolTip(self.tr("0: a hard-edged brush; 100: ink fades from its centre."))
        self.eraser_check = QCheckBox(self.tr("Eraser"), objectName="drawEraserCheck")
        self.eraser_check.setToolTip(self.tr("Strokes remove ink (the right mouse button always does)."))
        self.undo_button = QPushButton(self.tr("Undo"), objectName="drawUndoButton")
        self.undo_button.setShortcut("Ctrl+Z")
        self.clear_button = QPushButton(self.tr("Clear"), objectName="drawClearButton")
        self.test_button = QPushButton(self.tr("Start from a test image"), objectName="drawTestImageButton")
        self.test_button.setToolTip(self.tr("Put a random test image on the canvas, to edit it."))
        self.open_button = QPushButton(self.tr("Open a picture…"), objectName="drawOpenButton")
        self.open_button.setToolTip(
            self.tr("A PNG, JPEG or BMP of any size, made Fashion-MNIST-like. You can also drop a file here.")
        )
        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Model")))
        tools.addWidget(self.picker)
        tools.addSpacing(12)
        tools.addWidget(QLabel(self.tr("Brush")))
        tools.addWidget(self.size_spin)
        tools.addWidget(QLabel(self.tr("Softness")))
        tools.addWidget(self.softness_slider)
        tools.addWidget(self.eraser_check)
        tools.addStretch(1)
        actions = QHBoxLayout()
        for b in (self.undo_button, self.clear_button, self.test_button, self.open_button):
            actions.addWidget(b)
        actions.addStretch(1)

        self.reconstruction = ImageGrid(objectName="drawReconstruction")
        self.reconstruction.setMinimumSize(168, 168)
        self.error_label = QLabel(objectName="drawErrorLabel")
        self.error_label.setWordWrap(True)
        self.typical_label = QLabel(objectName="drawTypicalityLabel")
        self.typical_label.setWordWrap(True)
        self.place_label = QLabel(objectName="drawPlaceLabel")
        self.place_label.setWordWrap(True)
        self.code_label = QLabel(objectName="drawCodeLabel")
        self.code_label.setWordWrap(True)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        middle = QVBoxLayout()
        middle.addWidget(QLabel(self.tr("What the model makes of it")))
        middle.addWidget(self.reconstruction, 1)
        middle.addWidget(self.error_label)
        middle.addWidget(self.typical_label)
        middle.addWidget(self.place_label)
        middle.addWidget(self.code_label)

        self.map = pg.PlotWidget(background="w")
        self.map.setObjectName("drawMap")
        self.map.showGrid(x=True, y=True, alpha=0.15)
        self.map.getPlotItem().hideButtons()
        self.map.setLabel("bottom", self.tr("PCA 1"))
        self.map.setLabel("left", self.tr("PCA 2"))
        self.scatter = pg.ScatterPlotItem(size=5, pen=None)
        self.map.addItem(self.scatter)
        self.ellipse = pg.PlotCurveItem(pen=pg.mkPen("#000000", width=2, style=Qt.PenStyle.DashLine))
        self.map.addItem(self.ellipse)
        self.marker = pg.ScatterPlotItem(
            size=22, symbol="star", pen=pg.mkPen("#000000", width=2), brush=pg.mkBrush("#ffffff")
        )
        self.map.addItem(self.marker)
        self.marker_label = pg.TextItem(
            self.tr("your drawing"), color="#000000", anchor=(-0.15, 1.1), fill=pg.mkBrush(255, 255, 255, 200)
        )
        self.marker_label.hide()
        self.map.addItem(self.marker_label)
        self.brushes = [pg.mkBrush(c) for c in PALETTE]
        self.legend = self.map.addLegend(
            offset=(10, 10), labelTextSize="9pt", brush=pg.mkBrush(255, 255, 255, 210), pen=pg.mkPen("#cccccc")
        )
        self.map_status = QLabel(objectName="drawMapStatus")
        self.map_status.setWordWrap(True)
        self.map_combo = QComboBox(objectName="drawMapCombo")
        self.map_combo.addItem(self.tr("PCA (exact, with the VAE's posterior)"), "pca")
        self.map_combo.addItem(self.tr("t-SNE (your drawing placed by openTSNE's transform)"), "tsne")
        self.map_combo.setToolTip(
            self.tr(
                "PCA projects your drawing's code exactly. t-SNE forms a map of the test images once, "
                "then places your drawing among them without moving them."
            )
        )
        map_row = QHBoxLayout()
        map_row.addWidget(QLabel(self.tr("Map")))
        map_row.addWidget(self.map_combo, 1)
        right = QVBoxLayout()
        right.addLayout(map_row)
        right.addWidget(self.map, 1)
        right.addWidget(self.map_status)

        body = QGridLayout()
        body.addWidget(self.canvas, 0, 0)
        body.addLayout(middle, 0, 1)
        body.addLayout(right, 0, 2)
        body.setColumnStretch(0, 3)
        body.setColumnStretch(1, 2)
        body.setColumnStretch(2, 4)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addLayout(actions)
        layout.addLayout(body, 1)

        self.size_spin.valueChanged.connect(self._on_size_spin_value_changed)
        self.softness_slider.valueChanged.connect(self._on_softness_slider_value_changed)
        self.eraser_check.toggled.connect(self._on_eraser_check_toggled)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.map_combo.currentIndexChanged.connect(self._on_map_combo_current_index_changed)

    # --- tools ---

    @Slot(float)
    def _on_size_spin_value_changed(self, value: float) -> None:
        self.canvas.brush_size = value

    @Slot(int)
    def _on_softness_slider_value_changed(self, value: int) -> None:
        self.canvas.softness = value / 100

    @Slot(bool)
    def _on_eraser_check_toggled(self, on: bool) -> None:
        self.canvas.erase = on

    @Slot()
    def _on_undo_button_clicked(self) -> None:
        self.canvas.undo()

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        self.canvas.clear()

    @Slot()
    def _on_test_button_clicked(self) -> None:
        data = self.session.dataset
        if data is None or len(data.test) == 0:
            self.errorRaised.emit(self.tr("No test images"), self.session.dataset_error or "")
            return
        index = int(np.random.default_rng(self._test_seed).integers(len(data.test)))
        self._test_seed += 1
        self.canvas.set_image(data.test.images[index].numpy().astype(np.float32) / 255)

    @Slot()
    def _on_open_button_clicked(self) -> None:
        # Window-modal without a nested event loop (QFileDialog.getOpenFileName would block
        # scripts and tests that click the button).
        if self._file_dialog is None:
            self._file_dialog = QFileDialog(
                self.window(),
                self.tr("Open a picture"),
                "",
                self.tr("Pictures (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)"),
            )
            self._file_dialog.setObjectName("drawOpenDialog")
            self._file_dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            self._file_dialog.fileSelected.connect(self._on_file_dialog_file_selected)
        self._file_dialog.open()

    @Slot(str)
    def _on_file_dialog_file_selected(self, path: str) -> None:
        if path:
            self.open_picture(path)

    def open_picture(self, path: str | Path) -> ImagePreview | None:
        """Convert a picture and show the result; it replaces the drawing once accepted."""
        info = self.session.dataset.info if self.session.dataset is not None else FASHION_MNIST
        try:
            image = open_image(path, box_for(info))
        except ImageError as exc:
            self.errorRaised.emit(self.tr("Cannot use this picture"), str(exc))
            return None
        self.preview_dialog = ImagePreview(image, Path(path).name, self)
        self.preview_dialog.accepted.connect(self._on_preview_dialog_accepted)
        self.preview_dialog.open()  # window-modal, without a nested event loop
        return self.preview_dialog

    @Slot()
    def _on_preview_dialog_accepted(self) -> None:
        if self.preview_dialog is not None:
            self.canvas.set_image(self.preview_dialog.image.astype(np.float32) / 255)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_picture(files[0])

    # --- the model's view of the drawing ---

    def restore_image(self, image: np.ndarray) -> None:
        """Show a drawing (from a scene) without sending its code to the explorer's sliders."""
        self.state.restore_image(image)

    @Slot()
    def _on_canvas_changed(self) -> None:
        self.state.set_image(self.canvas.image)

    @Slot(bool)
    def _on_state_image_changed(self, by_user: bool) -> None:
        if not np.array_equal(self.canvas.image, self.state.image):
            self.canvas.set_image(self.state.image, undoable=False)  # a scene's drawing: no undo step
        self._push_code = by_user  # the user changed the drawing: the sliders follow it
        self.undo_button.setEnabled(self.canvas.can_undo())
        if not self._analyse_timer.isActive():
            self._analyse_timer.start()  # strokes of one event-loop turn: one analysis

    @Slot()
    def _on_analyse_timer_timeout(self) -> None:
        self._analyse_now()

    def _entry_key(self, entry: ModelEntry | None):
        data = self.session.dataset
        if entry is None or data is None or len(data.test) == 0:
            return None
        if entry.dataset.class_names != data.info.class_names:
            return None  # never a map of another dataset's images
        return (entry.id, len(entry.history), id(data))

    def _beta(self, entry: ModelEntry) -> float:
        return entry.train_config.beta if entry.train_config is not None else 1.0

    def _analyse_now(self) -> None:
        push, self._push_code = self._push_code, False
        self.undo_button.setEnabled(self.canvas.can_undo())
        entry = self.state.model
        if entry is None:
            self.analysis = None
            self.reconstruction.clear()
            self.error_label.setText(self.tr("Train a model or open one to see what it makes of your drawing."))
            for label in (self.typical_label, self.place_label, self.code_label):
                label.clear()
            self._show_marker(None)
            return
        reference = self.reference if self._reference_key == self._entry_key(entry) else None
        image = self.state.image
        if reference is not None:
            result = analyse(entry.model, image, reference)
            self.analysis = result
            code, recon, error = result.code, result.reconstruction, result.error
        else:
            self.analysis = None
            x = torch_image(image)
            mu, _, recons, _ = encode_images(entry.model, x, self._beta(entry))
            code, recon = mu[0], recons[0]
            error = float(np.mean((recon - image) ** 2))
        self.reconstruction.set_images(recon[None, None])
        self.error_label.setText(self.tr("Reconstruction error: {e:.4f} per pixel (MSE)").format(e=error))
        self.code_label.setText(
            self.tr("Its code z: {values}").format(values=", ".join(f"{v:+.2f}" for v in code))
        )
        if reference is None:
            self.typical_label.setText(self.tr("Comparing with the test images…") if self._wanted_key else "")
            self.place_label.clear()
            self._show_marker(None)
        else:
            self._describe(self.analysis, reference)
            self._show_marker(self.analysis)
        if push:  # not when only the model or the reference changed
            self.codeChanged.emit(entry.id, code)

    def _describe(self, result, reference: Reference) -> None:
        side, p = typicality_words(result.percentile)
        if side == "less":
            text = self.tr("Loss {loss:.4g}: less typical than {p} % of the test images.")
        else:
            text = self.tr("Loss {loss:.4g}: more typical than {p} % of the test images.")
        self.typical_label.setText(text.format(loss=result.loss, p=p))
        distances = np.linalg.norm(reference.codes - result.code, axis=1)
        nearest = reference.labels[np.argsort(distances)[:NEIGHBOURS]]
        counts = np.bincount(nearest)
        label = int(counts.argmax())
        self.place_label.setText(
            self.tr("Its {n} nearest test images: {k} of them are {name}.").format(
                name=self.class_label(label), k=int(counts[label]), n=len(nearest)
            )
        )

    def class_label(self, label: int) -> str:
        data = self.session.dataset
        info = data.info if data is not None else FASHION_MNIST
        if info.class_names == FASHION_MNIST.class_names:
            return class_name(label)  # translated
        return info.class_names[label] if label < len(info.class_names) else str(label)

    @property
    def map_kind(self) -> str:
        return self.map_combo.currentData()

    def _show_marker(self, result) -> None:
        if result is None:
            self._set_marker(None)
            return
        if self.map_kind == "pca":
            self._set_marker(result.point, result.ellipse)
        elif self.tsne_map is not None and self._tsne_key == self._reference_key:
            self._place_code = result.code
            self._start_placing()
        else:
            self._set_marker(None)

    def _set_marker(self, point, ellipse=None) -> None:
        if point is None:
            self.marker.setData([])
            self.ellipse.setData([], [])
            self.marker_label.hide()
            return
        x, y = (float(v) for v in point)
        self.marker.setData([x], [y])
        self.marker_label.setPos(x, y)
        self.marker_label.show()
        if ellipse is not None:
            self.ellipse.setData(ellipse[:, 0], ellipse[:, 1])
        else:
            self.ellipse.setData([], [])

    # --- the t-SNE map: formed once per reference, the drawing placed by ``transform`` ---

    @Slot(int)
    def _on_map_combo_current_index_changed(self, _index: int) -> None:
        tsne = self.map_kind == "tsne"
        self.map.setLabel("bottom", self.tr("t-SNE 1") if tsne else self.tr("PCA 1"))
        self.map.setLabel("left", self.tr("t-SNE 2") if tsne else self.tr("PCA 2"))
        if self.reference is not None:
            self._show_reference(self.reference)
        self._analyse_now()

    def _start_tsne(self) -> None:
        reference, key = self.reference, self._reference_key
        if reference is None or self.runner.is_running("drawTsne"):
            return  # the running one's end checks whether another map is wanted

        def run(worker: Worker):
            def on_frame(frame) -> None:
                worker.report((key, frame.iteration, frame.total, frame.coords))

            coords = run_tsne(
                reference.codes, TsneSettings(n_jobs=1), on_frame=on_frame, stopped=lambda: worker.cancelled
            )
            return key, None if coords is None else TsneMap(reference.codes, coords)

        worker = Worker(run, "drawTsne")
        worker.progress.connect(self._on_tsne_worker_progress)
        worker.finished.connect(self._on_tsne_worker_finished)
        worker.failed.connect(self._on_reference_worker_failed)
        self.runner.start(worker)

    @Slot(object)
    def _on_tsne_worker_progress(self, payload) -> None:
        key, done, total, coords = payload
        if key == self._reference_key and self.map_kind == "tsne" and self.reference is not None:
            self.scatter.setData(pos=coords, brush=self._brushes(self.reference.labels))
            self.map_status.setText(
                self.tr("Forming the t-SNE map of {n} test images… {p} %").format(
                    n=len(coords), p=round(100 * done / max(total, 1))
                )
            )

    @Slot(object)
    def _on_tsne_worker_finished(self, result) -> None:
        key, tsne_map = result
        if tsne_map is not None and key == self._reference_key:
            self.tsne_map, self._tsne_key = tsne_map, key
            if self.map_kind == "tsne":
                self._show_reference(self.reference)
                self._analyse_now()
        elif self.map_kind == "tsne" and self._reference_key is not None:
            QTimer.singleShot(0, self._start_tsne)  # made for another model meanwhile

    def _start_placing(self) -> None:
        if self._place_code is None or self.runner.is_running("drawPlace"):
            return  # the running placement's end takes the newest code
        code, self._place_code = self._place_code, None
        tsne_map, key = self.tsne_map, self._tsne_key
        worker = Worker(lambda worker: (key, tsne_map.transform(code[None])[0]), "drawPlace")
        worker.finished.connect(self._on_place_worker_finished)
        worker.failed.connect(self._on_reference_worker_failed)
        self.runner.start(worker)

    @Slot(object)
    def _on_place_worker_finished(self, result) -> None:
        key, point = result
        if self._place_code is not None:
            QTimer.singleShot(0, self._start_placing)  # the drawing changed meanwhile
        elif key == self._reference_key and self.map_kind == "tsne" and self.analysis is not None:
            self._set_marker(point)

    # --- the test images it is compared with ---

    @Slot(object)
    def _on_state_model_changed(self, entry) -> None:
        if not self.picker.show_entry(entry):
            self.state.set_model(self.picker.entry())  # not one it lists: the picker's stays
            return
        self._request_reference()
        self._analyse_now()

    @Slot(int)
    def _on_session_model_updated(self, entry_id: int) -> None:
        entry = self.state.model
        if entry is not None and entry.id == entry_id:
            self._request_reference()
            self._analyse_now()

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        self._request_reference()
        self._analyse_now()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._wanted_key is not None and self._wanted_key != self._reference_key:
            self._start_reference()

    def _request_reference(self) -> None:
        entry = self.state.model
        key = self._entry_key(entry)
        self._wanted_key = key
        if key is None:
            data = self.session.dataset
            if entry is None:
                text = ""
            elif data is not None and entry.dataset.class_names != data.info.class_names:
                text = self.tr(
                    "This model learnt {name}: choose it as the training panel's dataset to compare "
                    "your drawing with its test images."
                ).format(name=describe(entry.dataset.spec))
            else:
                text = self.tr("The map needs the test images.")
            self.map_status.setText(text)
            self.scatter.setData([])
            self.reference = None
            self._reference_key = None
            return
        if key != self._reference_key and self.isVisible():
            self._start_reference()

    def _start_reference(self) -> None:
        entry = self.state.model
        key = self._wanted_key
        if entry is None or key is None or self.runner.is_running("drawReference"):
            return  # the running one's result brings the next request
        data = self.session.dataset
        worker = Worker(_reference_task(entry.model, data.test, self._beta(entry), key), "drawReference")
        worker.finished.connect(self._on_reference_worker_finished)
        worker.failed.connect(self._on_reference_worker_failed)
        self.map_status.setText(self.tr("Encoding test images…"))
        self.runner.start(worker)

    @Slot(object)
    def _on_reference_worker_finished(self, result) -> None:
        key, reference = result
        if key != self._wanted_key:  # another model or version meanwhile: compute that one
            QTimer.singleShot(0, self._start_reference)
            return
        self.reference = reference
        self._reference_key = key
        self._show_reference(reference)
        self._analyse_now()

    @Slot(str)
    def _on_reference_worker_failed(self, message: str) -> None:
        self.map_status.setText(message)

    def _brushes(self, labels: np.ndarray) -> list:
        return [self.brushes[c % len(self.brushes)] for c in labels]

    def _show_reference(self, reference: Reference) -> None:
        labels = reference.labels
        self.legend.clear()
        for c in range(min(int(labels.max()) + 1, len(self.brushes))):
            self.legend.addItem(
                pg.ScatterPlotItem(brush=self.brushes[c], pen=None, size=10), self.class_label(c)
            )
        if self.map_kind == "tsne" and (self.tsne_map is None or self._tsne_key != self._reference_key):
            self.scatter.setData(pos=reference.coords, brush=self._brushes(labels))  # until its frames come
            self.map_status.setText(self.tr("Forming the t-SNE map of {n} test images…").format(n=len(labels)))
            self._start_tsne()
            return
        coords = self.tsne_map.coords if self.map_kind == "tsne" else reference.coords
        self.scatter.setData(pos=coords, brush=self._brushes(labels), data=np.arange(len(labels)))
        if self.map_kind == "tsne":
            text = self.tr(
                "{n} test images on a t-SNE map of the model's codes; ★ is your drawing, placed among them "
                "by openTSNE's transform (the map itself does not move)."
            )
        else:
            text = self.tr("{n} test images on the PCA map of the model's codes; ★ is your drawing.")
        self.map_status.setText(text.format(n=len(labels)))


def torch_image(image: np.ndarray):
    import torch

    return torch.as_tensor(np.asarray(image, dtype=np.float32))[None, None]
