"""Screenshots of the training panel before, during and after a real training run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py OUTDIR [--epochs 3] [--kind vae]

Trains on the Fashion-MNIST found on this machine with the lab's settings and saves
OUTDIR/training-before.png, training-during.png and training-after.png at 1920×1080.
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
    parser.add_argument("--kind", choices=["ae", "vae"], default="vae")
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication([sys.argv[0]])  # kept alive while we run
    from core.training import TrainConfig
    from explorer.app import build_window

    window = build_window([])
    window.ask = lambda *a: 1
    window.resize(1920, 1080)
    window.show()
    deadline = time.time() + 30
    while window.session.dataset is None and time.time() < deadline:
        wait(50)
    panel = window.training_panel
    panel.target_combo.setCurrentIndex(0)
    panel.set_config(TrainConfig(epochs=args.epochs))
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(args.kind))
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
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
