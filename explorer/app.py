"""``latent-explorer``: build the main window from command-line arguments and run the app."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtWidgets import QApplication, QMainWindow

from core import __version__
from core.paths import user_data_dir
from explorer import i18n

APP_ID = "io.github.latent_explorer.LatentExplorer"


class ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        raise ArgumentError(f"{message} (see latent-explorer --help)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="latent-explorer", description="Train and explore auto-encoders on Fashion-MNIST.")
    p.add_argument("--data-dir", metavar="DIR", help="folder holding the Fashion-MNIST IDX files")
    p.add_argument(
        "--checkpoint", metavar="FILE", action="append", default=[], help="open a model (repeatable)"
    )
    p.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        help="language of the interface (default: the one chosen in View → Language, else the system's)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def build_window(argv: list[str]) -> QMainWindow:
    """The main window for these arguments, without starting the event loop.

    A QApplication must already exist. Raises ArgumentError on bad arguments.
    """
    import pyqtgraph as pg

    from core.training import single_threaded
    from explorer.main_window import MainWindow

    args = build_parser().parse_args(argv)
    i18n.install(i18n.resolve_language(args.lang))
    # The GUI thread decodes single images; workers train and encode with every core. Keeping
    # torch to one thread here stops OpenMP from throttling the workers (see use_all_threads).
    single_threaded()
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    return MainWindow(data_dir=args.data_dir, checkpoints=args.checkpoint)


def _setup_logging() -> None:
    """Log to a file in the app's folder: a GUI script has no console on Windows."""
    folder = user_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(folder / "latent-explorer.log", encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help", "--version") for a in argv):
        build_parser().parse_args(argv)  # prints and exits
    _setup_logging()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Latent Explorer")
    app.setOrganizationName("latent-explorer")
    app.setDesktopFileName(APP_ID)
    try:
        window = build_window(argv)
    except ArgumentError as exc:
        print(f"latent-explorer: error: {exc}", file=sys.stderr)
        return 2
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
