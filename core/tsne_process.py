"""t-SNE in a child process that can be cancelled (scikit-learn's cannot) and leaves the calling
process's GIL alone.

The child imports only numpy and scikit-learn, so it starts quickly; ``prewarm()`` starts the
next one ahead of time. This module knows nothing of models or maps: it turns codes into
coordinates (``core.latent`` wraps them in a ``Projection``).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np


def serve(jobs, results) -> None:
    """The child's body. Import scikit-learn at once (the parent may start us ahead of time),
    then wait for one job ``(codes_file, seed)`` (an ``.npy`` file) on ``jobs`` and send
    ``("ok", coords)`` or ``("error", message)`` back on ``results``."""
    from sklearn.manifold import TSNE

    try:
        codes_file, seed = jobs.recv()
    except (EOFError, OSError):  # the parent went away or gave us up
        return
    try:
        codes = np.load(codes_file, allow_pickle=False)
        coords = TSNE(n_components=2, random_state=seed, init="pca").fit_transform(codes)
        results.send(("ok", coords.astype(np.float32)))
    except Exception as exc:  # reported to the parent, shown there
        results.send(("error", f"{type(exc).__name__}: {exc}"))


class TsneProcess:
    """A spawned child that imports scikit-learn, then waits for one t-SNE job on a pipe.

    Pipes, not queues: a queue's feeder thread would block the interpreter's exit on a child
    that was terminated before reading its input."""

    def __init__(self) -> None:
        context = mp.get_context("spawn")
        jobs_recv, self.jobs = context.Pipe(duplex=False)
        self.results, results_send = context.Pipe(duplex=False)
        self.process = context.Process(target=serve, args=(jobs_recv, results_send), daemon=True, name="t-SNE")
        self.process.start()
        jobs_recv.close()  # the child's ends: closed here so a dead child reads as EOF
        results_send.close()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(2)
        self.jobs.close()
        self.results.close()

    def ended_message(self) -> str:
        return f"the t-SNE process ended unexpectedly (exit code {self.process.exitcode})"


_warm_lock = threading.Lock()
_warm: TsneProcess | None = None


def prewarm() -> None:
    """Start the next t-SNE's process now (spawning Python and importing scikit-learn take a
    second or two), e.g. while the codes it will get are being encoded."""
    global _warm
    with _warm_lock:
        if _warm is None or not _warm.process.is_alive():
            _warm = TsneProcess()


def _take_process() -> TsneProcess:
    global _warm
    with _warm_lock:
        process, _warm = _warm, None
    if process is not None and process.process.is_alive():
        return process
    if process is not None:
        process.close()
    return TsneProcess()


def run_tsne(
    codes: np.ndarray, cancelled: Callable[[], bool], seed: int = 42, poll: float = 0.1
) -> np.ndarray | None:
    """(N, 2) float32 t-SNE coordinates of codes, computed in a child (the one ``prewarm``
    started, if any); None when ``cancelled()`` became true. Raises RuntimeError when the
    child fails or dies."""
    codes = np.asarray(codes, dtype=np.float32)
    child = _take_process()
    # The codes go through a file and the pipe carries only its name: writing tens of kB into
    # a pipe blocks until a child still importing scikit-learn reads them, and a worker blocked
    # there could not be cancelled (closing the window would wait for it).
    handle, codes_file = tempfile.mkstemp(prefix="latent-explorer-tsne-", suffix=".npy")
    try:
        with os.fdopen(handle, "wb") as f:
            np.save(f, codes, allow_pickle=False)
        try:
            child.jobs.send((codes_file, seed))
        except OSError:
            raise RuntimeError(child.ended_message()) from None
        while not child.results.poll(poll):
            if cancelled():
                return None
            if not child.process.is_alive() and not child.results.poll():
                raise RuntimeError(child.ended_message())
        try:
            status, value = child.results.recv()
        except EOFError:
            raise RuntimeError(child.ended_message()) from None
    finally:
        child.close()
        Path(codes_file).unlink(missing_ok=True)
    if status != "ok":
        raise RuntimeError(value)
    return value
