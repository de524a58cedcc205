"""Render resources/icon.svg to the 256 px PNG that the desktop entry installs.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/render_icon.py

Run it again after changing the SVG. The PNG is shipped so that ``--install-desktop`` only copies
files (no Qt, no display).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SIZE = 256


def render(svg: Path, png: Path, size: int = SIZE) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icon: error: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png), "PNG"):
        raise SystemExit(f"render_icon: error: cannot write {png}")
    print(f"wrote {png} ({size}×{size})")


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # QPainter needs one
    render(RESOURCES / "icon.svg", RESOURCES / f"icon-{SIZE}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
