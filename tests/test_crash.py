"""Uncaught exceptions: a dialog that names the error and the log file; the traceback in the log."""

from __future__ import annotations

import logging
import sys
import threading
import weakref
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QThread, QTimer, QUrl, qWarning
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from explorer import app
from explorer.platform import crash

# pytest-qt puts its own sys.excepthook around each test; these tests need the app's.
pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def log_file() -> Path:
    """The app's rotating log in the test's private app folder, removed from logging afterwards."""
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    path = crash.setup_logging()
    assert path is not None
    yield path
    for handler in set(root.handlers) - set(before):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture
def restore_hooks():
    saved = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = saved
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == "crashDialog":
            widget.close()


@pytest.fixture
def reporter(qtbot, log_file, restore_hooks) -> crash.CrashReporter:
    reporter = crash.install_excepthook(log_file)
    yield reporter
    reporter.deleteLater()


def crash_dialogs() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == "crashDialog" and w.isVisible()]


def wait_for_dialog(qtbot, reporter: crash.CrashReporter) -> QMessageBox:
    qtbot.waitUntil(reporter.dialog_open, timeout=5000)
    return reporter.dialog


def test_an_exception_in_a_button_slot_shows_a_dialog_and_logs_the_traceback(qtbot, reporter, log_file):
    def decode_everything() -> None:
        raise ValueError("the decoder is on fire")

    button = QPushButton("Go")
    qtbot.addWidget(button)
    button.clicked.connect(decode_everything)
    button.click()

    dialog = wait_for_dialog(qtbot, reporter)
    assert "ValueError: the decoder is on fire" in dialog.text()
    assert str(log_file) in dialog.informativeText()
    assert "Traceback (most recent call last)" in dialog.detailedText()
    assert "decode_everything" in dialog.detailedText()
    assert not dialog.isModal() and QApplication.activeModalWidget() is None
    log = log_file.read_text(encoding="utf-8")
    assert "Uncaught exception in thread MainThread" in log
    assert "Traceback (most recent call last)" in log and "in decode_everything" in log
    assert "ValueError: the decoder is on fire" in log


def test_an_exception_in_a_timer_slot_shows_a_dialog(qtbot, reporter):
    def tick() -> None:
        raise RuntimeError("tick failed")

    QTimer.singleShot(0, tick)
    assert "RuntimeError: tick failed" in wait_for_dialog(qtbot, reporter).text()


def test_a_burst_of_exceptions_shows_one_dialog_and_logs_them_all(qtbot, reporter, log_file):
    def tick() -> None:
        raise RuntimeError("again")

    for _ in range(30):
        QTimer.singleShot(0, tick)
    dialog = wait_for_dialog(qtbot, reporter)
    qtbot.waitUntil(lambda: reporter.more == 29, timeout=5000)
    assert crash_dialogs() == [dialog]
    assert "29 more error(s)" in dialog.informativeText()
    assert log_file.read_text(encoding="utf-8").count("RuntimeError: again") == 30

    dialog.close()  # the next error gets a dialog of its own
    assert not reporter.dialog_open()
    QTimer.singleShot(0, tick)
    assert wait_for_dialog(qtbot, reporter) is not dialog
    assert "more error" not in reporter.dialog.informativeText()


def test_closing_the_dialog_leaves_its_deletion_to_qt(qtbot, reporter):
    """Deleting the dialog from inside its own finished signal crashed the app (seen on quit)."""
    QTimer.singleShot(0, lambda: 1 / 0)
    dialog = weakref.ref(wait_for_dialog(qtbot, reporter))  # the reporter holds the only reference
    close = dialog().button(QMessageBox.StandardButton.Close)
    close.click()
    assert dialog() is not None and shiboken6.isValid(dialog())  # still alive inside the click
    assert not reporter.dialog_open()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog()), timeout=5000)  # WA_DeleteOnClose


def test_an_exception_in_a_python_thread_reaches_the_gui_thread(qtbot, reporter, log_file):
    def work() -> None:
        raise KeyError("latent_dim")

    thread = threading.Thread(target=work, name="encoder")
    thread.start()
    thread.join()
    dialog = wait_for_dialog(qtbot, reporter)
    assert "KeyError: 'latent_dim'" in dialog.text()
    assert dialog.thread() is QApplication.instance().thread()
    assert "Uncaught exception in thread encoder" in log_file.read_text(encoding="utf-8")


def test_an_exception_in_a_qthread_reaches_the_gui_thread(qtbot, reporter):
    class Failing(QThread):
        def run(self) -> None:
            raise ZeroDivisionError("no test images")

    thread = Failing()
    thread.start()
    assert thread.wait(5000)
    assert "ZeroDivisionError: no test images" in wait_for_dialog(qtbot, reporter).text()


def test_the_hook_can_be_called_directly(qtbot, reporter, log_file):
    try:
        int("seven")
    except ValueError:
        reporter.excepthook(*sys.exc_info())
    dialog = wait_for_dialog(qtbot, reporter)
    assert "ValueError: invalid literal for int() with base 10: 'seven'" in dialog.text()
    assert 'int("seven")' in log_file.read_text(encoding="utf-8")


def test_without_the_hook_there_is_no_dialog(qtbot, log_file, restore_hooks):
    """The other tests' dialogs come from the hook, not from something else that shows errors."""
    sys.excepthook = lambda *exc: None
    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.wait(100)
    assert crash_dialogs() == []


def test_the_log_rotates_at_one_megabyte(log_file):
    line = "x" * 1000
    for _ in range(2500):
        logging.getLogger("test").info(line)
    backups = sorted(log_file.parent.glob(log_file.name + ".*"))
    assert [p.name for p in backups] == [f"{log_file.name}.{i}" for i in (1, 2)]
    assert all(p.stat().st_size <= crash.LOG_MAX_BYTES for p in [log_file, *backups])
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]
    assert [h.backupCount for h in handlers] == [3]


def test_no_log_folder_and_no_stderr(tmp_path, monkeypatch, qtbot, restore_hooks):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("LATENT_EXPLORER_HOME", str(blocker / "home"))  # cannot be created
    monkeypatch.setattr(sys, "stderr", None)  # a Windows GUI script
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        assert crash.setup_logging() is None
        added = [h for h in root.handlers if h not in before]
        assert [type(h) for h in added] == [logging.NullHandler]
    finally:
        for handler in set(root.handlers) - set(before):
            root.removeHandler(handler)
    reporter = crash.install_excepthook(None)
    QTimer.singleShot(0, lambda: 1 / 0)
    assert "could not be written" in wait_for_dialog(qtbot, reporter).informativeText()


def test_qt_warnings_go_to_the_log(log_file):
    previous = crash.log_qt_messages()
    try:
        qWarning("a warning from Qt")
    finally:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(previous)
    assert "WARNING qt: a warning from Qt" in log_file.read_text(encoding="utf-8")


def _main_with_its_dialog(monkeypatch, log_file, argv: list[str]) -> tuple[int, str, bool]:
    """Run app.main(argv), read and close the modal dialog it shows: (exit status, the dialog's
    text, whether a main window was still visible under it)."""
    from explorer.main_window import MainWindow

    monkeypatch.setattr(crash, "setup_logging", lambda: log_file)
    monkeypatch.setattr(crash, "log_qt_messages", lambda: None)  # keep pytest-qt's handler
    seen: list = []

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QMessageBox):
            QTimer.singleShot(20, read_and_close)
            return
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        seen.extend([dialog.text() + "\n" + dialog.informativeText(), any(w.isVisible() for w in windows)])
        dialog.done(0)

    QTimer.singleShot(0, read_and_close)
    status = app.main(argv)
    return status, *seen


def test_a_crash_while_starting_shows_a_modal_dialog(qtbot, log_file, restore_hooks, monkeypatch):
    def broken_window(argv: list[str], staged: bool = False):
        raise RuntimeError("settings are corrupt")

    monkeypatch.setattr(app, "build_window", broken_window)
    status, text, _ = _main_with_its_dialog(monkeypatch, log_file, [])
    assert status == 1
    assert "RuntimeError: settings are corrupt" in text and str(log_file) in text
    assert "carries on" not in text
    assert "in broken_window" in log_file.read_text(encoding="utf-8")


def test_a_panel_that_cannot_be_built_shows_a_modal_dialog_and_ends_the_app(
    qtbot, log_file, restore_hooks, monkeypatch, tiny_data_dir
):
    """latent-explorer shows its window's frame first and builds the panels once PyTorch is in
    (start_window): a failure there still ends in the start-up dialog and exit status 1."""
    from explorer.main_window import MainWindow

    def broken_panels(self):
        raise RuntimeError("a panel is broken")

    monkeypatch.setattr(MainWindow, "build_panels", broken_panels)
    argv = ["--data-dir", str(tiny_data_dir), "--no-bundled-models"]
    status, text, frame_visible = _main_with_its_dialog(monkeypatch, log_file, argv)
    assert status == 1
    assert "RuntimeError: a panel is broken" in text and str(log_file) in text
    assert not frame_visible  # the empty frame went before the dialog came
    assert "in broken_panels" in log_file.read_text(encoding="utf-8")


def test_help_opens_the_log_folder(qtbot, monkeypatch):
    opened: list[QUrl] = []

    class FakeDesktopServices:
        @staticmethod
        def openUrl(url: QUrl) -> bool:  # noqa: N802 (Qt's name)
            opened.append(url)
            return True

    monkeypatch.setattr(crash, "QDesktopServices", FakeDesktopServices)
    window = app.build_window([])
    qtbot.addWidget(window)
    try:
        window.findChild(QAction, "openLogFolderAction").trigger()
    finally:
        # qtbot holds the window weakly: stop its data thread before the GC can free it under that thread.
        window.shutdown()
    assert [Path(u.toLocalFile()) for u in opened] == [crash.log_path().parent]
