"""Reliability: one test (or a few) per kind of defect, each failing if its protection is removed.

Kinds: bounded reads (core.safe_io), values checked on the way in (core.limits), work never lost
silently (CLI fallback save; autosave's notice is in test_autosave), honest messages about data,
exclusive temporary files. Autosave identity is in test_autosave.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMessageBox

from core import limits
from core.checkpoint import load_checkpoint, save_checkpoint
from core.cli import main as train_main
from core.models import ModelConfig
from core.safe_io import UnsafeFileError, atomic_write, read_regular
from core.training import TrainConfig, new_model
from explorer.platform import desktop, settings
from explorer.state.scene import SceneError, get_vector, load_scene

SCENE_HEAD = '{"format": "latent-explorer-scene", "version": 1'

# --- 1. bounded reads ---------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_safe_io_refuses_pipes_devices_folders_and_oversized_files(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # a plain open() for reading waits for a writer for ever
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")  # the link is a name; the opened file is a device
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    reasons = {}
    for path in (fifo, zero, tmp_path, big):
        with pytest.raises(UnsafeFileError) as info:
            read_regular(path, 100)
        reasons[path.name] = info.value.reason
    assert reasons == {"fifo": "special", "zero": "special", tmp_path.name: "folder", "big": "too_large"}
    assert read_regular(big, 101) == b"x" * 101


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "too-large"])
def test_scenes_that_are_not_small_regular_files_are_refused(tmp_path, kind):
    path = tmp_path / "s.scene.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.write_text(SCENE_HEAD + ', "pad": "' + " " * limits.SCENE_BYTES + '"}')
    message = "too large" if kind == "too-large" else "not a regular file"
    with pytest.raises(SceneError, match=message):
        load_scene(path)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_pipe_or_device_as_settings_ini_does_not_hang_the_start(qtbot, tmp_path, kind):
    ini = Path(os.environ["LATENT_EXPLORER_HOME"]) / "settings.ini"
    if kind == "fifo":
        os.mkfifo(ini)  # QSettings opened it at once and waited for a writer for ever
    else:
        ini.symlink_to("/dev/zero")
    s = settings.app_settings()
    s.setValue("files/last_folder", str(tmp_path))
    s.sync()
    assert s.status() == QSettings.Status.NoError
    assert ini.is_file() and not ini.is_symlink()
    assert os.path.lexists(ini.with_name("settings.ini.damaged"))  # kept for the user to look at


def _memory_limited(code: str, headroom: int = 2**30) -> subprocess.CompletedProcess:
    """Run code in a child whose address space may grow by at most headroom beyond what its
    imports already mapped (torch alone maps more than 1 GB of address space)."""
    prologue = textwrap.dedent(
        """
        import resource
        import core.checkpoint, core.data, torch  # imported before the limit is set
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (mapped + HEADROOM, resource.RLIM_INFINITY))
        """
    ).replace("HEADROOM", str(headroom))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(
        [sys.executable, "-c", prologue + textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_an_oversized_checkpoint_is_refused_within_1_gb_of_memory(tmp_path):
    """A valid checkpoint padded (sparsely) to 3 GB: read whole, it peaked at 6.8 GB."""
    path = save_checkpoint(tmp_path / "m.safetensors", new_model(ModelConfig("ae", 2)))
    with path.open("r+b") as f:
        f.truncate(3 * 2**30)
    result = _memory_limited(
        f"""
        from core.checkpoint import CheckpointError, load_checkpoint
        try:
            load_checkpoint({str(path)!r})
        except CheckpointError as exc:
            print("refused:", exc)
        try:
            bytearray(2 * 2**30)
        except MemoryError:
            print("the limit holds")
        """
    )
    assert result.returncode == 0, result.stderr
    assert "refused: m.safetensors is too large" in result.stdout
    assert "the limit holds" in result.stdout  # the test would notice a limit that does not bite


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_padding_under_the_cap_is_refused_within_1_gb_of_memory(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", new_model(ModelConfig("ae", 2)))
    with path.open("r+b") as f:
        f.truncate(limits.CHECKPOINT_BYTES)  # as large as allowed, but the header announces 3 MB
    result = _memory_limited(
        f"""
        from core.checkpoint import CheckpointError, load_checkpoint
        try:
            load_checkpoint({str(path)!r})
        except CheckpointError as exc:
            print("refused:", exc)
        """,
        headroom=256 * 2**20,  # half the file: reading it would fail with MemoryError
    )
    assert result.returncode == 0, result.stderr
    assert "bytes follow the weights its header announces" in result.stdout


# --- 2. values checked on the way in --------------------------------------------------------------


def test_limits_are_the_widgets_ranges(qtbot, tiny_data_dir):
    from explorer.app import build_window

    w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(w)
    panel = w.training_panel
    try:
        for spin, bounds in (
            (panel.epochs_spin, limits.EPOCHS),
            (panel.batch_spin, limits.BATCH_SIZE),
            (panel.seed_spin, limits.SEED),
            (panel.latent_spin, limits.LATENT_DIM),
        ):
            assert (spin.minimum(), spin.maximum()) == bounds, spin.objectName()
        assert (panel.beta_spin.minimum(), panel.beta_spin.maximum()) == limits.BETA
    finally:
        w.shutdown()


@pytest.mark.parametrize(
    "key, value",
    [
        ("training/latent_dim", "99999999999"),  # QSpinBox.setValue overflowed: the app would not start
        ("training/latent_dim", "-3"),
        ("training/config", json.dumps({**TrainConfig().to_dict(), "seed": 2**40})),
        ("training/config", "[[[[[[["),
        ("training/kind", "gan"),
        ("window/geometry", "garbage"),
        ("files/recent", ["x" * 10_000]),
        ("view/presentation", "perhaps"),
        ("ui/language", "tlh"),
    ],
)
def test_absurd_settings_are_dropped_and_the_app_starts(qtbot, tiny_data_dir, key, value):
    from explorer.app import build_window

    raw = QSettings(str(Path(os.environ["LATENT_EXPLORER_HOME"]) / "settings.ini"), QSettings.Format.IniFormat)
    raw.setValue(key, value)
    raw.setValue("files/last_folder", "/kept")
    raw.sync()
    del raw
    w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(w)
    try:
        s = settings.app_settings()
        assert s.value(key) != value  # dropped (or written anew by the window, e.g. presentation)
        assert not s.contains(key) or settings._valid(settings.VALIDATORS[key], s.value(key))
        assert s.value("files/last_folder") == "/kept"  # the sound values stay
    finally:
        w.shutdown()


def test_a_garbage_settings_file_is_moved_aside_and_the_app_starts(qtbot, tiny_data_dir):
    from explorer.app import build_window

    ini = Path(os.environ["LATENT_EXPLORER_HOME"]) / "settings.ini"
    ini.write_bytes(bytes(range(256)) * 20)  # not text: Qt read junk keys and refused every write
    w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(w)
    try:
        s = settings.app_settings()
        s.setValue("window/geometry", QByteArray(b"x"))
        s.sync()
        assert s.status() == QSettings.Status.NoError
        assert ini.with_name("settings.ini.damaged").read_bytes() == bytes(range(256)) * 20
    finally:
        w.shutdown()


@pytest.mark.parametrize(
    "code",
    [[1e300, 0.0], [float("nan"), 0.0], [10**400, 0], [limits.LATENT_CODE * 2, 0.0], [True, 0.0]],
)
def test_scene_codes_outside_the_latent_range_are_ignored(code):
    assert get_vector({"code": code}, "code", 2) is None
    assert get_vector({"code": [1.5, -2]}, "code", 2) == [1.5, -2.0]


def test_deeply_nested_scenes_are_refused_before_parsing(tmp_path):
    path = tmp_path / "s.scene.json"
    path.write_text(SCENE_HEAD + ', "latent": {"code": ' + "[" * 200_000 + "]" * 200_000 + "}}")
    with pytest.raises(SceneError, match="not a scene file .*nested deeper than 32"):
        load_scene(path)
    path.write_text(SCENE_HEAD + ', "label": "' + "[" * 1000 + '"}')  # brackets in a string are text
    assert load_scene(path)["label"] == "[" * 1000


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--seed", str(2**31)], "--seed must be 0 to 2147483647, not 2147483648"),
        (["--limit", str(10**400)], "--limit must be 1 to 10000000 images, not 10000000000000000000…"),
        (["--epochs", "10001"], "--epochs must be 1 to 10000"),
        (["--batch-size", "0"], "--batch-size must be 1 to 65536"),
        (["--beta", "1e9"], "--beta must be in [0, 1000]"),
        (["--lr", "nan"], "--lr must be in [0, 10]"),
    ],
)
def test_cli_arguments_get_the_widgets_ranges(tmp_path, capsys, argv, message):
    code = train_main(["--model", "ae", "--out", str(tmp_path / "m.safetensors"), *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_the_beta_ladder_checks_the_same_ranges(tmp_path, capsys):
    code = train_main(["--model", "vae", "--beta-ladder", "0.5,1", "--seed", str(2**31), "--out", str(tmp_path / "l")])
    err = capsys.readouterr().err
    assert code == 2 and "--seed must be 0 to 2147483647" in err, err


def test_a_checkpoint_whose_settings_were_dropped_opens_with_a_warning(make_window, tmp_path):
    model = new_model(ModelConfig("ae", 2))
    path = save_checkpoint(tmp_path / "m.safetensors", model, TrainConfig(seed=2**40))  # as old CLIs did
    w = make_window("--checkpoint", str(path))
    [entry] = w.session.entries
    assert entry.train_config is None
    box = w.findChild(QMessageBox, "errorDialog")
    assert box is not None and "training settings were ignored" in box.text()


# --- 4. work is never lost silently ------------------------------------------------------------------


def test_the_cli_saves_next_to_out_when_out_cannot_be_written_after_training(
    tmp_path, tiny_data_dir, capsys, monkeypatch
):
    from core import cli

    out = tmp_path / "m.safetensors"
    real = cli.save_checkpoint

    def refuse_out(path, *args, **kwargs):
        if Path(path) == out:
            from core.checkpoint import CheckpointError

            raise CheckpointError(f"Cannot save {out}: No space left on device.")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(cli, "save_checkpoint", refuse_out)
    argv = ["--model", "ae", "--epochs", "1", "--limit", "64", "--batch-size", "64", "--device", "cpu"]
    code = train_main([*argv, "--no-download", "--data-dir", str(tiny_data_dir), "--out", str(out)])
    err = capsys.readouterr().err
    [saved] = [p for p in tmp_path.iterdir() if p.name.startswith("m-")]
    assert code == 1 and f"The model was saved to {saved} instead." in err
    assert len(load_checkpoint(saved).history) == 1


def test_the_cli_falls_back_to_the_apps_folder(tmp_path, tiny_data_dir, capsys, monkeypatch):
    from core import cli

    out = tmp_path / "m.safetensors"
    real = cli.save_checkpoint

    def refuse_folder(path, *args, **kwargs):
        if Path(path).parent == tmp_path:
            from core.checkpoint import CheckpointError

            raise CheckpointError(f"Cannot save {path}: Permission denied.")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(cli, "save_checkpoint", refuse_folder)
    argv = ["--model", "ae", "--epochs", "1", "--limit", "64", "--batch-size", "64", "--device", "cpu"]
    code = train_main([*argv, "--no-download", "--data-dir", str(tiny_data_dir), "--out", str(out)])
    err = capsys.readouterr().err
    [saved] = (Path(os.environ["LATENT_EXPLORER_HOME"]) / "unsaved").iterdir()
    assert code == 1 and f"saved to {saved} instead" in err
    assert load_checkpoint(saved).model.latent_dim == 10


def test_the_cli_checks_out_is_writable_before_training(tmp_path, tiny_data_dir, capsys, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    code = train_main(["--model", "ae", "--data-dir", str(tiny_data_dir), "--out", str(tmp_path / "m.safetensors")])
    assert code == 2 and "cannot write in" in capsys.readouterr().err


# --- 5. honest messages ---------------------------------------------------------------------------


def test_damaged_data_says_so_and_really_falls_back_to_the_sample(qtbot, tiny_data_dir):
    from explorer.app import build_window

    (tiny_data_dir / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b damaged")
    w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(w)
    try:
        qtbot.waitUntil(lambda: w.session.dataset is not None, timeout=20_000)
        assert w.session.dataset.sample  # the sample is loaded for real, as the dialog says
        assert "damaged" in w.dataset_label.text()
        assert "t10k-labels-idx1-ubyte.gz" in w.session.dataset_error
    finally:
        w.shutdown()


def test_out_of_memory_while_reading_data_does_not_blame_the_batch_size(tmp_path, capsys, monkeypatch):
    from core import cli

    def oom(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(cli, "load_dataset", oom)
    code = train_main(["--model", "ae", "--out", str(tmp_path / "m.safetensors")])
    err = capsys.readouterr().err
    assert code == 1 and "while reading the dataset" in err and "--batch-size" not in err


# --- 6. exclusive temporary files -----------------------------------------------------------------


def test_install_desktop_never_writes_through_a_planted_link(tmp_path, monkeypatch, capsys):
    home = tmp_path / "share"
    victim = tmp_path / "victim"
    victim.write_text("precious")
    entry = home / "applications" / f"{desktop.APP_ID}.desktop"
    entry.parent.mkdir(parents=True)
    entry.with_name(entry.name + ".tmp").symlink_to(victim)  # the old fixed temporary name
    assert desktop.install(home, ["/usr/bin/latent-explorer"]) == 0
    assert victim.read_text() == "precious"
    assert "Exec=/usr/bin/latent-explorer %f" in entry.read_text()


def test_atomic_write_creates_its_temporary_file_exclusively(tmp_path, monkeypatch):
    flags = []
    real = os.open
    monkeypatch.setattr(os, "open", lambda path, f, *a: flags.append(f) or real(path, f, *a))
    atomic_write(tmp_path / "x", b"data")
    monkeypatch.undo()
    assert flags[0] & os.O_EXCL and flags[0] & os.O_CREAT
    assert (tmp_path / "x").read_bytes() == b"data" and [p.name for p in tmp_path.iterdir()] == ["x"]
