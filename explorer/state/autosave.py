"""Autosave: a model in training is written to the app's folder after every epoch.

A crash or a power cut then costs at most one epoch: at the next start the app offers the
models it finds there back. A clean exit removes this session's files (the user saved or
discarded each model); files of another running instance are left alone (each session holds a
lock on autosave/<session>.lock while it runs; the system drops it when the process dies).

A session is named by its process id *and* a random token: a process id alone is reused, and a
new process that happened to get a crashed one's id took its autosaves for its own, hid them
from recovery and deleted them at exit. When an autosave cannot be written (disk full), the
user is told once, through ``notifier.failed``, that crash protection is off.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from core.checkpoint import SUFFIX, CheckpointError, load_checkpoint, save_checkpoint
from core.paths import user_data_dir
from explorer.state.entry import ModelEntry

log = logging.getLogger(__name__)

SESSION = f"{os.getpid()}.{secrets.token_hex(6)}"  # this process, whatever process ids get reused
_SESSION_NAME = re.compile(r"\d+(\.[0-9a-f]+)?")  # <pid>.<token>; files of older versions: <pid>


class _Notifier(QObject):
    """``failed(title, message)``: the first autosave that could not be written since the last
    one that could (the main window shows it)."""

    failed = Signal(str, str)


notifier = _Notifier()
_failing = False  # told already; reset by the next autosave that works


def autosave_dir() -> Path:
    return user_data_dir() / "autosave"


def autosave_path(entry: ModelEntry) -> Path:
    return autosave_dir() / f"{SESSION}-{entry.id}-{entry.kind}{SUFFIX}"


def write(entry: ModelEntry) -> Path | None:
    """Save entry's model as it is now; None when that failed, e.g. disk full: then a log line,
    and the first time, notifier.failed says crash protection is off."""
    global _failing
    path = autosave_path(entry)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _claim()
        extra = {"autosave": {"name": entry.name, "time": time.time(), "bundled": entry.bundled}}
        if entry.path is not None:
            extra["autosave"]["path"] = str(entry.path)
        save_checkpoint(
            path,
            entry.model,
            entry.train_config,
            entry.history,
            extra=extra,
            replay=entry.replay,
            dataset=entry.dataset,
        )
    except (OSError, CheckpointError) as exc:
        log.warning("autosave of %s failed: %s", entry.name, exc)
        if not _failing:
            _failing = True
            notifier.failed.emit(
                QCoreApplication.translate("Autosave", "Crash protection is off"),
                QCoreApplication.translate(
                    "Autosave",
                    "The model in training cannot be saved automatically ({error}). If the app "
                    "crashes now, the training since the last save is lost. Free some disk space, "
                    "or save the model yourself (File → Save model as) when training ends.",
                ).format(error=exc.strerror if isinstance(exc, OSError) and exc.strerror else exc),
            )
        return None
    _failing = False
    return path


def remove(entry: ModelEntry) -> None:
    autosave_path(entry).unlink(missing_ok=True)


def remove_all_of_this_session() -> None:
    for path in _files():
        if _session(path) == SESSION:
            path.unlink(missing_ok=True)
    _release()


def orphans() -> list[Path]:
    """Autosaves left by sessions that are no longer running (crashed or killed)."""
    return [p for p in _files() if not _alive(_session(p))]


def describe(path: Path) -> str:
    """One line for the recovery dialog: what the model is and when it was saved."""
    try:
        checkpoint = load_checkpoint(path)
    except CheckpointError as exc:
        return f"{path.name}: {exc}"
    info = checkpoint.metadata.get("extra", {}).get("autosave", {})
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.get("time", path.stat().st_mtime)))
    epochs = sum(1 for r in checkpoint.history if r.complete)
    return QCoreApplication.translate("Autosave", "{kind}, latent {d}, {n} epoch(s) — {when}").format(
        kind=checkpoint.kind.upper(), d=checkpoint.model.latent_dim, n=epochs, when=when
    )


def _files() -> list[Path]:
    folder = autosave_dir()
    try:
        return sorted(folder.glob(f"*{SUFFIX}"))
    except OSError:
        return []


def _session(path: Path) -> str | None:
    head = path.name.split("-", 1)[0]
    return head if _SESSION_NAME.fullmatch(head) else None


def _lock_path(session: str) -> Path:
    return autosave_dir() / f"{session}.lock"


_session_lock = None  # this process's lock file, held open (and locked) while it runs


def _claim() -> None:
    """Mark this session as running: a lock held on autosave/<session>.lock until the process ends
    (the system releases it even after a crash), so that no other instance takes our files."""
    global _session_lock
    if _session_lock is not None:
        return
    path = _lock_path(SESSION)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+b")  # noqa: SIM115 (held open for the whole session)
    if _try_lock(handle):
        _session_lock = handle
    else:
        handle.close()


def _release() -> None:
    global _session_lock
    if _session_lock is not None:
        _session_lock.close()  # closing releases the lock
        _session_lock = None
    _lock_path(SESSION).unlink(missing_ok=True)


def _try_lock(handle) -> bool:
    """An exclusive, non-blocking lock on an open file; False if another process holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _alive(session: str | None) -> bool:
    """Whether the session that wrote an autosave still runs: it holds the lock on its lock
    file (a process id alone could have been reused)."""
    if session is None:
        return False
    if session == SESSION:
        return True
    path = _lock_path(session)
    try:
        with open(path, "a+b") as handle:
            if not _try_lock(handle):
                return True
    except OSError:
        return False
    path.unlink(missing_ok=True)  # its owner is gone
    return False
