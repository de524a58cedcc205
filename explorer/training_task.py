"""Training as a worker task: runs core's Trainer and reports throttled progress."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from core.data import Split, to_float
from core.training import BatchEnd, EpochEnd, EpochRecord, Trainer, TrainResult
from explorer.workers import Worker

BATCH_REPORT_INTERVAL = 0.05  # seconds: batch losses reach the GUI at most 20 times a second


@dataclass(frozen=True)
class BatchProgress:
    points: list[tuple[float, float]]  # (x in epochs, loss)
    epoch: int
    step: int
    steps: int
    run_step: int
    run_steps: int
    elapsed: float  # seconds of training in this run, pauses excluded


@dataclass(frozen=True)
class EpochProgress:
    record: EpochRecord
    last_epoch: int
    reconstructions: np.ndarray  # (8, 28, 28) floats in [0, 1] of the preview images


def preview_indices(split: Split, count: int = 8) -> list[int]:
    """The first test image of each of the first ``count`` classes (fixed, varied)."""
    indices = []
    labels = split.labels.tolist()
    for c in range(10):
        if c in labels:
            indices.append(labels.index(c))
        if len(indices) == count:
            break
    for i in range(len(labels)):  # fewer classes than count: fill with the first images
        if len(indices) == count:
            break
        if i not in indices:
            indices.append(i)
    return indices


@torch.no_grad()
def reconstruct(model, images: torch.Tensor) -> np.ndarray:
    """Reconstructions (N, 28, 28) in eval mode (z = μ), restoring the model's mode."""
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        out = model(to_float(images).to(device))[0]
    finally:
        model.train(was_training)
    return out[:, 0].float().cpu().numpy()


class _Relay:
    """Trainer callback, in the worker thread: batches coalesced, epochs with previews."""

    def __init__(self, worker: Worker, preview: torch.Tensor) -> None:
        self.worker = worker
        self.preview = preview
        self.pending: list[tuple[float, float]] = []
        self.last_emit = 0.0
        self.start = time.perf_counter()
        self.trainer: Trainer | None = None
        self.paused_total = 0.0

    def __call__(self, event) -> None:
        if isinstance(event, BatchEnd):
            self.pending.append((event.epoch - 1 + event.step / event.steps, event.loss))
            now = time.perf_counter()
            if now - self.last_emit >= BATCH_REPORT_INTERVAL or event.run_step == event.run_steps:
                self._flush(event, now)
        elif isinstance(event, EpochEnd):
            if self.pending:
                self.worker.report(
                    BatchProgress(list(self.pending), event.record.epoch, 0, 0, 0, 0, self._elapsed())
                )
                self.pending.clear()
            recon = reconstruct(self.trainer.model, self.preview)
            self.worker.report(EpochProgress(event.record, event.epochs, recon))

    def _elapsed(self) -> float:
        return time.perf_counter() - self.start - (self.trainer.paused_seconds if self.trainer else 0.0)

    def _flush(self, event: BatchEnd, now: float) -> None:
        self.worker.report(
            BatchProgress(
                list(self.pending),
                event.epoch,
                event.step,
                event.steps,
                event.run_step,
                event.run_steps,
                self._elapsed(),
            )
        )
        self.pending.clear()
        self.last_emit = now


def training_task(trainer: Trainer, preview: torch.Tensor):
    """A worker function running ``trainer``; its result is the TrainResult."""

    def run(worker: Worker) -> TrainResult:
        relay = _Relay(worker, preview)
        relay.trainer = trainer
        trainer.callback = relay
        worker.on_cancel = trainer.request_stop
        if worker.cancelled:
            trainer.request_stop()
        return trainer.run()

    return run
