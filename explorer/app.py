"""``latent-explorer``: build the main window from command-line arguments and run the app."""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from core import __version__
from explorer.platform import crash, i18n
from explorer.platform.desktop import APP_ID


# What Qt's xcb platform plugin links to (ldd of PySide6's libqxcb.so and libQt6XcbQpa.so.6)
# beyond Qt itself, with the Debian/Ubuntu package of each. Without one of them Qt aborts with
# only "Could not load the Qt platform plugin", and `make run` says "Aborted".
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1", "libX11-xcb.so.1": "libx11-xcb1", "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1", "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def missing_xcb_libraries(load=ctypes.CDLL) -> list[str]:
    """The xcb plugin's libraries that cannot be loaded here (none off Linux or off X11)."""
    platform_name = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform_name not in ("", "xcb"):
        return []
    if not platform_name and (os.environ.get("WAYLAND_DISPLAY") or not os.environ.get("DISPLAY")):
        return []  # Qt will try Wayland, or has no X display to complain about
    missing = []
    for name in XCB_LIBRARIES:
        try:
            load(name)
        except OSError:
            missing.append(name)
    return missing


class ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        raise ArgumentError(f"{message} (see latent-explorer --help)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="latent-explorer", description="Train and explore auto-encoders on Fashion-MNIST.")
    p.add_argument(
        "scene", nargs="?", metavar="SCENE.json", help="a lesson scene to open (File → Save scene)"
    )
    p.add_argument("--data-dir", metavar="DIR", help="folder holding the Fashion-MNIST IDX files")
    p.add_argument(
        "--checkpoint", metavar="FILE", action="append", default=[], help="open a model (repeatable)"
    )
    p.add_argument(
        "--presentation",
        action="store_true",
        help="start in presentation mode (large text, high contrast, full screen; F5 toggles it)",
    )
    p.add_argument(
        "--no-bundled-models",
        dest="bundled_models",
        action="store_false",
        help="start with no model (by default the bundled pretrained AE and VAE open when no "
        "--checkpoint is given)",
    )
    p.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        help="language of the interface (default: the one chosen in View → Language, else the system's)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    menu = p.add_mutually_exclusive_group()
    menu.add_argument(
        "--install-desktop", action="store_true", help="add the app to your Linux menu and exit"
    )
    menu.add_argument("--uninstall-desktop", action="store_true", help="remove it from the menu and exit")
    return p


def build_window(argv: list[str], staged: bool = False) -> QMainWindow:
    """The main window for these arguments, without starting the event loop.

    A QApplication must already exist. Raises ArgumentError on bad arguments. With ``staged``,
    the window is its frame only (no PyTorch yet: drawn in a fraction of a second); showing it,
    then calling its ``build_panels_soon()``, imports PyTorch on a thread and builds the panels,
    and what the arguments ask for (presentation mode, a scene) follows (``start_window``).
    """
    from core.memory import return_freed_memory
    from explorer.main_window import MainWindow
    from explorer.platform.collector import collect_in_gui_thread
    from explorer.platform.settings import app_settings
    from explorer.views.presentation import apply_presentation

    args = build_parser().parse_args(argv)
    i18n.install(i18n.resolve_language(args.lang))
    return_freed_memory()  # before the window starts its worker threads
    collect_in_gui_thread()  # never in a worker: it would destroy widgets there (deadlock)
    window = MainWindow(
        data_dir=args.data_dir,
        checkpoints=args.checkpoint,
        open_bundled=args.bundled_models and not args.scene,
        staged=True,
    )
    presentation = args.presentation or app_settings().value("view/presentation", False, type=bool)
    if staged and presentation:  # the class sees the frame as it will see the panels
        apply_presentation(window, True)
        window.setWindowState(window.windowState() | Qt.WindowState.WindowFullScreen)

    def as_asked() -> None:
        window.set_presentation(presentation)
        if args.scene:
            window.open_scene(args.scene)
            if args.presentation:  # the command line wins over the scene
                window.set_presentation(True)

    if staged:
        window.panelsBuilt.connect(as_asked)
    else:
        window.build_panels()
        as_asked()
    return window


def start_window(argv: list[str]) -> QMainWindow:
    """What ``latent-explorer`` does: the window's frame on screen at once, then its panels as
    soon as PyTorch is imported (see MainWindow.build_panels_soon)."""
    window = build_window(argv, staged=True)
    window.show()
    window.build_panels_soon()
    return window


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser().parse_args(argv)  # --help and --version print and exit here
    except ArgumentError as exc:
        print(f"latent-explorer: error: {exc}", file=sys.stderr)
        return 2
    if args.install_desktop or args.uninstall_desktop:
        from explorer.platform import desktop  # files only: no QApplication, works without a display

        return desktop.install() if args.install_desktop else desktop.uninstall()
    log_file = crash.setup_logging()  # a GUI script may have no stdout or stderr at all
    if missing := missing_xcb_libraries():
        packages = " ".join(XCB_LIBRARIES[name] for name in missing)
        message = (
            f"latent-explorer: Qt cannot start on X11: missing {', '.join(missing)} "
            f"(sudo apt install {packages}); log: {log_file}"
        )
        logging.getLogger(__name__).error(message)
        print(message, file=sys.stderr)
        return 1
    crash.log_qt_messages()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Latent Explorer")
    app.setOrganizationName("latent-explorer")
    app.setDesktopFileName(APP_ID)
    reporter = crash.install_excepthook(log_file)
    try:
        window = start_window(argv)
    except ArgumentError as exc:
        print(f"latent-explorer: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # before the event loop runs, only a modal dialog can say it
        reporter.show_fatal(exc)
        return 1

    def cannot_start(exc: BaseException) -> None:  # importing PyTorch or building a panel failed
        window.hide()
        reporter.show_fatal(exc)
        app.exit(1)

    window.buildFailed.connect(cannot_start)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
