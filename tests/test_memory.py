"""glibc malloc settings: applied once per value, without starting a subprocess."""

import subprocess
import sys

import pytest

from core import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_malloc_settings_start_no_subprocess_and_are_set_once(monkeypatch):
    calls = []

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    monkeypatch.setattr(memory, "_set", {})
    real = memory._mallopt

    def spy(*settings):
        calls.append(tuple(p for p, v in settings if memory._set.get(p) != v))
        real(*settings)

    monkeypatch.setattr(memory, "_mallopt", spy)
    memory.return_freed_memory()
    memory.return_freed_memory()  # every window calls it: nothing left to set
    assert memory._set == {memory._M_ARENA_MAX: 2, memory._M_MMAP_THRESHOLD: 1 << 20}
    assert calls == [(memory._M_ARENA_MAX, memory._M_MMAP_THRESHOLD), ()]
    memory.keep_freed_memory()  # a trainer in the same process: its threshold wins
    assert memory._set[memory._M_MMAP_THRESHOLD] == 64 << 20
    memory.return_freed_memory()  # and a window built after it sets the GUI's again
    assert memory._set[memory._M_MMAP_THRESHOLD] == 1 << 20
