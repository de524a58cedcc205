"""A t-SNE in a child process that streams its frames: cancellable, pausable, at low priority.

The child (spawned, so it shares nothing with a parent that holds Qt or torch threads) imports
openTSNE as soon as it starts — ``prewarm()`` starts one ahead of time — then waits for one job.
Frames go through a memory-mapped file, the newest overwriting the last, guarded by a sequence
number (odd while the child writes): the child never waits for the parent, and the parent
reads only the newest frame, whatever it missed. The pipe carries two small messages only
(the job's file names, the final status), which never fill it.

The child runs at a lower priority (Linux's SCHED_IDLE, else ``os.nice``), so a training process
on the same cores goes first; and while it optimises, a training child of this program lends it
a core (``core.training_process.maps_forming``). ``cancel()`` terminates it and joins it:
nothing is left behind. A child whose map is done waits for the next map instead (``prewarm``'s
spare), so a map per epoch costs no new process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

from core.memory import return_freed_memory
from core.tsne import TsneFrame, TsneSettings

__all__ = ["TsneRun", "end_spare", "prewarm", "LAB_METHOD", "OPENTSNE_METHOD"]

OPENTSNE_METHOD = "opentsne"
LAB_METHOD = "sklearn"  # scikit-learn's TSNE exactly as the lab calls it: no frames
NICENESS = 10
_HEADER = 8  # int64: sequence, iteration, total, points, then unused
_HEADER_BYTES = _HEADER * 8


def _frame_file_map(path: str, n: int, mode: str):
    header = np.memmap(path, dtype=np.int64, mode=mode, shape=(_HEADER,))
    coords = np.memmap(path, dtype=np.float32, mode=mode, offset=_HEADER_BYTES, shape=(n, 2))
    return header, coords


def _end_with_parent() -> None:
    """End this process when its parent dies (a crash, ``kill -9``): nobody would read its map."""
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        mp.connection.wait([parent.sentinel])
        os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _lower_priority(niceness: int) -> None:
    """Run below the trainer. Linux's SCHED_IDLE gives this process a core only when nothing
    else wants it, and gives the core back at once when a trainer's thread wakes up: ``nice``
    alone still takes a few percent of a busy core in whole time slices, and two OpenMP threads
    that meet at a barrier each step wait for the one that lost its slice. Elsewhere: ``nice``."""
    if niceness <= 0:
        return
    if hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            return
        except OSError:
            pass
    try:
        os.nice(niceness)
    except (AttributeError, OSError):  # no nice on this platform: the normal priority
        pass


def _child_main(jobs, results, paused, niceness: int = 0) -> None:
    """Import openTSNE at once, then run jobs ``(method, codes_file, init_file, frame_file,
    settings, every, niceness)`` one after the other, answering each ``("ok",)`` or
    ``("error", message)``. A child whose map is done serves the next one (a model that trains
    asks for a map every epoch: no new process each time). ``niceness`` > 0: start at the low
    priority at once (a model trains: even importing openTSNE, 1.4 s of CPU, would slow it)."""
    _end_with_parent()
    return_freed_memory()
    lowered = niceness > 0
    if lowered:
        _lower_priority(niceness)
    import openTSNE  # noqa: F401  (imported now: the parent may have started us ahead of time)

    from core.tsne import run_tsne

    while True:
        try:
            method, codes_file, init_file, frame_file, settings, every, niceness = jobs.recv()
        except (EOFError, OSError):  # the parent went away or gave us up
            return
        if not lowered:
            _lower_priority(niceness)
            lowered = niceness > 0
        try:
            codes = np.load(codes_file, allow_pickle=False)
            init = np.load(init_file, allow_pickle=False) if init_file else None
            settings = TsneSettings.from_dict(settings)
            header, coords = _frame_file_map(frame_file, len(codes), "r+")

            def publish(frame: TsneFrame) -> None:
                header[0] += 1  # odd: a frame is being written
                coords[:] = frame.coords
                header[1], header[2] = frame.iteration, frame.total
                header[0] += 1

            if method == LAB_METHOD:
                from sklearn.manifold import TSNE

                # The lab's call (its verbose output aside); scikit-learn starts from PCA by default.
                layout = TSNE(n_components=2, random_state=settings.seed).fit_transform(codes)
                publish(TsneFrame(1, 1, layout.astype(np.float32)))
            else:
                run_tsne(codes, settings, init, publish, every, paused=lambda: bool(paused.value))
            header.flush()
            del header, coords
            results.send(("ok",))
        except Exception as exc:  # reported to the parent, shown there
            results.send(("error", f"{type(exc).__name__}: {exc}"))


class _Child:
    def __init__(self, niceness: int = 0) -> None:
        self.lowered = niceness > 0  # once lowered, a process cannot raise its priority again
        context = mp.get_context("spawn")
        self.paused = context.RawValue("b", 0)
        jobs_recv, self.jobs = context.Pipe(duplex=False)
        self.results, results_send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_child_main,
            args=(jobs_recv, results_send, self.paused, niceness),
            daemon=True,
            name="t-SNE",
        )
        self.process.start()
        jobs_recv.close()  # the child's ends: closed here so that a dead child reads as EOF
        results_send.close()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.jobs.close()
        self.results.close()


_warm_lock = threading.Lock()
_warm: _Child | None = None


def _training() -> bool:
    """Whether a model trains in a child of this program (looked up only if the program uses
    ``core.training_process``: this module must not import torch)."""
    training_process = sys.modules.get("core.training_process")
    return training_process is not None and training_process.training_active()


def prewarm(niceness: int | None = None) -> None:
    """Start the next t-SNE's child now (Python and openTSNE take a second or two to start),
    e.g. while the codes it will map are being encoded. ``niceness``: start it at a low
    priority (by default: when a model trains, else at ours, to be ready sooner)."""
    global _warm
    if niceness is None:
        niceness = NICENESS if _training() else 0
    with _warm_lock:
        if _warm is None or not _warm.process.is_alive():
            _warm = _Child(niceness)


def end_spare() -> None:
    """End the spare child (``prewarm``'s, or one whose map is done), if any: at exit."""
    global _warm
    with _warm_lock:
        child, _warm = _warm, None
    if child is not None:
        child.close()


def _give_back(child: _Child) -> None:
    """A child whose job is done waits for the next one (or ends if one already waits)."""
    global _warm
    child.paused.value = 0
    with _warm_lock:
        if _warm is None and child.process.is_alive():
            _warm, child = child, None
    if child is not None:
        child.close()


def _take_child(niceness: int) -> _Child:
    global _warm
    with _warm_lock:
        child, _warm = _warm, None
    if child is not None and child.process.is_alive() and (niceness > 0 or not child.lowered):
        child.lowered = child.lowered or niceness > 0
        return child
    if child is not None:
        child.close()
    return _Child(niceness if _training() else 0)


class TsneRun:
    """One t-SNE of ``codes`` in a child process, streaming its frames.

    Call ``latest()`` as often as you like (a timer): it returns the newest frame not yet
    returned, or None. ``state`` is "running", "done" (``result`` holds the map) or "failed"
    (``error`` says why). Every method returns at once, from any thread.
    """

    def __init__(
        self,
        codes: np.ndarray,
        settings: TsneSettings = TsneSettings(),
        init: np.ndarray | None = None,
        method: str = OPENTSNE_METHOD,
        every: int = 10,
        niceness: int | None = None,
    ) -> None:
        """``niceness``: how much lower than ours the child's priority is (0: the same;
        ``NICENESS`` by default)."""
        niceness = NICENESS if niceness is None else niceness
        if method not in (OPENTSNE_METHOD, LAB_METHOD):
            raise ValueError(f"unknown t-SNE method {method!r}")
        settings.check()
        codes = np.asarray(codes, dtype=np.float32)
        self.n = len(codes)
        self.method = method
        self.settings = settings
        self.warm = init is not None
        self.state = "running"
        self.result: np.ndarray | None = None
        self.error: str | None = None
        self._seen = 0
        self._folder = Path(tempfile.mkdtemp(prefix="latent-explorer-tsne-"))
        codes_file = self._folder / "codes.npy"
        np.save(codes_file, codes, allow_pickle=False)
        init_file = ""
        if init is not None:
            init_file = str(self._folder / "init.npy")
            np.save(init_file, np.asarray(init, dtype=np.float64), allow_pickle=False)
        frame_file = self._folder / "frames.bin"
        with open(frame_file, "wb") as f:
            f.truncate(_HEADER_BYTES + self.n * 2 * 4)
        self._header, self._coords = _frame_file_map(str(frame_file), self.n, "r")
        self._child = _take_child(niceness)
        self._owns_child = True  # until the child is ended or given back for the next map
        try:
            self._child.jobs.send(
                (method, str(codes_file), init_file, str(frame_file), settings.to_dict(), every, niceness)
            )
        except OSError:
            self._fail()

    @property
    def total(self) -> int:
        if self.method == LAB_METHOD:
            return 1
        return self.settings.warm_iterations if self.warm else self.settings.total_iterations

    @property
    def pid(self) -> int | None:
        return self._child.process.pid

    def latest(self) -> TsneFrame | None:
        """The newest frame not yet returned (the final one included), or None."""
        if self._header is None:
            return None
        before = int(self._header[0])
        if before == self._seen or before % 2:
            self._poll_status()
            return None
        coords = np.array(self._coords)
        iteration, total = int(self._header[1]), int(self._header[2])
        if int(self._header[0]) != before:  # overwritten meanwhile: the next call gets it
            return None
        self._seen = before
        self._poll_status()
        return TsneFrame(iteration, total, coords)

    def _poll_status(self) -> None:
        if self.state != "running":
            return
        try:
            if self._child.results.poll():
                message = self._child.results.recv()
                if message[0] == "ok":
                    self.result = np.array(self._coords)
                    self.state = "done"
                else:
                    self.error = message[1]
                    self.state = "failed"
                self._release(reuse=True)
                return
        except (EOFError, OSError):
            pass
        if not self._child.process.is_alive():
            self._fail()

    def _fail(self) -> None:
        self.state = "failed"
        self.error = f"the t-SNE process ended unexpectedly (exit code {self._child.process.exitcode})"
        self._release()

    def poll(self) -> str:
        """Look for the end of the run; returns ``state``."""
        self._poll_status()
        return self.state

    def pause(self) -> None:
        if self._owns_child:
            self._child.paused.value = 1

    def resume(self) -> None:
        if self._owns_child:
            self._child.paused.value = 0

    @property
    def paused(self) -> bool:
        return self._owns_child and bool(self._child.paused.value)

    def cancel(self) -> None:
        """Stop the run and end its child (joined: no process is left)."""
        if self.state == "running":
            self.state = "cancelled"
        self._release()

    def _release(self, reuse: bool = False) -> None:
        """``reuse``: the child answered and waits for another job; else it is ended."""
        if self._owns_child:
            self._owns_child = False
            (_give_back if reuse else _Child.close)(self._child)
        if self._header is not None and self.state != "running":
            self._header = None
            self._coords = None
            for path in self._folder.glob("*"):
                path.unlink(missing_ok=True)
            try:
                self._folder.rmdir()
            except OSError:
                pass

    def __enter__(self) -> TsneRun:
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()
