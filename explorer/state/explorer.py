"""The latent explorer's state: every value the user can set there, each with its change signal.

The explorer's widgets are views of this object (bound by explorer.views.binding): a slider,
Random, a map click, α and a scene all change the code through this object, and its
``codeChanged`` moves the sliders, the decoder and the star. ``reset_for(entry)`` is the one
reset on a model switch: nothing of the previous model survives it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from core.latent import interpolate, path_points, sample_prior
from explorer.state.latent_maps import MAP_KINDS
from explorer.state.scene import get_choice, get_float, get_int, get_vector
from explorer.state.session import ModelEntry


POINT_COUNTS = (1000, 2000, 5000, 10000)
METHODS = ("linear", "spherical")
STEPS = (1, 20)  # the interpolation's steps, least and most
TSNE_SEEDS = (0, 9999)
PERPLEXITIES = (5, 100)  # openTSNE's advice: 5–50 usual, more for large maps


def signal_name(name: str) -> str:
    """The change signal of a state value: ``map_kind`` → ``mapKindChanged``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest) + "Changed"


class Value:
    """A state value that emits its change signal when set to something new (glue's callback
    property, napari's evented field)."""

    def __init__(self, default, then: str | None = None) -> None:
        self.default = default
        self.then = then  # a method of the state to call with the new value, before the signal

    def __set_name__(self, owner, name: str) -> None:
        self.name, self.attribute, self.signal = name, "_" + name, signal_name(name)

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(obj, self.attribute, self.default)

    def __set__(self, obj, value) -> None:
        if value != self.__get__(obj):
            setattr(obj, self.attribute, value)
            if self.then is not None:
                getattr(obj, self.then)(value)
            getattr(obj, self.signal).emit(value)


class ExplorerState(QObject):
    """What the explorer shows: the model, the code, the selected test image, the endpoints, the
    map's kind and points, the interpolation and the replay's frame."""

    entryChanged = Signal(object)
    codeChanged = Signal()
    selectionChanged = Signal()
    endpointsChanged = Signal()
    mapKindChanged = Signal(str)
    pointsChanged = Signal(int)
    methodChanged = Signal(str)
    stepsChanged = Signal(int)
    alphaChanged = Signal(float)
    replayFrameChanged = Signal(object)  # an epoch of the training replay, or None: the live map
    endpointIndexChanged = Signal(int)
    tsneSeedChanged = Signal(int)
    perplexityChanged = Signal(int)

    map_kind = Value("tsne")
    points = Value(2000)
    method = Value("linear")
    steps = Value(10)
    alpha = Value(0.0, then="_walk")  # where the code walks from A (0) to B (1)
    replay_frame = Value(None)
    endpoint_index = Value(0)  # "Test image #": the one "Set as A / B" takes
    # The app's t-SNE: same seed, same map (the settings of explorer.state.latent_maps).
    tsne_seed = Value(42)
    perplexity = Value(30)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entry: ModelEntry | None = None
        self.z = np.zeros(0, dtype=np.float32)
        self.selected_index: int | None = None  # the selected test image, by its test-set index
        self.indices = np.zeros(0, dtype=np.int64)  # the test images on the map now
        self.endpoints: dict[str, np.ndarray | None] = {"A": None, "B": None}
        self.endpoint_labels: dict[str, str] = {"A": "", "B": ""}

    # --- the model ----------------------------------------------------------------------------

    def set_entry(self, entry: ModelEntry | None) -> None:
        if entry is not self.entry:
            self.reset_for(entry)

    def reset_for(self, entry: ModelEntry | None) -> None:
        """Show ``entry``: the code at 0, no selection, two random points of the prior as the
        endpoints (as the lab starts), α at 0 and the live map. One reset for everything that
        belonged to the previous model; then every signal once, the model's first."""
        d = entry.model.latent_dim if entry is not None else 0
        self.entry = entry
        self.z = np.zeros(d, dtype=np.float32)
        self.selected_index = None
        self.indices = np.zeros(0, dtype=np.int64)
        ends = sample_prior(2, d, seed=int(np.random.default_rng().integers(1 << 31))) if d else [None, None]
        label = self.tr("random N(0, I)") if d else ""
        self.endpoints = {"A": ends[0], "B": ends[1]}
        self.endpoint_labels = {"A": label, "B": label}
        self._alpha, self._replay_frame = 0.0, None
        self.entryChanged.emit(entry)
        for signal in (self.codeChanged, self.endpointsChanged, self.selectionChanged):
            signal.emit()
        self.alphaChanged.emit(0.0)
        self.replayFrameChanged.emit(None)

    # --- the code -----------------------------------------------------------------------------

    def set_code(self, z: np.ndarray) -> None:
        self.z = np.asarray(z, dtype=np.float32).copy()
        self.codeChanged.emit()

    def set_value(self, dim: int, value: float) -> None:
        """One coordinate of the code (a slider, the traversal atlas)."""
        if 0 <= dim < len(self.z):
            self.z = self.z.copy()
            self.z[dim] = value
            self.codeChanged.emit()

    # --- the selected test image ----------------------------------------------------------------

    @property
    def selected(self) -> int | None:
        """The selected image's point on the map now (an index into ``indices``), or None."""
        if self.selected_index is None or not len(self.indices):
            return None
        point = int(np.searchsorted(self.indices, self.selected_index))
        if point >= len(self.indices) or int(self.indices[point]) != self.selected_index:
            return None
        return point

    def select(self, point: int | None) -> None:
        """Select the point-th image of the map (None: no selection)."""
        self.select_image(None if point is None else int(self.indices[point]))

    def select_image(self, index: int | None) -> None:
        """Select a test image by its test-set index; shown when the map holds it."""
        self.selected_index = index
        self.selectionChanged.emit()

    def set_map_indices(self, indices: np.ndarray) -> None:
        """The test images the map shows now (its points, in order)."""
        if not np.array_equal(indices, self.indices):
            self.indices = np.asarray(indices, dtype=np.int64)
            self.selectionChanged.emit()

    # --- the endpoints and the walk between them --------------------------------------------

    def set_endpoints(self, a: np.ndarray, b: np.ndarray, label_a: str = "", label_b: str = "") -> None:
        """Both ends at once (e.g. for a model of another latent size)."""
        self.endpoints = {"A": np.asarray(a, dtype=np.float32).copy(), "B": np.asarray(b, dtype=np.float32).copy()}
        self.endpoint_labels = {"A": label_a, "B": label_b}
        self.endpointsChanged.emit()

    def set_endpoint(self, name: str, z: np.ndarray | None, label: str = "") -> None:
        self.endpoints = {**self.endpoints, name: None if z is None else np.asarray(z, dtype=np.float32).copy()}
        self.endpoint_labels = {**self.endpoint_labels, name: label}
        self.endpointsChanged.emit()

    def random_endpoints(self) -> None:
        z = sample_prior(2, len(self.z), seed=int(np.random.default_rng().integers(1 << 31)))
        self.set_endpoints(z[0], z[1], self.tr("random N(0, I)"), self.tr("random N(0, I)"))

    def _ends(self) -> tuple[np.ndarray, np.ndarray] | None:
        a, b = self.endpoints["A"], self.endpoints["B"]
        d = len(self.z)
        if self.entry is None or a is None or b is None or len(a) != d or len(b) != d:
            return None
        return a, b

    def code_at(self, alpha: float) -> np.ndarray | None:
        """The code at α on the path from A to B (linear or spherical), or None without endpoints."""
        ends = self._ends()
        return None if ends is None else path_points(*ends, alpha, self.method)

    def interpolation(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(alphas, codes) of the strip from A to B, or None without endpoints."""
        ends = self._ends()
        return None if ends is None else interpolate(*ends, self.steps, self.method)

    def on_path(self) -> bool:
        """Whether the code is where α puts it on the path from A to B."""
        z = self.code_at(self.alpha)
        return z is not None and np.allclose(z, self.z, atol=1e-6)

    def _walk(self, alpha: float) -> None:
        # α walks the code along the path: the same route as any other change of the code.
        z = self.code_at(alpha)
        if z is not None:
            self.set_code(z)

    # --- scenes -------------------------------------------------------------------------------

    def to_scene(self, at: Callable[[ModelEntry | None], int | None]) -> dict:
        return {
            "model": at(self.entry),
            "map": self.map_kind,
            "points": self.points,
            "selected": self.selected_index,
            "code": [float(v) for v in self.z],
            "endpoints": {k: None if v is None else [float(x) for x in v] for k, v in self.endpoints.items()},
            "endpoint_labels": dict(self.endpoint_labels),
            "steps": self.steps,
            "method": self.method,
            "alpha": self.alpha,
            "tsne_seed": self.tsne_seed,
            "perplexity": self.perplexity,
        }

    def apply_scene(self, section: dict, entry_at: Callable[[dict, str], ModelEntry | None]) -> None:
        """Bring back a scene's ``latent`` section; a bad value is ignored, never trusted."""
        entry = entry_at(section, "model")
        if entry is not None:
            self.set_entry(entry)
        self.map_kind = get_choice(section, "map", MAP_KINDS) or self.map_kind
        points = get_int(section, "points", 1, 10_000)
        self.points = points if points in POINT_COUNTS else self.points
        self.method = get_choice(section, "method", METHODS) or self.method
        steps = get_int(section, "steps", *STEPS)
        self.steps = steps if steps is not None else self.steps
        seed = get_int(section, "tsne_seed", *TSNE_SEEDS)
        self.tsne_seed = seed if seed is not None else self.tsne_seed
        perplexity = get_int(section, "perplexity", *PERPLEXITIES)
        self.perplexity = perplexity if perplexity is not None else self.perplexity
        if self.entry is None:
            return
        d = len(self.z)
        ends = section.get("endpoints") if isinstance(section.get("endpoints"), dict) else {}
        labels = section.get("endpoint_labels") if isinstance(section.get("endpoint_labels"), dict) else {}
        a, b = get_vector(ends, "A", d), get_vector(ends, "B", d)
        if a is not None and b is not None:
            self.set_endpoints(np.array(a), np.array(b), str(labels.get("A", ""))[:200], str(labels.get("B", ""))[:200])
        alpha = get_float(section, "alpha", 0.0, 1.0)
        if alpha is not None:
            self.alpha = round(alpha * 100) / 100  # as its slider holds it; the saved code below wins
        if "selected" in section:
            self.select_image(get_int(section, "selected", 0, 9_999))
        code = get_vector(section, "code", d)
        if code is not None:
            self.set_code(np.array(code, dtype=np.float32))
