"""The log file, and uncaught exceptions shown in a dialog that says where that file is.

A GUI script has no console on Windows (``sys.stdout`` and ``sys.stderr`` are None), so an
exception in a slot or a worker thread would vanish. Here its traceback goes to the log and the
user sees what happened, with the traceback under "Show Details…" and the log's path.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

import shiboken6
from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    QUrl,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from core.paths import user_data_dir

LOG_NAME = "latent-explorer.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3

log = logging.getLogger(__name__)


def log_path() -> Path:
    return user_data_dir() / LOG_NAME


def setup_logging() -> Path | None:
    """Log to a rotating file in the app's folder; returns its path, or None if it cannot be written.

    Falls back to stderr, and to nothing when there is no stderr (a Windows GUI script).
    """
    path: Path | None = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError:
        path = None
        handler = logging.StreamHandler(sys.stderr) if sys.stderr is not None else logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return path


def open_log_folder() -> bool:
    """Show the folder that holds the log in the system's file manager."""
    folder = log_path().parent
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _log_qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def log_qt_messages() -> object:
    """Send Qt's own warnings to the log too: they go to stderr, which a GUI script may not have.

    Returns the previous handler (for tests, which restore pytest-qt's).
    """
    return qInstallMessageHandler(_log_qt_message)


class CrashReporter(QObject):
    """Logs every uncaught exception and shows them in one dialog at a time.

    The hooks run in whichever thread raised; a queued signal brings the dialog to the GUI thread,
    and a burst of exceptions (a slot failing on every timer tick) adds to the open dialog's count
    instead of opening more.
    """

    caught = Signal(str, str)  # summary ("ValueError: boom"), traceback

    def __init__(self, log_file: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.dialog: QMessageBox | None = None
        self.more = 0  # exceptions since the open dialog appeared
        # Queued even from the GUI thread: never open a dialog inside a paint event or a slot that failed.
        self.caught.connect(self._on_caught, Qt.ConnectionType.QueuedConnection)

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """``sys.excepthook``: uncaught exceptions of the GUI thread, Qt slots and QThreads."""
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb, threading.current_thread().name)

    def threading_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """``threading.excepthook``: uncaught exceptions of Python threads."""
        if args.exc_type is SystemExit:  # as threading's own hook: a thread may exit that way
            return
        name = args.thread.name if args.thread is not None else "unknown"
        self.report(args.exc_type, args.exc_value, args.exc_traceback, name)

    def report(
        self,
        exc_type: type[BaseException],
        exc: BaseException | None,
        tb: TracebackType | None,
        thread: str,
    ) -> None:
        """Log the traceback and ask the GUI thread for the dialog; safe from any thread, never raises."""
        try:
            log.critical("Uncaught exception in thread %s", thread, exc_info=(exc_type, exc, tb))
            summary = "".join(traceback.format_exception_only(exc_type, exc)).strip()
            self.caught.emit(summary, "".join(traceback.format_exception(exc_type, exc, tb)))
        except Exception:  # a hook that raises would recurse, or vanish
            pass

    def make_dialog(self, summary: str, details: str, fatal: bool = False) -> QMessageBox:
        """The dialog for one exception: its type and message, the traceback under details, the log."""
        box = QMessageBox(QMessageBox.Icon.Critical, self.tr("Unexpected error"), "", parent=None)
        box.setObjectName("crashDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # closing the main window still quits
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            self.tr("Latent Explorer ran into an error it did not expect:\n\n{error}").format(error=summary)
        )
        box.setInformativeText(self._informative_text(fatal))
        box.setDetailedText(details)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Close))
        open_folder = box.addButton(self.tr("Open log folder"), QMessageBox.ButtonRole.ActionRole)
        open_folder.clicked.connect(self._on_open_folder_clicked)
        return box

    def _informative_text(self, fatal: bool = False) -> str:
        parts = []
        if not fatal:
            parts.append(
                self.tr("The app carries on, but what it was doing may not have finished: save your models.")
            )
        if self.log_file is not None:
            parts.append(self.tr("The details are in the log file:\n{path}").format(path=self.log_file))
        else:
            parts.append(
                self.tr(
                    "The log file could not be written; start latent-explorer from a terminal to see the details."
                )
            )
        if self.more:
            parts.append(self.tr("{n} more error(s) since this one, also in the log.").format(n=self.more))
        return "\n\n".join(parts)

    def show_fatal(self, exc: BaseException) -> None:
        """The app cannot start: log it and wait for the user to read it (a modal dialog)."""
        log.critical("Could not start", exc_info=exc)
        summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        self.make_dialog(summary, "".join(traceback.format_exception(exc)), fatal=True).exec()

    @Slot(str, str)
    def _on_caught(self, summary: str, details: str) -> None:
        try:
            if self.dialog_open():  # one dialog, however many exceptions: the log has them all
                self.more += 1
                self.dialog.setInformativeText(self._informative_text())
                return
            self.more = 0
            # Kept referenced after it closes: dropping the last reference from its own finished
            # signal would delete it inside that signal's emission (a crash). Qt deletes it on close.
            self.dialog = self.make_dialog(summary, details)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.setWindowModality(Qt.WindowModality.NonModal)
            self.dialog.show()
        except Exception:  # raising here would come back through the hook, forever
            log.exception("could not show the error dialog")

    def dialog_open(self) -> bool:
        return self.dialog is not None and shiboken6.isValid(self.dialog) and self.dialog.isVisible()

    @Slot()
    def _on_open_folder_clicked(self) -> None:
        open_log_folder()


def install_excepthook(log_file: Path | None, parent: QObject | None = None) -> CrashReporter:
    """Route uncaught exceptions of every thread to a CrashReporter; a QApplication must exist."""
    reporter = CrashReporter(log_file, parent if parent is not None else QApplication.instance())
    sys.excepthook = reporter.excepthook
    threading.excepthook = reporter.threading_excepthook
    return reporter
