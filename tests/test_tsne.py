"""Streaming t-SNE (openTSNE), its child process, and what a finished map does."""

import os
import time

import numpy as np
import psutil
import pytest

from core.tsne import (
    TsneMap,
    TsneSettings,
    cache_key,
    export_map_csv,
    load_cached_map,
    pca_layout,
    run_tsne,
    save_cached_map,
    weights_hash,
)
from core.tsne_stream import LAB_METHOD, TsneRun, end_spare

QUICK = TsneSettings(early_iterations=60, iterations=90, warm_iterations=40)


@pytest.fixture(scope="module")
def blobs():
    """Three well-separated clusters of 8-D codes (120 points), with their labels."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 8)) * 6
    labels = np.repeat(np.arange(3), 40)
    codes = (centres[labels] + rng.normal(size=(120, 8))).astype(np.float32)
    return codes, labels


def wait_for(run: TsneRun) -> list:
    """Every frame read while the run lasts (polled, as the GUI's timer does)."""
    frames = []
    while run.poll() == "running":
        frame = run.latest()
        if frame is not None:
            frames.append(frame)
        else:
            time.sleep(0.01)
    return frames


def test_frames_stream_from_the_pca_start_to_the_final_map(blobs):
    codes, labels = blobs
    frames = []
    coords = run_tsne(codes, QUICK, on_frame=frames.append, every=10)
    iterations = [f.iteration for f in frames]
    # A first frame after 2 iterations (the map moves at once), then every 10, then the final map.
    assert iterations == [2] + list(range(10, 151, 10)) + [150]
    assert frames[-1].final and np.array_equal(frames[-1].coords, coords)
    assert coords.dtype == np.float32 and coords.shape == (120, 2)
    # The first frame is still (a scaled) PCA map: same orientation, tiny spread.
    pca = pca_layout(codes)
    first = frames[0].coords
    assert np.corrcoef(first[:, 0], pca[:, 0])[0, 1] > 0.9
    assert np.std(first) < 0.1 * np.std(coords)
    # The final map keeps the clusters apart: each point's nearest map neighbour is of its class.
    d = np.linalg.norm(coords[:, None] - coords[None], axis=2)
    np.fill_diagonal(d, np.inf)
    assert (labels[d.argmin(1)] == labels).mean() > 0.95


def test_same_seed_same_map_another_seed_another(blobs):
    codes, _ = blobs
    a = run_tsne(codes, QUICK)
    assert np.array_equal(a, run_tsne(codes, QUICK))
    other = run_tsne(codes, TsneSettings(**{**QUICK.to_dict(), "seed": 7}))
    assert not np.array_equal(a, other)


def test_stop_ends_the_run_and_pause_holds_it(blobs):
    codes, _ = blobs
    frames = []
    assert run_tsne(codes, QUICK, on_frame=frames.append, stopped=lambda: len(frames) >= 3) is None
    assert len(frames) == 3
    asked = []
    held = run_tsne(codes, QUICK, paused=lambda: asked.append(1) or len(asked) < 5)
    assert len(asked) >= 5  # it kept asking while paused, then went on
    assert np.array_equal(held, run_tsne(codes, QUICK))  # pausing changes nothing


def test_warm_start_continues_from_the_previous_layout(blobs):
    codes, _ = blobs
    previous = run_tsne(codes, QUICK)
    frames = []
    moved = run_tsne(codes + 0.05, QUICK, init=previous, on_frame=frames.append)
    assert frames[-1].total == QUICK.warm_iterations
    # Points glide: the new layout stays close to the old one (relative to the map's size).
    assert np.median(np.linalg.norm(moved - previous, axis=1)) < 0.1 * np.ptp(previous)
    with pytest.raises(ValueError):
        run_tsne(codes, QUICK, init=previous[:10])


def test_settings_round_trip_and_are_checked():
    settings = TsneSettings(seed=3, perplexity=12.5)
    assert TsneSettings.from_dict(settings.to_dict()) == settings
    for bad in ({"seed": -1}, {"perplexity": 0.5}, {"iterations": "many"}, {"colour": 1}):
        with pytest.raises(ValueError):
            TsneSettings.from_dict({**settings.to_dict(), **bad})


def test_transform_places_a_code_next_to_its_own_point(blobs):
    codes, labels = blobs
    tsne_map = TsneMap(codes, run_tsne(codes, QUICK))
    before = tsne_map.coords.copy()
    placed = tsne_map.transform(codes[[0, 50, 100]])
    assert placed.shape == (3, 2)
    assert np.array_equal(tsne_map.coords, before)  # the map itself is unchanged
    for point, row in zip(placed, [0, 50, 100]):
        distances = np.linalg.norm(tsne_map.coords - point, axis=1)
        nearest = np.argsort(distances)[:10]
        assert (labels[nearest] == labels[row]).all()
        assert distances[row] < 0.1 * np.ptp(tsne_map.coords)


def test_transform_of_a_test_image_lands_near_its_own_map_point(tiny_data):
    from core.latent import encode_split
    from core.models import ModelConfig
    from core.training import new_model

    codes = encode_split(new_model(ModelConfig("vae", 6)), tiny_data.test).numpy()
    tsne_map = TsneMap(codes, run_tsne(codes, QUICK))
    placed = tsne_map.transform(codes[7])[0]
    distances = np.linalg.norm(tsne_map.coords - placed, axis=1)
    assert distances[7] <= np.sort(distances)[5]  # among its own point's nearest few


def test_blended_decode_at_a_real_point_is_that_points_decode(tiny_data):
    from core.latent import decode, encode_split
    from core.models import ModelConfig
    from core.training import new_model

    model = new_model(ModelConfig("ae", 6))
    codes = encode_split(model, tiny_data.test).numpy()
    tsne_map = TsneMap(codes, run_tsne(codes, QUICK))
    blended = tsne_map.blend(tsne_map.coords[11])
    assert blended.nearest == 11 and blended.distance == 0 and blended.relative_distance == 0
    assert np.array_equal(decode(model, blended.code), decode(model, codes[11]))


def test_blend_between_points_and_far_away():
    codes = np.array([[0.0, 0.0], [2.0, 4.0], [10.0, 10.0]], dtype=np.float32)
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [50.0, 50.0]], dtype=np.float32)
    tsne_map = TsneMap(codes, coords)
    middle = tsne_map.blend([0.5, 0.0], k=2)
    assert np.allclose(middle.code, [1.0, 2.0])  # equidistant: the plain mean
    assert middle.distance == pytest.approx(0.5)
    near, far = tsne_map.blend([0.1, 0.0], k=2), tsne_map.blend([25.0, 25.0], k=2)
    assert near.relative_distance < 1 < far.relative_distance


def test_cache_round_trip_and_keys(tmp_path):
    from core.models import ModelConfig
    from core.training import new_model

    coords = np.random.default_rng(0).normal(size=(30, 2)).astype(np.float32)
    weights = weights_hash(new_model(ModelConfig("vae", 4), seed=0))
    assert weights == weights_hash(new_model(ModelConfig("vae", 4), seed=0))
    assert weights != weights_hash(new_model(ModelConfig("vae", 4), seed=1))
    key = cache_key(weights, np.arange(30), "opentsne", TsneSettings())
    assert load_cached_map(tmp_path, key, 30) is None
    path = save_cached_map(tmp_path, key, coords)
    assert np.array_equal(load_cached_map(tmp_path, key, 30), coords)
    assert load_cached_map(tmp_path, key, 31) is None  # another size: not this map
    assert np.load(path, allow_pickle=False).dtype == np.float32  # a plain array, no pickle
    keys = {
        key,
        cache_key(weights, np.arange(1, 31), "opentsne", TsneSettings()),
        cache_key(weights, np.arange(30), "sklearn", TsneSettings()),
        cache_key(weights, np.arange(30), "opentsne", TsneSettings(perplexity=20)),
        cache_key(weights[::-1], np.arange(30), "opentsne", TsneSettings()),
    }
    assert len(keys) == 5
    path.write_bytes(path.read_bytes()[:40])  # truncated: ignored, recomputed
    assert load_cached_map(tmp_path, key, 30) is None
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)  # a pickle: refused
    assert load_cached_map(tmp_path, key, 30) is None
    with pytest.raises(ValueError):
        load_cached_map(tmp_path, "../../etc/passwd", 30)


def test_csv_export(tmp_path):
    path = tmp_path / "map.csv"
    coords = np.array([[1.5, -2.0], [0.25, 3.0]], dtype=np.float32)
    export_map_csv(path, coords, np.array([9, 0]), np.array([42, 7]), ["T-shirt/top"] + ["x"] * 8 + ["Ankle boot"])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ["x,y,label,class,test_index", "1.5,-2,9,Ankle boot,42", "0.25,3,0,T-shirt/top,7"]


# --- the child process ----------------------------------------------------------------------


def test_child_streams_frames_and_matches_the_run_in_this_process(blobs):
    codes, _ = blobs
    with TsneRun(codes, QUICK, every=10, niceness=0) as run:
        frames = wait_for(run)
        assert run.state == "done", run.error
        iterations = [f.iteration for f in frames]
        assert iterations == sorted(iterations) and len(frames) >= 2
        assert np.array_equal(run.result, run_tsne(codes, QUICK))  # same seed, same map
        assert run.latest() is None  # nothing new after the end
        pid = run.pid
    # A child whose map is done waits for the next map (no new process per epoch while a
    # model trains), and ends with end_spare().
    with TsneRun(codes, QUICK, every=10, niceness=0) as again:
        assert again.pid == pid
        wait_for(again)
        assert again.state == "done", again.error
    end_spare()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_cancel_mid_run_leaves_no_child():
    codes = np.random.default_rng(0).normal(size=(3000, 10)).astype(np.float32)
    run = TsneRun(codes, TsneSettings(), niceness=0)
    while run.latest() is None:  # it is optimising
        assert run.poll() == "running"
        time.sleep(0.01)
    pid = run.pid
    run.cancel()
    assert run.state == "cancelled"
    assert not psutil.pid_exists(pid)
    assert pid not in [p.pid for p in psutil.Process().children(recursive=True)]


def _runs_below_us(pid: int) -> bool:
    """Linux: SCHED_IDLE (the core only when nothing else wants it); elsewhere a higher nice."""
    if hasattr(os, "SCHED_IDLE"):
        return os.sched_getscheduler(pid) == os.SCHED_IDLE
    return psutil.Process(pid).nice() > psutil.Process().nice()


def test_child_runs_at_a_lower_priority_from_its_first_line(blobs):
    """Only the priority is checked here: a child that gets a core only when nothing else wants
    one cannot be waited for on a busy machine. It lowers itself before it imports openTSNE."""
    codes, _ = blobs
    with TsneRun(codes, QUICK, every=1, niceness=10) as run:  # the app's niceness
        while not _runs_below_us(run.pid):  # its start-up, at our priority, ends with this
            time.sleep(0.01)
        assert run.poll() == "running"


def test_child_pauses_and_resumes(blobs):
    codes, _ = blobs
    with TsneRun(codes, QUICK, every=1, niceness=0) as run:
        while run.latest() is None:
            time.sleep(0.01)
        run.pause()
        assert run.paused
        run.resume()
        wait_for(run)
        assert run.state == "done" and np.array_equal(run.result, run_tsne(codes, QUICK))


def test_child_warm_start_and_lab_method(blobs):
    codes, _ = blobs
    previous = run_tsne(codes, QUICK)
    with TsneRun(codes, QUICK, init=previous, niceness=0) as run:
        wait_for(run)
        assert run.state == "done" and run.total == QUICK.warm_iterations
        assert np.array_equal(run.result, run_tsne(codes, QUICK, init=previous))
    from sklearn.manifold import TSNE

    with TsneRun(codes, QUICK, method=LAB_METHOD, niceness=0) as run:
        wait_for(run)
        assert run.state == "done"
        lab = TSNE(n_components=2, random_state=QUICK.seed).fit_transform(codes)
        assert np.allclose(run.result, lab, atol=1e-3)


def test_child_failure_is_reported(blobs):
    with TsneRun(blobs[0][:3], QUICK, niceness=0) as run:  # too few points
        wait_for(run)
        assert run.state == "failed" and "at least 4 points" in run.error
