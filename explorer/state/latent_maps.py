"""One service for the maps of the test set's codes: codes, PCA and t-SNE per (model, epochs,
points), with their workers and their cache, for every panel that shows a map.

A map is asked for by its key, ``(entry id, epochs, points)``. Its codes and PCA are computed in
a worker; its t-SNEs (``"tsne"``, openTSNE forming live; ``"tsne-lab"``, scikit-learn's, as in
the lab) run in child processes through ``LiveTsne``, keyed ``(map key, method)``. Results are
kept for as long as the session's dataset stays the same, whoever asked first: the explorer and
the AE-vs-VAE panel showing the same model share its map.

Latest wins: each consumer says which t-SNEs it shows (``show``); a run nobody shows is
cancelled. Consumers listen to ``mapChanged(key)`` and draw only the key they show.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import torch
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from core.data import Split
from core.latent import LatentStats, Projection, latent_stats, pca_projection, subset_indices
from core.training import encode_split, use_all_threads
from core.tsne import (
    TsneSettings,
    cache_key,
    codes_cache_key,
    load_cached_codes,
    save_cached_codes,
    weights_hash,
)
from explorer.state.live_tsne import LAB_METHOD, OPENTSNE_METHOD, LiveTsne, maps_cache_dir, prewarm
from explorer.state.session import ModelEntry, Session
from explorer.workers import TaskRunner, Worker

TSNE_METHODS = {"tsne": OPENTSNE_METHOD, "tsne-lab": LAB_METHOD}  # map method → core.tsne_stream's
MAP_KINDS = ("tsne", "tsne-lab", "pca")


def map_key(entry: ModelEntry, points: int) -> tuple[int, int, int]:
    """The key of a model's map: the model, how far it is trained, how many test images."""
    return (entry.id, len(entry.history), points)


@dataclass
class CodeMap:
    """The codes of some test images under one model version, and their 2-D maps."""

    key: tuple
    indices: np.ndarray  # (N,) the test images, by their index in the test split
    labels: np.ndarray  # (N,) their classes
    codes: np.ndarray  # (N, latent)
    pca: Projection
    stats: LatentStats
    tsne: dict[str, Projection | None] = field(default_factory=lambda: dict.fromkeys(TSNE_METHODS))
    frame: Projection | None = None  # the newest frame of the app's t-SNE while it forms

    def projection(self, kind: str) -> Projection:
        """The map of this kind when ready (the app's t-SNE while it forms: its newest frame),
        else PCA."""
        if kind == "pca":
            return self.pca
        if kind == "tsne":
            return self.tsne["tsne"] or self.frame or self.pca
        return self.tsne[kind] or self.pca


def _copy_model(model):
    """A private copy for a worker thread, so the GUI thread may keep using (and updating) its own."""
    clone = copy.deepcopy(model)
    clone.eval()
    return clone


def _codes_key(entry: ModelEntry, split: Split, indices: np.ndarray) -> str | None:
    """Where a model's codes of these test images are kept on disk: only for a saved model (a
    model that trains changes every epoch), so that its first map at the next launch needs no
    encoding (0.4 s at start-up, competing with the window's first paint)."""
    if entry.training or not entry.saved or (entry.path is None and not entry.bundled):
        return None
    return codes_cache_key(weights_hash(entry.model), split.images.numpy()[indices])


def _encode_task(model, split: Split, indices: np.ndarray, key):
    """Worker function: codes of the chosen test images, their PCA map and their ranges."""
    model_copy = _copy_model(model)

    def run(worker: Worker):
        use_all_threads()
        chosen = torch.from_numpy(indices)
        codes = encode_split(model_copy, Split(split.images[chosen], split.labels[chosen])).numpy()
        return key, codes, pca_projection(codes), latent_stats(codes)

    return run


class LatentMaps(QObject):
    """Codes, PCA and t-SNE maps of the session's test images, computed once per key."""

    mapChanged = Signal(object)  # key: its codes arrived, a t-SNE frame or a finished t-SNE
    failed = Signal(object, str)  # key, message

    def __init__(self, session: Session, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.cache: dict[tuple, CodeMap] = {}
        self.live = LiveTsne(self)
        self.live.frame.connect(self._on_live_frame)
        self.live.finished.connect(self._on_live_finished)
        self.live.failed.connect(self._on_live_failed)
        self._encoding: dict[tuple, tuple[Worker, np.ndarray, np.ndarray]] = {}
        self._layouts: dict[tuple, np.ndarray] = {}  # (entry id, points) → its last t-SNE, for a warm start
        self._shown: dict[str, set] = {}  # consumer → the live keys it shows
        # The app's t-SNE settings (seed, perplexity…), one for every panel: the same map everywhere.
        self.settings = TsneSettings()
        session.datasetChanged.connect(self._on_session_dataset_changed)

    @classmethod
    def of(cls, session: Session, runner: TaskRunner) -> LatentMaps:
        """The session's one service (created by the first panel that asks), so that every panel
        shares its cache and its t-SNE children."""
        maps = session.findChild(cls)
        return maps if maps is not None else cls(session, runner, parent=session)

    # --- codes and PCA ----------------------------------------------------------------------

    def get(self, key) -> CodeMap | None:
        return self.cache.get(key)

    def encode(self, entry: ModelEntry, points: int) -> Worker | None:
        """Start encoding ``points`` test images with ``entry``'s model, unless its map is cached
        or already being encoded; ``mapChanged(key)`` follows. Returns the worker, if one runs."""
        data = self.session.dataset
        key = map_key(entry, points)
        if data is None or key in self.cache:
            return None
        if key in self._encoding:
            return self._encoding[key][0]
        indices = subset_indices(data.test, points)
        labels = data.test.labels.numpy()[indices]
        prewarm()  # a t-SNE's process starts while the codes are encoded
        disk_key = _codes_key(entry, data.test, indices)
        codes = None if disk_key is None else load_cached_codes(maps_cache_dir(), disk_key, len(indices), entry.model.latent_dim)
        if codes is not None:  # a saved model's codes of these very images, from an earlier launch
            self.cache[key] = CodeMap(key, indices, labels, codes, pca_projection(codes), latent_stats(codes))
            QTimer.singleShot(0, partial(self.mapChanged.emit, key))
            return None
        worker = Worker(_encode_task(entry.model, data.test, indices, key), f"encode-{key}")
        worker.finished.connect(self._on_encode_worker_finished)
        worker.failed.connect(self._on_encode_worker_failed)
        self._encoding[key] = (worker, indices, labels, disk_key)
        if not self.runner.start(worker):
            del self._encoding[key]
            return None
        return worker

    @Slot(object)
    def _on_encode_worker_finished(self, result) -> None:
        key, codes, pca, stats = result
        pending = self._encoding.pop(key, None)
        if pending is None:  # the dataset changed meanwhile: these codes are of other images
            return
        _, indices, labels, disk_key = pending
        self.cache[key] = CodeMap(key, indices, labels, codes, pca, stats)
        if disk_key is not None:
            try:
                save_cached_codes(maps_cache_dir(), disk_key, codes)
            except OSError:  # a full disk: encoded again next time
                pass
        self.mapChanged.emit(key)

    @Slot(str)
    def _on_encode_worker_failed(self, message: str) -> None:
        for key, (worker, *_) in list(self._encoding.items()):
            if worker.done:
                del self._encoding[key]
                self.failed.emit(key, message)

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        # Other test images: no map of the previous ones serves them.
        self.cache.clear()
        self._encoding.clear()
        self._layouts.clear()

    # --- t-SNE ------------------------------------------------------------------------------

    def start_tsne(
        self, entry: ModelEntry, key, method: str, settings: TsneSettings | None = None, warm: bool = False
    ) -> None:
        """Start the t-SNE ``method`` of a cached map unless it runs; cached on disk by the model's
        weights, the points and the settings. ``warm``: start from the model's previous layout
        of as many points (points glide while a model trains; such a map is not cached)."""
        result = self.cache.get(key)
        if result is None or self.live.running((key, method)):
            return
        settings = settings if settings is not None else self.settings
        init = self._layouts.get((key[0], key[2])) if warm and method == "tsne" else None
        if init is not None and len(init) != len(result.codes):
            init = None
        if warm and init is None:  # the first map of a model that trains: the next epoch's replaces it
            settings = settings.quick()
        core_method = TSNE_METHODS[method]
        cached = None if init is not None else cache_key(weights_hash(entry.model), result.indices, core_method, settings)
        self.live.start((key, method), result.codes, settings, method=core_method, init=init, cache_key=cached)

    def set_settings(self, settings: TsneSettings) -> None:
        """New t-SNE settings: every app t-SNE (openTSNE) is dropped and stopped, and
        ``mapChanged`` tells each map's consumers to ask again. The lab's t-SNE (its own fixed
        call) stays. A map made with these settings before comes back from the disk cache."""
        settings.check()
        if settings == self.settings:
            return
        self.settings = settings
        self._layouts.clear()  # warm starts of another map
        running = [(key, "tsne") for key in self.cache]
        for live_key in running:
            self.live.cancel(live_key)
        for key, result in self.cache.items():
            result.tsne["tsne"], result.frame = None, None
        for key in list(self.cache):
            self.mapChanged.emit(key)

    def show(self, consumer: str, keys) -> None:
        """``consumer`` shows only these maps now (their keys): every t-SNE nobody shows stops,
        and its late frames are never emitted."""
        self._shown[consumer] = {(key, method) for key in keys if key is not None for method in TSNE_METHODS}
        self.live.keep_only(set().union(*self._shown.values()))

    def progress(self, key, method: str) -> tuple[int, int, float, bool] | None:
        """(iteration, total, seconds, paused) of a running t-SNE, or None."""
        if key is None or method not in TSNE_METHODS:
            return None
        progress = self.live.progress((key, method))
        return None if progress is None else (*progress, self.live.paused((key, method)))

    def set_paused(self, key, method: str, paused: bool) -> None:
        (self.live.pause if paused else self.live.resume)((key, method))

    @Slot(object, object)
    def _on_live_frame(self, live_key, frame) -> None:
        key, method = live_key
        result = self.cache.get(key)
        if result is None or method != "tsne" or result.tsne["tsne"] is not None:
            return
        result.frame = Projection("tsne", frame.coords, result.codes, None)
        self.mapChanged.emit(key)

    @Slot(object, object)
    def _on_live_finished(self, live_key, coords) -> None:
        key, method = live_key
        result = self.cache.get(key)
        if result is None:
            return
        result.tsne[method] = Projection("tsne", coords, result.codes, None)
        if method == "tsne":
            result.frame = None
            self._layouts[(key[0], key[2])] = coords
        self.mapChanged.emit(key)

    @Slot(object, str)
    def _on_live_failed(self, live_key, message: str) -> None:
        self.failed.emit(live_key[0], message)

    def shutdown(self) -> None:
        """End the t-SNE children (the window closes)."""
        self.live.shutdown()
