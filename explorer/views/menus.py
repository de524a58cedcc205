"""The main window's menus: File, View (with Language) and Help, and what View and Help do.

The actions belong to the window (their shortcuts act wherever its focus is); the window
connects File's actions to the flows that open and save, and Log scale to the training panel.
View's presentation and full-screen modes and Help's boxes are handled here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from explorer.platform import crash, i18n
from explorer.platform.settings import app_settings
from explorer.views.dialogs import Dialogs
from explorer.views.presentation import apply_presentation
from explorer.views.window_part import WindowPart


class WindowMenus(WindowPart):
    """The menu bar of ``window`` and its actions (shortcuts as in Help → Keyboard shortcuts)."""

    recentChosen = Signal(str)  # a file of File → Open recent

    def __init__(self, window: QMainWindow, dialogs: Dialogs, panels: int) -> None:
        super().__init__(window)
        self.dialogs, self.panels = dialogs, panels
        bar = window.menuBar()

        file_menu = bar.addMenu(self.tr("&File"))
        self.open_action = self._action(file_menu, self.tr("&Open model…"), QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.recent_menu.setObjectName("recentMenu")
        self.save_action = self._action(file_menu, self.tr("&Save model as…"), QKeySequence.StandardKey.Save)
        file_menu.addSeparator()
        self.open_scene_action = self._action(file_menu, self.tr("Open &scene…"), "Ctrl+Shift+O")
        self.open_scene_action.setToolTip(self.tr("Bring back a view saved with Save scene"))
        self.save_scene_action = self._action(file_menu, self.tr("Save s&cene as…"), "Ctrl+Shift+S")
        self.save_scene_action.setToolTip(
            self.tr("Save this exact view (models, panel, selection, sliders) to show it in class")
        )
        file_menu.addSeparator()
        self.export_action = self._action(file_menu, self.tr("&Export view as PNG…"), "Ctrl+E")
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, self.tr("&Quit"), QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(window.close)

        view_menu = bar.addMenu(self.tr("&View"))
        self.presentation_action = self._action(
            view_menu, self.tr("&Presentation mode"), "F5", checkable=True, objectName="presentationAction"
        )
        self.presentation_action.setToolTip(
            self.tr("Large text, thick lines and high contrast for a projector; full screen")
        )
        self.presentation_action.toggled.connect(self._on_presentation_action_toggled)
        self.fullscreen_action = self._action(view_menu, self.tr("&Full screen"), "F11", checkable=True)
        self.fullscreen_action.toggled.connect(self._on_fullscreen_action_toggled)
        self.log_action = self._action(view_menu, self.tr("&Log scale for losses"), "Ctrl+L", checkable=True)
        self._build_language_menu(view_menu.addMenu(self.tr("&Language")))

        help_menu = bar.addMenu(self.tr("&Help"))
        self.shortcuts_action = self._action(help_menu, self.tr("&Keyboard shortcuts"), "F1")
        self.shortcuts_action.triggered.connect(self._on_shortcuts_action_triggered)
        self.log_folder_action = self._action(help_menu, self.tr("Open &log folder"), objectName="openLogFolderAction")
        self.log_folder_action.triggered.connect(self._on_log_folder_action_triggered)
        self.about_action = self._action(help_menu, self.tr("&About Latent Explorer"))
        self.about_action.triggered.connect(dialogs.about)


    def _action(self, menu: QMenu, text: str, shortcut=None, **kwargs) -> QAction:
        if shortcut is not None:
            kwargs["shortcut"] = shortcut
        action = QAction(text, self.window, **kwargs)
        menu.addAction(action)
        return action

    def _build_language_menu(self, menu: QMenu) -> None:
        menu.setObjectName("languageMenu")
        group = QActionGroup(self.window)
        for code in i18n.LANGUAGES:
            action = QAction(i18n.LANGUAGE_NAMES[code], self.window, checkable=True, checked=code == i18n.language())
            action.setData(code)
            action.triggered.connect(self._on_language_action_triggered)
            group.addAction(action)
            menu.addAction(action)

    def refresh_recent(self, recent: list[str]) -> None:
        """File → Open recent lists these files (newest first)."""
        self.recent_menu.clear()
        for index, path in enumerate(recent):
            action = self.recent_menu.addAction(f"&{index + 1}  {Path(path).name}")
            action.setData(path)
            action.setToolTip(path)
            action.triggered.connect(self._on_recent_action_triggered)
        self.recent_menu.setEnabled(bool(recent))

    @Slot()
    def _on_recent_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.recentChosen.emit(action.data())

    @Slot()
    def _on_language_action_triggered(self) -> None:
        code = self.sender().data()
        i18n.save_language(code)
        if code != i18n.language():
            self.dialogs.language_chosen(code)

    @Slot()
    def _on_shortcuts_action_triggered(self) -> None:
        self.dialogs.shortcuts(self.panels)

    @Slot()
    def _on_log_folder_action_triggered(self) -> None:
        if not crash.open_log_folder():
            self.dialogs.show_error(
                self.tr("Open log folder"),
                self.tr("No file manager could open {folder}").format(folder=crash.log_path().parent),
            )

    # --- View: presentation and full screen ------------------------------------------------

    @property
    def presentation(self) -> bool:
        return self.presentation_action.isChecked()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode on or off (remembered): large fonts and plots, high contrast, full screen."""
        if self.presentation_action.isChecked() != on:
            self.presentation_action.setChecked(on)  # → _on_presentation_action_toggled
        else:
            self._on_presentation_action_toggled(on)

    @Slot(bool)
    def _on_presentation_action_toggled(self, on: bool) -> None:
        apply_presentation(self.window, on)
        self.fullscreen_action.setChecked(on)
        app_settings().setValue("view/presentation", on)

    @Slot(bool)
    def _on_fullscreen_action_toggled(self, on: bool) -> None:
        state = self.window.windowState()
        if on:
            self.window.setWindowState(state | Qt.WindowState.WindowFullScreen)
        else:
            self.window.setWindowState(state & ~Qt.WindowState.WindowFullScreen)
