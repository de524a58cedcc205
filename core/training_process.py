"""Training in a child process, for programs that must stay responsive while a model trains.

Why a process and not a thread: PyTorch's CPU ops hold Python's GIL for most of a forward pass,
and OpenMP throttles its threads as soon as two threads own teams. Measured here with a Qt
window: a VAE epoch in a worker thread took 1.7–2× the time of the command line, and the GUI
missed its 10 ms timer by up to 150 ms. In a child process the epoch runs at command-line speed
and the parent only relays small messages.

The parent keeps its model: the child trains a copy and sends its weights after every epoch
and at the end, so the parent applies them in its own thread when it chooses.
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection
import os
import queue
import threading
import time
import traceback
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core.data import Dataset, Split
from core.latent import reconstruct
from core.models import LatentModel, ModelConfig, build_model, model_config
from core.training import (
    BatchEnd,
    EpochEnd,
    EpochRecord,
    Paused,
    Replay,
    Started,
    RunControl,
    SharedFlag,
    TrainConfig,
    Trainer,
    TrainingDiverged,
)

BATCH_REPORT_INTERVAL = 0.1  # seconds: batch losses reach the GUI at most 10 times a second


class MapsForming:
    """Whether a map forms somewhere in this program (a t-SNE child optimising): while one
    does, every training child lends it a core (``core.training.CoreLoan``). Each holder says
    ``hold(owner, True/False)``; the shared flag is set while any owner holds."""

    def __init__(self) -> None:
        self.flag = SharedFlag(mp.get_context("spawn"))
        self._owners: set[int] = set()
        self._lock = threading.Lock()

    def hold(self, owner: object, forming: bool) -> None:
        with self._lock:
            (self._owners.add if forming else self._owners.discard)(id(owner))
            (self.flag.set if self._owners else self.flag.clear)()


_started: "weakref.WeakSet[TrainingProcess]" = weakref.WeakSet()


def training_active() -> bool:
    """Whether a training child of this program is alive."""
    return any(p.alive for p in list(_started))


_forming: MapsForming | None = None
_forming_lock = threading.Lock()


def maps_forming() -> MapsForming:
    """This program's one ``MapsForming`` (created at first use)."""
    global _forming
    with _forming_lock:
        if _forming is None:
            _forming = MapsForming()
        return _forming


@dataclass(frozen=True)
class Batches:
    """Batch losses since the last message: (x in epochs, loss) pairs, and where the run is."""

    points: list[tuple[float, float]]
    epoch: int
    run_step: int
    run_steps: int
    elapsed: float  # seconds of training in this run, pauses excluded


@dataclass(frozen=True)
class Epoch:
    record: EpochRecord
    last_epoch: int
    state: dict[str, np.ndarray]  # the weights after this epoch
    reconstructions: np.ndarray  # (N, 28, 28) of the preview images
    replay: Replay | None = None  # every frame so far


@dataclass(frozen=True)
class Finished:
    history: list[EpochRecord]
    stopped: bool
    state: dict[str, np.ndarray]
    device: str
    precision: str
    replay: Replay | None = None
    path: str = ""  # how the run computed, for the status bar (core.runtime.describe_path)


@dataclass(frozen=True)
class Failed:
    message: str
    history: list[EpochRecord]
    state: dict[str, np.ndarray] | None  # last good weights, when the child could send them


Message = Started | Batches | Paused | Epoch | Finished | Failed


def state_to_numpy(model: LatentModel) -> dict[str, np.ndarray]:
    return {k: v.detach().to("cpu", torch.float32).numpy().copy() for k, v in model.state_dict().items()}


def load_numpy_state(model: LatentModel, state: dict[str, np.ndarray]) -> None:
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})


class TrainingProcess(RunControl):
    """Trains a copy of ``model`` in a child process; read progress with ``messages()``.

    ``pause``, ``resume`` and ``request_stop`` may be called from any thread of the parent.
    """

    def __init__(
        self,
        model: LatentModel,
        config: TrainConfig,
        data: Dataset,
        history: list[EpochRecord] | None = None,
        preview: torch.Tensor | None = None,
        replay: Replay | None = None,
    ) -> None:
        context = mp.get_context("spawn")  # never fork a process that runs Qt or OpenMP threads
        self._queue = context.Queue()
        self._inbox = context.Queue()
        super().__init__(SharedFlag(context), SharedFlag(context, True))
        self._payload = {
            "model": model_config(model).to_dict(),
            "state": state_to_numpy(model),
            "config": config.to_dict(),
            "history": [r.to_dict() for r in history or []],
            "train": (data.train.images.numpy(), data.train.labels.numpy()),
            "test": (data.test.images.numpy(), data.test.labels.numpy()),
            "preview": (preview if preview is not None else data.test.images[:0]).numpy(),
            "replay": replay,
        }
        self._process = context.Process(
            target=_child_main,
            # The payload (the dataset, tens of MB) goes through a queue after start, not as
            # arguments: a child that dies while starting must not block the parent's write.
            args=(self._inbox, self._queue, self._stop, self._running, maps_forming().flag),
            name="latent-explorer-training",
            daemon=True,
        )
        self._ended = False
        self._killed = False

    @property
    def killed(self) -> bool:
        return self._killed

    def kill(self) -> None:
        """End the child at once, without waiting for the batch in progress (nothing is kept:
        for a user who quits without saving)."""
        self._killed = True
        if self._process.is_alive():
            self._process.terminate()

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def start(self) -> None:
        self._process.start()
        _started.add(self)
        self._inbox.put(self._payload)
        self._payload = None

    def messages(self, poll: float = 0.1) -> Iterator[Message]:
        """Messages until the child ends; the last one is Finished or Failed."""
        while not self._ended:
            if self._killed:  # what is left in the queue may be cut short: never read it
                self._ended = True
                yield Failed("Training was stopped without saving.", [], None)
                return
            try:
                message = self._queue.get(timeout=poll)
            except queue.Empty:
                if not self._process.is_alive():
                    # It may have sent its last words just before exiting.
                    try:
                        message = self._queue.get(timeout=0.5)
                    except queue.Empty:
                        self._ended = True
                        code = self._process.exitcode
                        yield Failed(
                            f"The training process ended unexpectedly (exit code {code}). "
                            "The weights of the last finished epoch were kept.",
                            [],
                            None,
                        )
                        return
                else:
                    continue
            if isinstance(message, (Finished, Failed)):
                self._ended = True
            yield message
        self.join()

    def join(self, timeout: float = 5.0) -> bool:
        """Wait for the child; terminate it if it does not end in time. True if it ended."""
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(1.0)
        return not self._process.is_alive()


def _end_with_parent() -> None:
    """End this process as soon as its parent dies (``kill -9``, a crash): an orphan would keep
    training for nobody, holding a gigabyte, blocked on a pipe nobody reads."""
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        mp.connection.wait([parent.sentinel])
        os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _child_main(inbox: mp.Queue, out: mp.Queue, stop, running, lend=None) -> None:
    """Entry point of the child process."""
    _end_with_parent()
    torch.set_flush_denormal(True)  # before any thread starts: they inherit it (core.runtime.flushing_denormals)
    model = None
    history: list[EpochRecord] = []
    try:
        payload = inbox.get()
        model = build_model(ModelConfig.from_dict(payload["model"]))
        load_numpy_state(model, payload["state"])
        config = TrainConfig.from_dict(payload["config"])
        history = [EpochRecord.from_dict(r) for r in payload["history"]]
        data = Dataset(
            Split(*(torch.from_numpy(a) for a in payload["train"])),
            Split(*(torch.from_numpy(a) for a in payload["test"])),
            "parent",
        )
        preview = torch.from_numpy(payload["preview"])
        trainer = Trainer(
            model,
            config,
            data,
            history=history,
            stop_flag=stop,
            run_flag=running,
            replay=payload["replay"],
            lend_flag=lend,
        )
        trainer.callback = _Relay(out, trainer, preview)
        result = trainer.run()
        out.put(
            Finished(
                result.history,
                result.stopped,
                state_to_numpy(model),
                result.device,
                result.precision,
                trainer.replay,
                result.path,
            )
        )
    except TrainingDiverged as exc:
        out.put(Failed(str(exc), exc.history, state_to_numpy(model)))
    except BaseException as exc:  # report anything; the parent decides what to show
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if isinstance(exc, MemoryError) or "out of memory" in str(exc).lower():
            detail = "Out of memory. Try a smaller batch size, or train on the CPU."
        state = state_to_numpy(model) if model is not None and _finite(model) else None
        out.put(Failed(detail, history, state))
    finally:
        out.close()
        out.join_thread()


def _finite(model: LatentModel) -> bool:
    return all(torch.isfinite(p).all() for p in model.parameters())


class _Relay:
    """The trainer's callback in the child: batches coalesced, epochs with weights."""

    def __init__(self, out: mp.Queue, trainer: Trainer, preview: torch.Tensor) -> None:
        self.out = out
        self.trainer = trainer
        self.preview = preview
        self.pending: list[tuple[float, float]] = []
        self.last_send = 0.0
        self.start = time.perf_counter()

    def _elapsed(self) -> float:
        return time.perf_counter() - self.start - self.trainer.paused_seconds

    def __call__(self, event) -> None:
        if isinstance(event, BatchEnd):
            self.pending.append((event.epoch - 1 + event.step / event.steps, event.loss))
            now = time.perf_counter()
            if now - self.last_send >= BATCH_REPORT_INTERVAL or event.run_step == event.run_steps:
                self.out.put(
                    Batches(self.pending, event.epoch, event.run_step, event.run_steps, self._elapsed())
                )
                self.pending = []
                self.last_send = now
        elif isinstance(event, Started):
            self.out.put(event)
        elif isinstance(event, Paused):
            # Everything before the pause is on screen before the pause is confirmed.
            if self.pending:
                self.out.put(Batches(self.pending, event.epoch, 0, 0, self._elapsed()))
                self.pending = []
            self.out.put(event)
        elif isinstance(event, EpochEnd):
            if self.pending:
                self.out.put(Batches(self.pending, event.record.epoch, 0, 0, self._elapsed()))
                self.pending = []
            model = self.trainer.model
            recon = _reconstruct(model, self.preview)
            self.out.put(Epoch(event.record, event.epochs, state_to_numpy(model), recon, self.trainer.replay))


def _reconstruct(model: LatentModel, images: torch.Tensor) -> np.ndarray:
    if len(images) == 0:
        return np.zeros((0, 28, 28), dtype=np.float32)
    return reconstruct(model, images)[1]
