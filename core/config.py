"""How a model is trained: ``TrainConfig``, a frozen dataclass whose defaults are the lab's and
whose constructor refuses any value the trainer could not honour."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

DEVICES = ("auto", "cpu", "cuda")
KINDS = ("ae", "vae")  # the models (core.models), named here so that settings need no torch
LATENT_MIN, LATENT_MAX = 2, 64
PRECISIONS = ("auto", "bf16", "fp32")


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained. Defaults are the lab's (Adam 1e-3, weight decay 1e-5, batch 128,
    10 epochs, β = 1). ``limit`` / ``test_limit`` keep only the first N images of each split."""

    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    weight_decay: float = 1e-5
    beta: float = 1.0
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    limit: int | None = None
    test_limit: int | None = None
    replay_points: int = 2000  # test images whose codes are kept after each epoch (0: none)
    train_noise: float = 0.0  # denoising: the lab's uniform noise at this level on the inputs only

    def __post_init__(self) -> None:
        def check(ok: bool, message: str) -> None:
            if not ok:
                raise ValueError(message)

        check(
            _is_int(self.epochs) and 1 <= self.epochs <= 10_000,
            f"Epochs must be 1 to 10000, not {self.epochs!r}.",
        )
        check(
            _is_int(self.batch_size) and 1 <= self.batch_size <= 65_536,
            f"Batch size must be 1 to 65536, not {self.batch_size!r}.",
        )
        check(
            _is_number(self.learning_rate) and 0 < self.learning_rate <= 10,
            f"Learning rate must be in (0, 10], not {self.learning_rate!r}.",
        )
        check(
            _is_number(self.weight_decay) and 0 <= self.weight_decay <= 1,
            f"Weight decay must be in [0, 1], not {self.weight_decay!r}.",
        )
        check(_is_number(self.beta) and 0 <= self.beta <= 1000, f"β must be in [0, 1000], not {self.beta!r}.")
        check(
            _is_number(self.train_noise) and 0 <= self.train_noise <= 2,
            f"Training noise must be in [0, 2], not {self.train_noise!r}.",
        )
        check(
            _is_int(self.seed) and 0 <= self.seed < 2**63,
            f"Seed must be a non-negative integer, not {self.seed!r}.",
        )
        check(self.device in DEVICES, f"Device must be one of {', '.join(DEVICES)}, not {self.device!r}.")
        check(
            self.precision in PRECISIONS,
            f"Precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}.",
        )
        check(
            _is_int(self.replay_points) and 0 <= self.replay_points <= 10_000,
            f"Replay points must be 0 to 10000, not {self.replay_points!r}.",
        )
        for name in ("limit", "test_limit"):
            value = getattr(self, name)
            check(
                value is None or (_is_int(value) and value >= 1),
                f"{name} must be a positive integer, not {value!r}.",
            )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """Build from a dict; unknown keys are refused so a typo never passes silently."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Unknown training settings: {', '.join(sorted(unknown))}.")
        return cls(**data)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return _is_int(value) or (isinstance(value, float) and math.isfinite(value))
