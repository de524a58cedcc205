"""Every bound on a value or a size the app accepts, in one place.

The training settings' ranges are the widgets' ranges and the checks' ranges: TrainConfig,
the command line, checkpoint metadata, scenes and the settings file all refuse the same values,
and the training panel's spin boxes take their minimum and maximum from here. Integers stay
below 2**31 so that every one of them fits a Qt spin box. README's Safety section lists them.
"""

from __future__ import annotations

import math

from core.config import LATENT_MAX, LATENT_MIN

INT32_MAX = 2**31 - 1

# --- training settings (TrainConfig, the training panel, the command line) -------------------
EPOCHS = (1, 10_000)
BATCH_SIZE = (1, 65_536)
LEARNING_RATE = (0.0, 10.0)  # exclusive at 0
WEIGHT_DECAY = (0.0, 1.0)
BETA = (0.0, 1000.0)
SEED = (0, INT32_MAX)
IMAGES = (1, 10_000_000)  # --limit / --test-limit: at most this many images of a split
LATENT_DIM = (LATENT_MIN, LATENT_MAX)
REPLAY_POINTS = (0, 10_000)

# --- what a file may hold ---------------------------------------------------------------------
HISTORY_EPOCHS = EPOCHS[1]  # epochs in a checkpoint's history
REPLAY_FRAMES = HISTORY_EPOCHS + 1  # frame 0 is the model before training
REPLAY_BYTES = 256 * 1024**2
CHECKPOINT_BYTES = 512 * 1024**2  # weights (≈ 3 MB) plus a replay
CHECKPOINT_HEADER_BYTES = 16 * 1024**2  # a header with a full history is < 10 MB
SCENE_BYTES = 1_000_000
SCENE_DEPTH = 32  # nesting of JSON arrays and objects in a scene
SETTINGS_BYTES = 1_000_000
LATENT_CODE = 1e4  # |z| per dimension in a scene (trained codes stay within ±20)
METRIC = 1e30  # |a loss, a time or a metric| in a history; larger is damage, not training

# --- datasets -----------------------------------------------------------------------------------
KNOWN_COUNTS = {"train": 60_000, "test": 10_000}  # Fashion-MNIST, MNIST, KMNIST
IDX_ITEMS = 1_000_000  # items of an IDX file that is not one of the known datasets (EMNIST: 814,255)
IDX_BYTES = 1024**3  # one IDX file, compressed or not, and its data once decompressed


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def int_in(value: object, bounds: tuple[int, int]) -> bool:
    """An int (not a bool) within bounds, both included."""
    return is_int(value) and bounds[0] <= value <= bounds[1]


def real_in(value: object, low: float, high: float) -> bool:
    """A finite int or float within [low, high]; a huge int is refused before float() overflows."""
    if is_int(value):
        return low <= value <= high
    return isinstance(value, float) and math.isfinite(value) and low <= value <= high


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:20] + "…"


def check_train_settings(settings: dict) -> None:
    """Raise ValueError naming the first training setting outside its range.

    ``settings`` is a TrainConfig's ``to_dict()``. TrainConfig checks types and its own bounds;
    these are the bounds every boundary shares (a checkpoint, the command line, the settings
    file), the widgets' ranges, so what one accepts another can show.
    """
    ranges = {
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        "seed": SEED,
        "replay_points": REPLAY_POINTS,
    }
    for name, bounds in ranges.items():
        if name in settings and not int_in(settings[name], bounds):
            raise ValueError(f"{name} must be {bounds[0]} to {bounds[1]}, not {_short(settings[name])}")
    for name in ("limit", "test_limit"):
        value = settings.get(name)
        if value is not None and not int_in(value, IMAGES):
            raise ValueError(f"{name} must be {IMAGES[0]} to {IMAGES[1]} images, not {_short(value)}")
    reals = {"learning_rate": LEARNING_RATE, "weight_decay": WEIGHT_DECAY, "beta": BETA}
    for name, (low, high) in reals.items():
        if name in settings and not real_in(settings[name], low, high):
            raise ValueError(f"{name} must be in [{low:g}, {high:g}], not {_short(settings[name])}")
    if "learning_rate" in settings and settings["learning_rate"] <= 0:
        raise ValueError(f"learning_rate must be positive, not {_short(settings['learning_rate'])}")
