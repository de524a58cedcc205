"""Training as a worker task: a child process trains, this worker relays its messages.

The worker thread only waits on the child's queue (the GIL is free meanwhile), so neither
the GUI nor the training slow each other down. Messages are core.training_process's
``Batches``, ``Epoch``, ``Finished`` and ``Failed``; the GUI thread applies the weights they
carry to its own copy of the model.
"""

from __future__ import annotations

import numpy as np
import torch

from core.data import Split
from core.latent import reconstruct as core_reconstruct
from core.training_process import Failed, Finished, TrainingProcess
from explorer.workers import Worker


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


def reconstruct(model, images: torch.Tensor) -> np.ndarray:
    """Reconstructions (N, 28, 28) in eval mode (z = μ)."""
    return core_reconstruct(model, images)[1]


def training_task(process: TrainingProcess):
    """A worker function: start the child, relay its messages, return its last one."""

    def run(worker: Worker) -> Finished | Failed:
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
