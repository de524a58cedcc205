"""How glibc's malloc keeps what a process frees: kept for the trainer, returned elsewhere.

Torch-free, so that the t-SNE child can call it without importing PyTorch. Nothing happens
where the C library is not glibc.
"""

from __future__ import annotations

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
_set: dict[int, int] = {}  # parameter → the value this process set


def _mallopt(*settings: tuple[int, int]) -> None:
    """glibc's mallopt for each (parameter, value) not already in force from an earlier call;
    nothing where the C library is not glibc.

    The C library is the one this process already runs (``CDLL(None)``): ``find_library``
    would start ``ldconfig`` (or a compiler) in a subprocess at every call, and the app's
    windows called this at every build.
    """
    settings = tuple((p, v) for p, v in settings if _set.get(p) != v)
    if not settings:
        return
    try:
        import ctypes

        mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
        if mallopt is None:  # not glibc: nothing to tune
            return
        for parameter, value in settings:
            mallopt(parameter, value)
            _set[parameter] = value
    except (OSError, AttributeError, TypeError):  # no C library to open by that name (Windows)
        pass


def keep_freed_memory() -> None:
    """Let glibc reuse freed blocks for the activations of each step instead of mapping fresh,
    zero-filled pages every time, for the trainer (Linux with glibc only; a call that changes
    nothing does nothing).

    glibc serves blocks above its mmap threshold (128 kB at start) with mmap and returns them at
    free. It raises the threshold by itself after freeing a big block, which reading the gzipped
    dataset happens to do, but not after one above 32 MB, such as a dataset received through a
    pipe. Measured here: a VAE epoch took 6.5–7.2 s instead of 5.4 s without this.
    """
    _mallopt((_M_MMAP_THRESHOLD, 64 << 20), (_M_TRIM_THRESHOLD, 128 << 20))


def return_freed_memory(arenas: int = 2) -> None:
    """The opposite of ``keep_freed_memory``, for the processes that do not train: the GUI and the
    t-SNE child (Linux with glibc only; call it before starting threads).

    - At most ``arenas`` malloc arenas. glibc gives each thread that allocates its own, up to 8
      per core, and keeps what was freed in each: in the app, worker threads that encode test
      images left 100–160 MB resident (with both bundled models and a 10,000-point map: 973 →
      872 MB). The GUI's threads allocate rarely, so sharing two arenas costs them nothing seen.
    - Blocks of 1 MiB and more (a batch's activations while encoding) mapped fresh and returned
      at free. glibc's own threshold climbs after the first big free, and from then on such
      blocks came from the heap and stayed: the app's heap at the peak of bench_memory.py went
      from 271 to 146 MB, the sum of the app and its children (PSS) from 1,527 to 1,401 MB.
    """
    _mallopt((_M_ARENA_MAX, arenas), (_M_MMAP_THRESHOLD, 1 << 20))
