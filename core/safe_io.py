"""Bounded reads and exclusive writes: the one way the app touches a file it did not make.

Reading: the file is opened without blocking (a FIFO would wait for a writer for ever), the
*opened* file is checked to be a regular file (a symlink to ``/dev/zero`` or a device never is),
its size is checked against a cap before anything is read, and then exactly the announced
bytes are read, so a file that grows meanwhile cannot make a read longer. Writing: a temporary
file created exclusively (``O_EXCL``: never through a planted file or link) beside the target,
synced, then renamed over it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class UnsafeFileError(OSError):
    """A file that must not be read. ``reason``: "folder", "special" (a pipe, a device, a
    socket) or "too_large" (then ``size`` and ``limit`` say by how much)."""

    def __init__(self, path: object, reason: str, size: int = 0, limit: int = 0) -> None:
        texts = {
            "folder": f"{path} is a folder, not a file",
            "special": f"{path} is not a regular file (a pipe or a device)",
            "too_large": f"{path} is too large ({size:,} bytes; at most {limit:,})",
        }
        super().__init__(texts[reason])
        self.path, self.reason, self.size, self.limit = path, reason, size, limit


@contextlib.contextmanager
def open_regular(path: str | os.PathLike, max_bytes: int) -> Iterator[tuple[BinaryIO, int]]:
    """Open a regular file of at most max_bytes for reading: yields (file, size).

    Raises FileNotFoundError, UnsafeFileError (a folder, a pipe, a device, too large) or
    another OSError. ``size`` is the size when opened: read no more than that.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnsafeFileError(path, "folder")
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(path, "special")
        if info.st_size > max_bytes:
            raise UnsafeFileError(path, "too_large", info.st_size, max_bytes)
        if hasattr(os, "O_NONBLOCK"):  # reads of a regular file never block; plain reads from now on
            os.set_blocking(fd, True)
        file = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with file:
        yield file, info.st_size


def read_exactly(file: BinaryIO, n: int) -> bytes:
    """n bytes, or EOFError when the file holds fewer (it shrank, or its header lied)."""
    data = file.read(n)
    if len(data) != n:
        raise EOFError(f"expected {n} bytes, found {len(data)}")
    return data


def read_regular(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The whole content of a regular file of at most max_bytes (see open_regular)."""
    with open_regular(path, max_bytes) as (file, size):
        data = file.read(size)
    return data


def check_regular(path: str | os.PathLike, max_bytes: int) -> None:
    """Raise (as open_regular) unless path is absent or a regular file of at most max_bytes."""
    try:
        with open_regular(path, max_bytes):
            pass
    except FileNotFoundError:
        pass


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write data to path through an exclusive temporary file beside it, synced, then renamed.

    A replaced file keeps its permissions; a new one gets the umask's (0o666 & ~umask, as any new
    file, where tempfile's would be private). Raises OSError; the target is untouched then.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in folder durable (POSIX). Best effort: the file is written already, and
    some file systems refuse to sync a folder."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
