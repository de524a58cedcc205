"""Your drawing: a 28×28 canvas the chosen model encodes on every stroke.

Beside the canvas: the model's reconstruction with its error, the code, the drawing's point on a
map of test images, its nearest test images' class, and how typical it is (its loss as a share of
the test images' losses). The map is the PCA plane of the codes (exact, with the VAE's 1-σ
posterior) or a t-SNE map, formed live once per model version, on which openTSNE's ``transform``
places the drawing without moving the test images. Pictures open from a file or by drag and drop,
made Fashion-MNIST-like by ``core.images`` and shown before they replace the drawing.

One forward pass costs about a millisecond, so strokes are analysed on the GUI thread, coalesced
to one per event-loop turn; the test images' codes and losses (``core.drawing.Reference``) and
each t-SNE placement (about 0.1 s) run in workers, the newest drawing winning. The t-SNE map is
the session's (``LatentMaps``, 2,000 class-balanced test images, as the reference): the explorer's
map of the same model, formed once for both.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.data import FASHION_MNIST
from core.datasets import box_for, describe
from core.drawing import Reference, analyse, encode_images, typicality_words
from core.images import ImageError, open_image
from core.tsne import TsneMap
from explorer.state.latent_maps import LatentMaps, map_key
from explorer.state.panels import DrawState
from explorer.state.session import ModelEntry, Session
from explorer.views.draw_canvas import BrushTools, DrawCanvas, ImagePreview
from explorer.views.draw_map import DrawMap
from explorer.views.latent_map import class_names
from explorer.views.model_picker import ModelPicker
from explorer.views.widgets import ImageGrid
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
        self.latent_maps = LatentMaps.of(session, runner)
        self.tsne_map: TsneMap | None = None  # the t-SNE map the drawing is placed on, once formed
        self._tsne_key = None  # the session map key it belongs to
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
        self.latent_maps.mapChanged.connect(self._on_latent_maps_map_changed)
        self._request_reference()
        self._analyse_now()

    def _build(self) -> None:
        self.picker = ModelPicker(self.session, prefer="vae", objectName="drawModelCombo")
        self.canvas = DrawCanvas(objectName="drawCanvas")
        self.brush = BrushTools(self.canvas)
        self.size_spin, self.softness_slider, self.eraser_check = (
            self.brush.size_spin,
            self.brush.softness_slider,
            self.brush.eraser_check,
        )
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
        tools.addWidget(self.brush)
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

        self.map_view = DrawMap()
        # The view's parts the tests and the scene walk read by these names.
        self.map_combo, self.map_status = self.map_view.combo, self.map_view.status
        self.scatter, self.marker, self.ellipse = self.map_view.scatter, self.map_view.marker, self.map_view.ellipse

        body = QGridLayout()
        body.addWidget(self.canvas, 0, 0)
        body.addLayout(middle, 0, 1)
        body.addWidget(self.map_view, 0, 2)
        body.setColumnStretch(0, 3)
        body.setColumnStretch(1, 2)
        body.setColumnStretch(2, 4)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addLayout(actions)
        layout.addLayout(body, 1)

        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.map_view.kindChanged.connect(self._on_map_view_kind_changed)

    # --- tools ---

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
                name=self._class_names()[label] if label < len(self._class_names()) else str(label), k=int(counts[label]), n=len(nearest)
            )
        )

    @property
    def map_kind(self) -> str:
        return self.map_view.kind

    def _show_marker(self, result) -> None:
        if result is None:
            self.map_view.set_marker(None)
        elif self.map_kind == "pca":
            self.map_view.set_marker(result.point, result.ellipse)
        elif self.tsne_map is not None and self._tsne_key == self._map_key():
            self._place_code = result.code
            self._start_placing()
        else:
            self.map_view.set_marker(None)

    # --- the t-SNE map: the session's (LatentMaps, shared with the explorer), the drawing placed
    # on it by ``transform`` ---

    @Slot(str)
    def _on_map_view_kind_changed(self, _kind: str) -> None:
        if self.reference is not None:
            self._show_reference(self.reference)
        self._analyse_now()

    def _map_key(self):
        """The session map of the reference's test images (the same class-balanced subset)."""
        entry = self.state.model
        if entry is None or self.reference is None or self._reference_key != self._entry_key(entry):
            return None
        return map_key(entry, REFERENCE_POINTS)

    def _follow_tsne(self) -> None:
        """Ask the session's maps for this model's t-SNE; show its frames, then the formed map."""
        key = self._map_key() if self.map_kind == "tsne" and self.isVisible() else None
        self.latent_maps.show("draw", [key])
        if key is None:
            return
        code_map = self.latent_maps.get(key)
        if code_map is None:
            self.latent_maps.encode(self.state.model, REFERENCE_POINTS)
            self.map_status.setText(self.tr("Forming the t-SNE map of {n} test images…").format(n=len(self.reference.labels)))
            return
        formed = code_map.tsne["tsne"]
        self.map_view.show_points(code_map.projection("tsne").coords, code_map.labels, self._class_names())
        if formed is None:
            self.latent_maps.start_tsne(self.state.model, key, "tsne")  # the explorer's settings: its map
            progress = self.latent_maps.progress(key, "tsne")
            text = self.tr("Forming the t-SNE map of {n} test images…").format(n=len(code_map.labels))
            if progress is not None and progress[1]:
                text = self.tr("Forming the t-SNE map of {n} test images… {p} %").format(
                    n=len(code_map.labels), p=round(100 * progress[0] / progress[1])
                )
            self.map_status.setText(text)
            return
        if self._tsne_key != key:
            self.tsne_map, self._tsne_key = TsneMap(code_map.codes, formed.coords), key
            self._show_marker(self.analysis)
        self.map_status.setText(
            self.tr(
                "{n} test images on a t-SNE map of the model's codes; ★ is your drawing, placed among them "
                "by openTSNE's transform (the map itself does not move)."
            ).format(n=len(code_map.labels))
        )

    @Slot(object)
    def _on_latent_maps_map_changed(self, key) -> None:
        if key == self._map_key() and self.map_kind == "tsne":
            self._follow_tsne()

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
        elif key == self._map_key() and self.map_kind == "tsne" and self.analysis is not None:
            self.map_view.set_marker(point)

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
        elif self.reference is not None and self.map_kind == "tsne":
            self._follow_tsne()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().hideEvent(event)
        self.latent_maps.show("draw", [])  # a t-SNE only this panel wanted stops

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
            self.map_view.clear_points()
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

    def _class_names(self) -> list[str]:
        return class_names(self.session.dataset.info if self.session.dataset is not None else None)

    def _show_reference(self, reference: Reference) -> None:
        if self.map_kind == "tsne":
            self._follow_tsne()
            return
        self.map_view.show_points(reference.coords, reference.labels, self._class_names())
        self.map_status.setText(
            self.tr("{n} test images on the PCA map of the model's codes; ★ is your drawing.").format(
                n=len(reference.labels)
            )
        )


def torch_image(image: np.ndarray):
    import torch

    return torch.as_tensor(np.asarray(image, dtype=np.float32))[None, None]
