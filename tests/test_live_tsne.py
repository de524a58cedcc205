"""The GUI side of streaming t-SNE: frames reach the GUI thread, stale runs are dropped, the
cache answers at once, nothing outlives the service."""

import numpy as np
import psutil
import pytest

from core.tsne import TsneSettings, cache_key, load_cached_map, run_tsne
from explorer.state.live_tsne import LiveTsne, maps_cache_dir

QUICK = TsneSettings(early_iterations=40, iterations=60)


@pytest.fixture
def live(qtbot):
    service = LiveTsne()
    yield service
    service.shutdown()


@pytest.fixture(scope="module")
def codes():
    rng = np.random.default_rng(3)
    labels = np.repeat(np.arange(3), 30)
    return (rng.normal(size=(3, 6))[labels] * 5 + rng.normal(size=(90, 6))).astype(np.float32)


class Recorder:
    def __init__(self, service: LiveTsne) -> None:
        self.frames, self.done = [], {}
        service.frame.connect(lambda key, frame: self.frames.append((key, frame.iteration)))
        service.finished.connect(lambda key, coords: self.done.__setitem__(key, coords))


def test_frames_arrive_and_the_map_is_cached(qtbot, live, codes):
    record = Recorder(live)
    key = cache_key("w" * 64, np.arange(len(codes)), "opentsne", QUICK)
    assert live.start("a", codes, QUICK, cache_key=key)
    assert not live.start("a", codes, QUICK)  # one run per key
    qtbot.waitUntil(lambda: "a" in record.done, timeout=60_000)
    iterations = [i for k, i in record.frames if k == "a"]
    assert iterations and iterations == sorted(iterations) and iterations[-1] == QUICK.total_iterations
    assert np.array_equal(record.done["a"], run_tsne(codes, QUICK))
    assert not live.running("a")
    assert np.array_equal(load_cached_map(maps_cache_dir(), key, len(codes)), record.done["a"])
    # Asked again: the cached map comes back from the event loop, no child, no frames.
    record.frames.clear()
    assert live.start("b", codes, QUICK, cache_key=key)
    assert not live.running("b")
    qtbot.waitUntil(lambda: "b" in record.done, timeout=5_000)
    assert np.array_equal(record.done["b"], record.done["a"]) and record.frames == []


def test_a_run_nobody_shows_is_cancelled_and_its_frames_never_arrive(qtbot, live, codes):
    record = Recorder(live)
    live.start("old", codes, TsneSettings())
    live.start("new", codes, QUICK)
    qtbot.waitUntil(lambda: any(k == "old" for k, _ in record.frames), timeout=60_000)
    child = live._runs["old"].pid
    live.keep_only({"new"})  # the user switched model: only the new map is wanted
    assert not live.running("old") and not psutil.pid_exists(child)
    seen = len(record.frames)
    qtbot.waitUntil(lambda: "new" in record.done, timeout=60_000)
    assert all(k == "new" for k, _ in record.frames[seen:])
    assert "old" not in record.done


def test_pause_resume_progress_and_shutdown(qtbot, live, codes):
    record = Recorder(live)
    live.start("a", codes, TsneSettings())
    qtbot.waitUntil(lambda: bool(record.frames), timeout=60_000)
    iteration, total, seconds = live.progress("a")
    assert 0 < iteration <= total == 750 and seconds > 0
    live.pause("a")
    assert live.paused("a")
    live.resume("a")
    assert not live.paused("a")
    child = live._runs["a"].pid
    live.shutdown()
    assert not live.running("a") and not psutil.pid_exists(child)
    assert psutil.Process().children(recursive=True) == [] or child not in [
        p.pid for p in psutil.Process().children(recursive=True)
    ]


def test_progress_text_and_pause_button(qtbot):
    from explorer.views.map_progress import TsneProgress

    progress = TsneProgress("map")
    qtbot.addWidget(progress)
    toggles = []
    progress.pauseToggled.connect(toggles.append)
    progress.show_progress(350, 750, 12.4, paused=False)
    assert progress.label.text() == "t-SNE: iteration 350 / 750 · 12 s"
    assert progress.button.objectName() == "mapTsnePauseButton" and progress.button.text() == "Pause"
    progress.button.click()
    assert toggles == [True] and progress.button.text() == "Resume"
    progress.show_progress(350, 750, 13.0, paused=True)
    assert progress.label.text().endswith("paused") and toggles == [True]  # showing state emits nothing
    progress.show_progress(0, 1, 40.0, paused=False)  # scikit-learn: no iterations, no pause
    assert "scikit-learn" in progress.label.text() and progress.button.isHidden()
    progress.idle()
    assert progress.isHidden()


def test_trust_text_says_how_far_the_estimate_is():
    from core.tsne import BlendedCode
    from explorer.views.map_progress import trust_text

    def text(r):
        return trust_text(BlendedCode(np.zeros(2, np.float32), r, r, 0))

    assert "fair estimate" in text(0.0) and "rough" in text(3.0) and "guess" in text(20.0)
    assert "20.0×" in text(20.0)


def test_a_forming_map_asks_training_children_for_a_core(qtbot, live, codes):
    """While a map optimises, the program's "maps forming" flag is set (training children lend
    it a core); paused, finished or cancelled, the core goes back."""
    from core.training_process import maps_forming

    flag = maps_forming().flag
    record = Recorder(live)
    assert not flag.is_set()
    live.start("a", codes, TsneSettings())
    assert flag.is_set()
    qtbot.waitUntil(lambda: bool(record.frames), timeout=60_000)
    live.pause("a")
    assert not flag.is_set()
    live.resume("a")
    assert flag.is_set()
    other = LiveTsne()  # another holder: the flag stays until both are done
    other.start("b", codes, QUICK)
    live.cancel("a")
    assert flag.is_set()
    qtbot.waitUntil(lambda: not other.running("b"), timeout=60_000)
    assert not flag.is_set()
    other.shutdown()
