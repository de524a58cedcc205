"""Shared fixtures: headless Qt, a private app folder, tiny synthetic Fashion-MNIST-like data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from core.data import DEBIAN_DIR, Dataset, find_data_folder, load_fashion_mnist  # noqa: E402
from tests.helpers import bad_checkpoints, synthetic_split, write_dataset  # noqa: E402


@pytest.fixture(scope="session")
def _precision_measured_once(tmp_path_factory) -> Path:
    """This machine's ``--precision auto`` choice, measured once for the whole session (each
    test has its own app folder, and every training child would measure it again)."""
    from core import precision
    from core.paths import user_cache_dir

    home = tmp_path_factory.mktemp("precision-home")
    before = os.environ.get("LATENT_EXPLORER_HOME")
    os.environ["LATENT_EXPLORER_HOME"] = str(home)
    try:
        precision.choose_cpu_precision()
        return user_cache_dir() / precision.CACHE_FILE
    finally:
        if before is None:
            del os.environ["LATENT_EXPLORER_HOME"]
        else:
            os.environ["LATENT_EXPLORER_HOME"] = before


@pytest.fixture(autouse=True)
def _private_app_home(tmp_path_factory, monkeypatch, _precision_measured_once):
    """Never read or write the real user's app folder; never pick up their data env var.
    The session's precision choice is copied in (test_precision checks the probe itself)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LATENT_EXPLORER_HOME", str(home))
    monkeypatch.delenv("LATENT_EXPLORER_DATA", raising=False)
    if _precision_measured_once.is_file():
        (home / "cache").mkdir(parents=True, exist_ok=True)
        shutil.copy(_precision_measured_once, home / "cache" / _precision_measured_once.name)


@pytest.fixture(autouse=True)
def _tsne_at_the_tests_priority(monkeypatch):
    """t-SNE children run at the test process's priority: at the app's lower one they starve
    on a machine busy with other work (the app's priority has its own test in test_tsne)."""
    from core import tsne_stream

    monkeypatch.setattr(tsne_stream, "NICENESS", 0)


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """Tests read the English texts, even on a French system; a test that installs French (--lang fr)
    leaves English behind for the next one."""
    from explorer.platform import i18n

    monkeypatch.setattr(i18n, "system_language", lambda: "en")
    yield
    if i18n.language() != i18n.SOURCE_LANGUAGE:
        i18n.install(i18n.SOURCE_LANGUAGE)


@pytest.fixture(scope="session")
def tiny_data() -> Dataset:
    return Dataset(synthetic_split(384, 0), synthetic_split(128, 1), "synthetic")


@pytest.fixture
def tiny_data_dir(tmp_path, tiny_data) -> Path:
    return write_dataset(tmp_path / "fmnist", tiny_data, gz=True)


@pytest.fixture(scope="session")
def real_data() -> Dataset:
    """The real Fashion-MNIST when this machine has it (CI installs Debian's package)."""
    if find_data_folder() is None:
        pytest.skip(f"Fashion-MNIST not installed (e.g. {DEBIAN_DIR})")
    return load_fashion_mnist()


@pytest.fixture(scope="session")
def model_files(tmp_path_factory, tiny_data) -> dict[str, Path]:
    """A tiny AE (latent 3) and VAE (latent 4) trained 2 epochs on tiny_data, with a replay."""
    from core.checkpoint import save_checkpoint
    from core.models import ModelConfig
    from core.training import TrainConfig, Trainer, new_model

    folder = tmp_path_factory.mktemp("models")
    paths = {}
    for kind, latent in (("ae", 3), ("vae", 4)):
        model = new_model(ModelConfig(kind, latent))
        trainer = Trainer(
            model, TrainConfig(epochs=2, batch_size=64, device="cpu", replay_points=64), tiny_data
        )
        result = trainer.run()
        paths[kind] = save_checkpoint(
            folder / f"{kind}.safetensors", model, history=result.history, replay=trainer.replay
        )
    return paths


@pytest.fixture(scope="session")
def bad_checkpoint_files(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(folder, {file name: part of its error message}, marker): files every way of opening a
    model must refuse. Unpickling any of them would create the marker file."""
    folder = tmp_path_factory.mktemp("bad-checkpoints")
    marker = folder.parent / f"{folder.name}-UNPICKLED"
    return folder, bad_checkpoints(folder, marker), marker


@pytest.fixture
def make_window(qtbot, tiny_data_dir):
    """Build main windows on tiny_data (answering "quit without saving" at close); each one's
    threads are stopped at teardown."""
    from explorer.app import build_window

    windows = []

    def make(*argv: str):
        w = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models", *argv])
        qtbot.addWidget(w)
        w.ask = lambda title, text, buttons: 1
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.shutdown()


@pytest.fixture
def models_window(make_window, model_files):
    """A window holding model_files' AE and VAE, with the dataset loaded."""
    w = make_window("--checkpoint", str(model_files["ae"]), "--checkpoint", str(model_files["vae"]))
    return w
