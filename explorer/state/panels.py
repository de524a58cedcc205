"""What the user set in the generation, reconstruction, understanding and drawing panels.

One QObject per panel holds every value its user can change, with a signal per value; the panel
binds its widgets to it both ways (a widget writes the state, the state's signal moves the widget
and redraws), so a scene, a button and a widget take the same route. ``to_scene(at)`` and
``apply_scene(section, entry_at)`` write and read the panel's section of a scene
(explorer.state.scene): ``at(entry)`` is a model's index in the scene's list of models,
``entry_at(section, key)`` the model a section names under ``key``. A bad value is ignored.

The ranges below are the widgets' own: the panels build their widgets from them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.state.scene import get_float, get_int, get_vector
from explorer.state.session import ModelEntry

At = Callable[[ModelEntry | None], int | None]
EntryAt = Callable[[dict, str], ModelEntry | None]

SEED_MAX = 2**31  # the largest draw or image set a scene may name


class GenerationState(QObject):
    """The generation panel: its model, the temperature (scale) and which draw of z it decodes."""

    modelChanged = Signal(object)  # ModelEntry or None
    scaleChanged = Signal(float)
    drawChanged = Signal(int)

    SCALE_RANGE = (0.1, 3.0)
    SCALE_DECIMALS = 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model: ModelEntry | None = None
        self.scale = 1.0
        self.draw = 0  # the seed of the prior's draws: "New draws" counts up

    def set_model(self, entry: ModelEntry | None) -> None:
        if entry is not self.model:
            self.model = entry
            self.modelChanged.emit(entry)

    def set_scale(self, value: float) -> None:
        low, high = self.SCALE_RANGE
        value = min(max(round(float(value), self.SCALE_DECIMALS), low), high)  # as the spin box shows it
        if value != self.scale:
            self.scale = value
            self.scaleChanged.emit(value)

    def set_draw(self, draw: int) -> None:
        if draw != self.draw:
            self.draw = draw
            self.drawChanged.emit(draw)

    def new_draw(self) -> None:
        self.set_draw(self.draw + 1)

    def to_scene(self, at: At) -> dict:
        return {"model": at(self.model), "scale": self.scale, "draw": self.draw}

    def apply_scene(self, section: dict, entry_at: EntryAt) -> None:
        if (entry := entry_at(section, "model")) is not None:
            self.set_model(entry)
        if (scale := get_float(section, "scale", *self.SCALE_RANGE)) is not None:
            self.set_scale(scale)
        if (draw := get_int(section, "draw", 0, SEED_MAX)) is not None:
            self.set_draw(draw)


class ReconstructionState(QObject):
    """The reconstruction panel: its plain AE, denoising AE and VAE, the noise level, which images."""

    modelChanged = Signal(str, object)  # role ("ae", "vae", "denoising"), ModelEntry or None
    noiseChanged = Signal(float)
    imagesChanged = Signal(int)

    ROLES = ("ae", "vae", "denoising")
    NOISE_STEPS = 100  # the slider's: the level is a multiple of 0.01

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.models: dict[str, ModelEntry | None] = dict.fromkeys(self.ROLES)
        self.noise = 0.5  # the lab's level
        self.images = 0  # the seed of the test images shown: "Other images" counts up

    def set_model(self, role: str, entry: ModelEntry | None) -> None:
        if entry is not self.models[role]:
            self.models[role] = entry
            self.modelChanged.emit(role, entry)

    def set_noise(self, level: float) -> None:
        level = min(max(round(float(level) * self.NOISE_STEPS), 0), self.NOISE_STEPS) / self.NOISE_STEPS
        if level != self.noise:
            self.noise = level
            self.noiseChanged.emit(level)

    def set_images(self, images: int) -> None:
        if images != self.images:
            self.images = images
            self.imagesChanged.emit(images)

    def other_images(self) -> None:
        self.set_images(self.images + 1)

    def to_scene(self, at: At) -> dict:
        return {
            "ae": at(self.models["ae"]),
            "vae": at(self.models["vae"]),
            "denoising": at(self.models["denoising"]),
            "noise": self.noise,
            "images": self.images,
        }

    def apply_scene(self, section: dict, entry_at: EntryAt) -> None:
        for role in self.ROLES:
            if (entry := entry_at(section, role)) is not None:
                self.set_model(role, entry)
        if (noise := get_float(section, "noise", 0.0, 1.0)) is not None:
            self.set_noise(noise)
        if (images := get_int(section, "images", 0, SEED_MAX)) is not None:
            self.set_images(images)


class UnderstandingState(QObject):
    """The understanding panel's settings of the IWAE estimate: samples per image, how many images."""

    iwaeKChanged = Signal(int)
    iwaeImagesChanged = Signal(object)  # an image count, or None for all of them

    K_RANGE = (1, 5000)
    IMAGE_CHOICES = (2000, None)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.iwae_k = 100
        self.iwae_images: int | None = 2000

    def set_iwae_k(self, k: int) -> None:
        if k != self.iwae_k:
            self.iwae_k = k
            self.iwaeKChanged.emit(k)

    def set_iwae_images(self, images: int | None) -> None:
        if images != self.iwae_images:
            self.iwae_images = images
            self.iwaeImagesChanged.emit(images)

    def to_scene(self, at: At) -> dict:
        return {"iwae_k": self.iwae_k, "iwae_images": self.iwae_images}

    def apply_scene(self, section: dict, entry_at: EntryAt) -> None:
        if (k := get_int(section, "iwae_k", *self.K_RANGE)) is not None:
            self.set_iwae_k(k)
        if "iwae_images" in section:
            images = section["iwae_images"]
            if images is None or (type(images) is int and images in self.IMAGE_CHOICES):
                self.set_iwae_images(images)


class DrawState(QObject):
    """The drawing panel: its model and the 28×28 drawing, in [0, 1]."""

    modelChanged = Signal(object)  # ModelEntry or None
    # The drawing changed; True when the user drew it (the explorer's sliders then follow its
    # code), False when a scene brought it back.
    imageChanged = Signal(bool)

    SIDE = 28

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model: ModelEntry | None = None
        self.image = np.zeros((self.SIDE, self.SIDE), dtype=np.float32)

    def set_model(self, entry: ModelEntry | None) -> None:
        if entry is not self.model:
            self.model = entry
            self.modelChanged.emit(entry)

    def set_image(self, image: np.ndarray, by_user: bool = True) -> None:
        """A copy of the image becomes the drawing (a stroke, an opened picture, a scene's)."""
        image = np.clip(np.asarray(image, dtype=np.float32).reshape(self.SIDE, self.SIDE), 0, 1)
        if by_user and np.array_equal(image, self.image):
            return
        self.image = image.copy()
        self.imageChanged.emit(by_user)

    def restore_image(self, image: np.ndarray) -> None:
        """A drawing brought back by a scene: shown, its code not pushed to the explorer."""
        self.set_image(image, by_user=False)

    def to_scene(self, at: At) -> dict:
        return {"model": at(self.model), "image": [round(float(v), 4) for v in self.image.ravel()]}

    def apply_scene(self, section: dict, entry_at: EntryAt) -> None:
        if (entry := entry_at(section, "model")) is not None:
            self.set_model(entry)
        image = get_vector(section, "image", self.SIDE * self.SIDE, 1.0)
        if image is not None:
            self.restore_image(np.clip(np.array(image, dtype=np.float32), 0, 1))
