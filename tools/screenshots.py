"""Screenshots of every panel with models trained for real, as the README shows them.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py OUTDIR [--epochs 3]

Trains a VAE on the Fashion-MNIST found on this machine with the lab's settings and saves
OUTDIR/training-before.png, training-during.png and training-after.png at 1920×1080; then
trains an AE the same way and saves latent-explorer.png, generation.png,
reconstruction.png, ae-vs-vae.png and replay.png (the VAE's map after its first epoch).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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

    window = build_window(["--no-bundled-models"])
    window.ask = lambda *a: 1
    window.resize(1920, 1080)
    window.show()
    deadline = time.time() + 30
    while window.session.dataset is None and time.time() < deadline:
        wait(50)
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

    # An AE too, for the panels that compare.
    panel.target_combo.setCurrentIndex(0)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("ae"))
    panel.latent_spin.setValue(10)
    panel.start_training()
    loop = QEventLoop()
    panel.trainingEnded.connect(loop.quit)
    loop.exec()
    shots = [
        (window.latent_panel, "latent-explorer", lambda: window.latent_panel.tsne is not None),
        (window.generation_panel, "generation", lambda: True),
        (window.reconstruction_panel, "reconstruction", lambda: True),
        (
            window.compare_panel,
            "ae-vs-vae",
            lambda: all(
                window.compare_panel.projection(k) is not None
                and window.compare_panel.projection(k).method == "tsne"
                for k in ("ae", "vae")
            ),
        ),
    ]
    for widget, name, ready in shots:
        window.tabs.setCurrentWidget(widget)
        deadline = time.time() + 120
        while not ready() and time.time() < deadline:
            wait(200)
        if widget is window.latent_panel:
            widget.select_point(5)
        wait(500)
        window.grab().save(str(args.outdir / f"{name}.png"))
        print(args.outdir / f"{name}.png")
    # The training replay of the VAE, after its first epoch.
    latent = window.latent_panel
    window.tabs.setCurrentWidget(latent)
    latent.picker.select(window.session.latest("vae").id)
    wait(1000)
    latent.replay_slider.setValue(1)
    wait(500)
    window.grab().save(str(args.outdir / "replay.png"))
    print(args.outdir / "replay.png")
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
