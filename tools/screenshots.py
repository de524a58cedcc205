"""Screenshots of every panel with models trained for real, as the README shows them.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py OUTDIR [--epochs 3]

Trains a VAE on the Fashion-MNIST found on this machine with the lab's settings and saves
OUTDIR/training-before.png, training-during.png, training-after.png and replay.png (its map
after the first epoch) at 1920×1080; then, with the bundled models, latent-explorer.png,
generation.png, reconstruction.png, ae-vs-vae.png, understanding.png, drawing.png, the latent explorer and the training panel in
presentation mode at 1920×1080 and 1280×720 (*-presentation-1080p.png, *-presentation-720p.png),
and the latent explorer in French (latent-explorer-fr.png).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A private settings folder: the user's window size, language and presentation mode stay theirs.
os.environ.setdefault("LATENT_EXPLORER_HOME", tempfile.mkdtemp(prefix="latent-explorer-shots-"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication([sys.argv[0]])  # kept alive while we run
    from core.training import TrainConfig
    from explorer.app import build_window

    window = _window(build_window, ["--no-bundled-models"])
    panel = window.training_panel
    panel.target_combo.setCurrentIndex(0)
    panel.set_config(TrainConfig(epochs=args.epochs))
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("vae"))
    panel.latent_spin.setValue(10)
    wait(500)
    window.grab().save(str(args.outdir / "training-before.png"))
    panel.start_training()
    while not panel.table.rowCount():
        wait(100)
    wait(2500)  # well into the second epoch
    window.grab().save(str(args.outdir / "training-during.png"))
    loop = QEventLoop()
    panel.trainingEnded.connect(loop.quit)
    if panel.is_training:
        loop.exec()
    wait(500)
    window.grab().save(str(args.outdir / "training-after.png"))
    for name in ("before", "during", "after"):
        print(args.outdir / f"training-{name}.png")

    # The training replay of the VAE just trained, after its first epoch.
    latent = window.latent_panel
    window.tabs.setCurrentWidget(latent)
    latent.picker.select(window.session.latest("vae").id)
    wait(1000)
    latent.replay_slider.setValue(1)
    wait(500)
    window.grab().save(str(args.outdir / "replay.png"))
    print(args.outdir / "replay.png")
    window.shutdown()
    window.deleteLater()

    # The explorer panels as a class first sees them: the bundled models, nothing to train.
    window = _window(
        build_window,
        [
            "--no-bundled-models",
            "--checkpoint",
            str(BUNDLED / "ae.safetensors"),
            "--checkpoint",
            str(BUNDLED / "vae.safetensors"),
        ],
    )
    _explorer_shots(window, args.outdir, "")
    # Presentation mode, at the two sizes projectors use.
    window.set_presentation(True)
    for size in ((1920, 1080), (1280, 720)):
        window.fullscreen_action.setChecked(False)
        window.resize(*size)
        _explorer_shots(
            window, args.outdir, f"-presentation-{size[1]}p", only=("latent-explorer", "training")
        )
    window.set_presentation(False)
    window.shutdown()
    window.deleteLater()
    # In French.
    window = _window(
        build_window,
        [
            "--lang",
            "fr",
            "--no-bundled-models",
            "--checkpoint",
            str(BUNDLED / "ae.safetensors"),
            "--checkpoint",
            str(BUNDLED / "vae.safetensors"),
        ],
    )
    _explorer_shots(window, args.outdir, "-fr", only=("latent-explorer",))
    window.shutdown()
    return 0


BUNDLED = Path(__file__).resolve().parent.parent / "resources" / "models"


def _window(build_window, argv):
    window = build_window(argv)
    window.ask = lambda *a: 1
    window.resize(1920, 1080)
    window.show()
    deadline = time.time() + 30
    while window.session.dataset is None and time.time() < deadline:
        wait(50)
    return window


def _explorer_shots(window, outdir: Path, suffix: str, only: tuple[str, ...] | None = None) -> None:
    shots = [
        (window.training_panel, "training", lambda: True),
        (window.latent_panel, "latent-explorer", lambda: window.latent_panel.tsne is not None),
        (window.generation_panel, "generation", lambda: True),
        (window.reconstruction_panel, "reconstruction", lambda: True),
        (
            window.compare_panel,
            "ae-vs-vae",
            lambda: all(window.compare_panel.projection(k) is not None for k in ("ae", "vae")),
        ),
        (window.understanding_panel, "understanding", lambda: window.understanding_panel.grid.model is not None),
        (window.draw_panel, "drawing", lambda: window.draw_panel.analysis is not None),
    ]
    for widget, name, ready in shots:
        if (only is None and name == "training") or (only is not None and name not in only):
            continue
        window.tabs.setCurrentWidget(widget)
        if widget is window.draw_panel:  # a trouser from the test set, as a student would start
            data = window.session.dataset
            index = int((data.test.labels == 1).nonzero()[0, 0])
            widget.canvas.set_image(data.test.images[index].numpy().astype("float32") / 255)
        deadline = time.time() + 120
        while not ready() and time.time() < deadline:
            wait(200)
        if widget is window.latent_panel:
            widget.state.select(5)  # a point of the map, as a click selects it
        wait(800)
        path = outdir / f"{name}{suffix}.png"
        window.grab().save(str(path))
        print(path)


if __name__ == "__main__":
    sys.exit(main())
