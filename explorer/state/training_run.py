"""The training run: the child process that trains a model of the session, and what it changes.

``TrainingRun`` starts, pauses, resumes, stops and kills the child (core.training_process, relayed
by a worker thread), applies its messages to the ModelEntry — weights, history, replay, batch
losses, each stored once, in the entry — and autosaves the entry after every epoch on a writer
thread, never on the GUI thread. Views listen to its signals and draw from the entry:

    child → worker thread → TrainingRun (entry changes) → started / batches / epoch / paused /
    finished / failed → the loss plot and the training panel redraw from the entry

A Start while the dataset loads is queued (``start_queued``): the run begins when the data is
there, or says why it cannot.
"""

from __future__ import annotations

import copy
import logging
import math
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal, Slot

from core.models import ModelConfig
from core.training import Paused, Started, TrainConfig, new_model, resolve_device, resolve_precision
from core.training_process import Batches, Epoch, Failed, Finished, TrainingProcess, load_numpy_state
from explorer.state import autosave
from explorer.state.session import ModelEntry, Session
from explorer.training_task import preview_indices
from explorer.workers import TaskRunner, Worker

log = logging.getLogger(__name__)

TASK = "training"


def relay(process: TrainingProcess):
    """A worker function: start the child, relay its messages, return its last one."""

    def run(worker: Worker) -> Finished | Failed | None:
        worker.on_cancel = process.request_stop
        process.start()
        if worker.cancelled:
            process.request_stop()
        last: Finished | Failed | None = None
        for message in process.messages():
            if isinstance(message, (Finished, Failed)):
                last = message
            else:
                worker.report(message)
        return last

    return run


class _AutosaveWriter:
    """Writes autosaves on one thread of its own, in order, so that a slow disk never holds the
    GUI thread. (Not a TaskRunner task: one run per name would drop or reorder epochs, and the
    close path must be able to wait for the last write.)"""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._last: Future | None = None

    def submit(self, entry: ModelEntry, done=None) -> None:
        """Save a snapshot of entry as it is now; ``done()`` runs on the writer thread after."""
        snapshot = copy.copy(entry)
        snapshot.model = copy.deepcopy(entry.model)  # the GUI thread loads the next epoch meanwhile
        snapshot.history = list(entry.history)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autosave")

        def write() -> None:
            try:
                autosave.write(snapshot)
            finally:
                if done is not None:
                    done()

        self._last = self._executor.submit(write)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every autosave asked for is on disk (or failed, which autosave reports)."""
        last, self._last = self._last, None
        if last is not None:
            try:
                last.result(timeout)
            except Exception:  # noqa: BLE001 (autosave.write logs and reports its own failures)
                log.exception("autosave writer")

    def close(self) -> None:
        self.flush()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


class TrainingRun(QObject):
    """At most one training run of the session at a time, and its effects on the entry."""

    started = Signal(int)  # entry id: the child was started
    batches = Signal(object)  # Batches: entry.batch_losses has grown by these points
    epoch = Signal(object)  # Epoch: its weights, record and replay are the entry's now
    paused = Signal(int)  # the child honoured Pause after this many batches of the run
    pathKnown = Signal(str)  # how the child computes (core.training.Started.path)
    finished = Signal(int, bool)  # entry id, stopped early; final weights applied and autosaved
    # entry id (0: none), message ("" when the run ended without one), killed (the user discarded it)
    failed = Signal(int, str, bool)
    queuedChanged = Signal(bool)  # Start waits for the dataset (True), or no longer (False)
    # Start could not begin: ("dataset", the spec of the one the entry learnt) or ("device", why).
    refused = Signal(str, object)
    dataMissing = Signal()  # Start without training images

    _autosaved = Signal()  # from the writer thread: the final autosave is on disk

    def __init__(self, session: Session, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.entry: ModelEntry | None = None
        self.process: TrainingProcess | None = None
        self.config: TrainConfig | None = None
        self.device = ""
        self.precision = ""
        self.path = ""  # how the child computes, once it has said
        self.steps = 0  # batches the whole run will take
        self.paused_at: int | None = None  # batches of the run when the child confirmed Pause
        self.stopping = False
        self._worker: Worker | None = None
        self._queued: tuple[TrainConfig, ModelEntry | None, ModelConfig | None] | None = None
        self._ending: tuple[ModelEntry, bool] | None = None  # finished, its last autosave writing
        self._writer = _AutosaveWriter()
        self._shut = False  # after shutdown: late messages change the entry, write nothing
        self._autosaved.connect(self._on_autosaved)
        session.datasetChanged.connect(self._on_session_dataset_changed)

    # --- what it is doing ---------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """From start until finished or failed was emitted (even if the child is already gone)."""
        return self.entry is not None

    @property
    def start_queued(self) -> bool:
        return self._queued is not None

    @property
    def is_paused(self) -> bool:
        return self.process is not None and self.process.paused

    @property
    def can_start(self) -> bool:
        return not self.is_running and not self.start_queued

    # --- requests --------------------------------------------------------------------------

    def start(
        self, config: TrainConfig, entry: ModelEntry | None = None, model_config: ModelConfig | None = None
    ) -> bool:
        """Train entry (a new model of model_config when None) for config.epochs more epochs.
        False when it cannot: then refused or dataMissing says why. True when it started, or
        when it will start as soon as the dataset that is loading is here."""
        if not self.can_start or self._shut:
            return False
        data = self.session.dataset
        if (data is None or data.sample) and self.runner.is_running("data"):
            self._queued = (config, entry, model_config)
            self.queuedChanged.emit(True)
            return True
        if data is None or data.sample:  # the bundled sample has no training images
            self.dataMissing.emit()
            return False
        if entry is not None and entry.dataset.class_names != data.info.class_names:
            self.refused.emit("dataset", entry.dataset.spec)  # it learnt another dataset
            return False
        try:
            device = resolve_device(config.device)
            precision = resolve_precision(config.precision, device)
        except ValueError as exc:
            self.refused.emit("device", str(exc))
            return False
        if entry is None:
            entry = self.session.add(
                ModelEntry(new_model(model_config, config.seed), config, saved=False, dataset=data.info)
            )
        entry.train_config = config
        entry.training = True
        replay = entry.replay
        if replay is not None and (
            len(replay.indices) == 0 or int(replay.indices.max()) >= len(data.test) or not entry.history
        ):
            replay = None  # recorded on another test set, or a model never trained: start anew
        preview = data.test.images[preview_indices(data.test)]
        self.entry, self.config = entry, config
        self.device, self.precision = device.type.upper(), precision
        self.steps = config.epochs * math.ceil(len(data.train.head(config.limit)) / config.batch_size)
        self.paused_at = None
        self.stopping = False
        self.process = TrainingProcess(entry.model, config, data, entry.history, preview, replay)
        self._worker = Worker(relay(self.process), TASK)
        self._worker.progress.connect(self._on_worker_progress)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.failed.connect(self._on_worker_failed)
        if not self.runner.start(self._worker):  # shutting down
            self._end()
            return False
        self.started.emit(entry.id)
        return True

    def pause(self) -> None:
        if self.process is not None:
            self.paused_at = None  # until the child confirms
            self.process.pause()

    def resume(self) -> None:
        if self.process is not None:
            self.process.resume()

    def stop(self) -> None:
        """Stop after the current batch; what was trained is kept (finished comes next)."""
        if self._worker is not None and self._ending is None:
            self.stopping = True
            self._worker.cancel()  # → the child's request_stop

    def kill(self) -> None:
        """End the child now, keeping nothing of this run's last batches (quit without saving)."""
        if self.process is not None and self._ending is None:
            self.process.kill()

    def settle(self, timeout: float = 30.0) -> None:
        """Wait for the autosaves being written and, if the run has finished meanwhile, end it
        now (at close: the window removes this session's autosaves next)."""
        self._writer.flush(timeout)
        if self._ending is not None:
            self._end_finished()

    def shutdown(self) -> None:
        """Kill the child and wait for the writer: nothing of the run outlives the window."""
        self.kill()
        self._queued = None
        self._shut = True
        self._writer.close()

    # --- the child's messages ------------------------------------------------------------------

    @Slot(object)
    def _on_worker_progress(self, message) -> None:
        entry = self.entry
        if entry is None:
            return
        if isinstance(message, Started):
            self.path, self.precision = message.path, message.precision
            self.pathKnown.emit(message.path)
        elif isinstance(message, Batches):
            entry.batch_losses.extend(message.points)
            self.batches.emit(message)
        elif isinstance(message, Paused):
            self.paused_at = message.run_step
            self.paused.emit(message.run_step)
        elif isinstance(message, Epoch):
            load_numpy_state(entry.model, message.state)
            entry.history.append(message.record)
            if message.replay is not None:
                entry.replay = message.replay
            entry.saved = False
            if not self._shut:
                self._writer.submit(entry)  # a crash now costs at most this epoch
            self.epoch.emit(message)
            self.session.mark_updated(entry)

    @Slot(object)
    def _on_worker_finished(self, result) -> None:
        entry = self.entry
        if entry is None:
            return
        if not isinstance(result, Finished):
            if result is not None:  # the child's last good weights and history
                if result.state is not None:
                    load_numpy_state(entry.model, result.state)
                if result.history:
                    entry.history = list(result.history)
            self._on_worker_failed(result.message if result is not None else "")
            return
        load_numpy_state(entry.model, result.state)
        entry.history = list(result.history)
        if result.replay is not None:
            entry.replay = result.replay
        entry.saved = False
        self._ending = (entry, result.stopped)
        if self._shut:
            self._end_finished()
        else:
            self._writer.submit(entry, done=self._autosaved.emit)  # finished once it is on disk

    @Slot()
    def _on_autosaved(self) -> None:
        if self._ending is not None:
            self._end_finished()

    def _end_finished(self) -> None:
        entry, stopped = self._ending
        self._ending = None
        self._end()
        self.session.mark_updated(entry)
        self.finished.emit(entry.id, stopped)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        killed = self.process is not None and self.process.killed  # the user chose to discard
        entry = self._end()
        if entry is not None:
            self.session.mark_updated(entry)
        self.failed.emit(entry.id if entry is not None else 0, message, killed)

    def _end(self) -> ModelEntry | None:
        entry = self.entry
        if entry is not None:
            entry.training = False
            entry.model.eval()
        self.entry = None
        self.process = None
        self._worker = None
        return entry

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        if self._queued is not None:
            request, self._queued = self._queued, None
            self.queuedChanged.emit(False)
            self.start(*request)  # or says why it cannot, now that the data has come
