"""A model's batch losses, stored once: the entry holds them, the loss plot draws views of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np


class BatchLosses:
    """(x in epochs, loss) pairs of this session's runs, in two growing float64 arrays.

    ``x`` and ``y`` are views of the stored values (no copy), so a plot that draws them draws the
    entry's own data; ``extend`` appends in place (capacity doubles). Iterating gives pairs, as
    the list of tuples it replaces did.
    """

    def __init__(self, points: Iterable[tuple[float, float]] = ()) -> None:
        self._x = np.empty(256)
        self._y = np.empty(256)
        self._n = 0
        self.extend(points)

    def extend(self, points: Iterable[tuple[float, float]]) -> None:
        pairs = np.asarray(list(points), dtype=np.float64).reshape(-1, 2)
        end = self._n + len(pairs)
        if end > len(self._x):
            capacity = max(end, 2 * len(self._x))
            # New buffers: views handed out before (a plot's last frame) keep the old ones alive.
            for name in ("_x", "_y"):
                grown = np.empty(capacity)
                grown[: self._n] = getattr(self, name)[: self._n]
                setattr(self, name, grown)
        self._x[self._n : end] = pairs[:, 0]
        self._y[self._n : end] = pairs[:, 1]
        self._n = end

    @property
    def x(self) -> np.ndarray:
        return self._x[: self._n]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self._n]

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return zip(self.x.tolist(), self.y.tolist())

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(zip(self.x[index].tolist(), self.y[index].tolist()))
        return float(self.x[index]), float(self.y[index])

    def __eq__(self, other) -> bool:
        try:
            return list(self) == [tuple(p) for p in other]
        except TypeError:
            return NotImplemented

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"BatchLosses({len(self)} points)"
