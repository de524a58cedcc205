"""Scenes of the main window: the view as it is, saved to a lesson scene, and a scene brought back.

A scene is every panel state's section (explorer.state.scene), plus the models, the panel shown,
presentation mode and the dataset; this module only gathers them from the window and hands them
back, through the states (it names no panel widget).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from core.datasets import DEFAULT
from explorer.platform.settings import app_settings
from explorer.state.scene import (
    PANEL_KEYS,
    SUFFIX,
    SceneError,
    SceneSection,
    apply_sections,
    entry_finder,
    get_choice,
    load_scene,
    save_scene,
    scene_models,
    sections_to_scene,
)
from explorer.views.window_part import WindowPart



class SceneFlow(WindowPart):
    """Save and open the scenes of ``window`` (explorer.main_window.MainWindow: its session,
    tabs, panels and their states)."""


    def panels(self) -> dict[str, QWidget]:
        w = self.window
        return {
            "training": w.training_panel,
            "latent": w.latent_panel,
            "generation": w.generation_panel,
            "reconstruction": w.reconstruction_panel,
            "compare": w.compare_panel,
            "understanding": w.understanding_panel,
            "draw": w.draw_panel,
        }

    def states(self) -> dict[str, SceneSection]:
        """The states that write a section of a scene, in the order a scene is applied."""
        w = self.window
        return {
            "latent": w.latent_panel.state,
            "compare": w.compare_panel.state,
            "generation": w.generation_state,
            "reconstruction": w.reconstruction_state,
            "understanding": w.understanding_state,
            "draw": w.draw_state,
        }

    def _dataset_spec(self) -> str:
        dataset = self.window.session.dataset
        return dataset.info.spec if dataset is not None else DEFAULT

    def scene(self, scene_dir: Path) -> tuple[dict, list[str]]:
        """The current view as a scene, and the names of the models it cannot hold (never saved,
        or changed since)."""
        w = self.window
        refs, at, left_out = scene_models(w.session.entries, scene_dir)
        panel = next((k for k, p in self.panels().items() if p is w.tabs.currentWidget()), "training")
        scene = {
            "models": refs,
            "panel": panel,
            "presentation": w.presentation,
            **sections_to_scene(self.states(), at),
            "dataset": self._dataset_spec(),
        }
        return scene, left_out

    def save(self, path: str | Path) -> bool:
        path = Path(path).expanduser()
        if not path.name.endswith(".json"):
            path = path.with_name(path.name + SUFFIX)
        scene, left_out = self.scene(path.parent)
        try:
            save_scene(path, scene)
        except SceneError as exc:
            self.window.show_error(self.tr("Cannot save scene"), str(exc))
            return False
        app_settings().setValue("files/last_scene_folder", str(path.resolve().parent))
        if left_out:
            self.window.show_error(
                self.tr("Scene saved without some models"),
                self.tr(
                    "These models are not saved, so the scene cannot name them: {names}. Save them, then save the scene again."
                ).format(names="; ".join(left_out)),
            )
        self.window.statusBar().showMessage(self.tr("Saved scene {path}").format(path=path), 5000)
        return True

    def open(self, path: str | Path) -> bool:
        """Restore the view a scene describes; its missing models are named in one dialog."""
        path = Path(path).expanduser()
        try:
            document = load_scene(path)
        except SceneError as exc:
            self.window.show_error(self.tr("Cannot open scene"), str(exc))
            return False
        app_settings().setValue("files/last_scene_folder", str(path.resolve().parent))
        missing = self.apply(document, path.parent)
        if missing:
            self.window.show_error(
                self.tr("Models of the scene not found"),
                self.tr(
                    "The scene {scene} uses models that could not be opened:\n{list}\nThe rest of the scene is shown."
                ).format(scene=path.name, list="\n".join(missing)),
            )
        self.window.statusBar().showMessage(self.tr("Opened scene {name}").format(name=path.name), 5000)
        return True

    def apply(self, scene: dict, scene_dir: Path) -> list[str]:
        """Bring back a (checked) scene; returns the models that could not be opened."""
        w = self.window
        entries, missing = w.session.open_scene_models(scene.get("models", []), scene_dir)
        if isinstance(scene.get("presentation"), bool):
            w.set_presentation(scene["presentation"])

        apply_sections(scene, self.states(), entry_finder(entries))
        spec = scene.get("dataset")
        if isinstance(spec, str) and 0 < len(spec) <= 4096 and spec != self._dataset_spec():
            w.load_data(spec=spec)  # in a worker; every panel follows when it is there

        panel = get_choice(scene, "panel", PANEL_KEYS)
        if panel is not None:
            w.tabs.setCurrentWidget(self.panels()[panel])
        return missing

    @Slot()
    def open_with_dialog(self) -> None:
        folder = app_settings().value("files/last_scene_folder", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Open scene"), folder, self.tr("Lesson scenes (*.scene.json *.json)")
        )
        if path:
            self.open(path)

    @Slot()
    def save_with_dialog(self) -> None:
        folder = Path(app_settings().value("files/last_scene_folder", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Save scene as"),
            str(folder / f"lesson{SUFFIX}"),
            self.tr("Lesson scenes (*.scene.json)"),
        )
        if path:
            self.save(path)
