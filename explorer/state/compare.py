"""The AE-vs-VAE panel's state: which AE and which VAE it compares, and on which map."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from explorer.state.explorer import Value
from explorer.state.latent_maps import MAP_KINDS
from explorer.state.scene import get_choice
from explorer.state.session import ModelEntry

KINDS = ("ae", "vae")


class CompareState(QObject):
    entriesChanged = Signal()
    mapKindChanged = Signal(str)

    # PCA first: its distances mean something, so the VAE's packing around 0 is seen at once.
    map_kind = Value("pca")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: dict[str, ModelEntry | None] = dict.fromkeys(KINDS)

    def set_entry(self, kind: str, entry: ModelEntry | None) -> None:
        if self.entries[kind] is not entry:
            self.entries = {**self.entries, kind: entry}
            self.entriesChanged.emit()

    def to_scene(self, at: Callable[[ModelEntry | None], int | None]) -> dict:
        return {"ae": at(self.entries["ae"]), "vae": at(self.entries["vae"]), "map": self.map_kind}

    def apply_scene(self, section: dict, entry_at: Callable[[dict, str], ModelEntry | None]) -> None:
        for kind in KINDS:
            if (entry := entry_at(section, kind)) is not None and entry.kind == kind:
                self.set_entry(kind, entry)
        self.map_kind = get_choice(section, "map", MAP_KINDS) or self.map_kind
