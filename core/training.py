"""Training and evaluation of the lab's models, headless and fast.

The trainer batches by index from the uint8 split (no DataLoader, no per-image conversion),
asks each model for its own loss (``model.loss(x, beta)``), computes on the path
``core.runtime`` chooses (device, precision, memory layout), and reports through a callback of
plain dataclasses. Between batches it honours pause, resume and stop requests from any thread.
What a run is given lives in ``core.config``.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import torch

from core import explicit_step
from core.adam import adam
from core.config import DEVICES, PRECISIONS, TrainConfig
from core.data import Dataset, Split, add_uniform_noise, subset_indices, to_float
from core.latent import encode_split
from core.losses import LossTerms
from core.memory import keep_freed_memory
from core.models import LatentModel, ModelConfig, build_model, eval_mode
from core.precision import resolve_precision
from core.run_control import RunControl, SharedFlag
from core.runtime import (
    INTRA_OP_THREADS,
    CoreLoan,
    autocast,
    cpu_has_native_bf16,
    describe_path,
    flushing_denormals,
    memory_format,
    resolve_device,
    shards_for,
    single_threaded,
    use_all_threads,
)
from core.sharded_step import ShardedStep

# Kept importable from here, where they lived before core.config, core.runtime and core.latent.
__all__ = [
    "DEVICES",
    "INTRA_OP_THREADS",
    "PRECISIONS",
    "BatchEnd",
    "EpochEnd",
    "EpochRecord",
    "Paused",
    "Started",
    "Replay",
    "RunControl",
    "SharedFlag",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "TrainingDiverged",
    "batch_loss",
    "cpu_has_native_bf16",
    "encode_split",
    "evaluate",
    "keep_freed_memory",
    "new_model",
    "resolve_device",
    "resolve_precision",
    "single_threaded",
    "use_all_threads",
]


# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchEnd:
    """After each optimiser step. ``loss`` is per pixel (AE) or per image (VAE)."""

    epoch: int  # 1-based, counting epochs of earlier runs of the same model
    step: int  # 1-based within the epoch
    steps: int  # steps in a full epoch
    loss: float
    run_step: int  # 1-based over this run
    run_steps: int  # steps in this whole run


@dataclass(frozen=True)
class Started:
    """The run begins, and how it computes (``describe_path``), e.g. "cpu, bf16, channels-last,
    AVX512-BF16, 2 threads, batch in 2 parts side by side"."""

    path: str
    precision: str


@dataclass(frozen=True)
class Paused:
    """The run honoured a pause: no batch is reported after this until it resumes."""

    epoch: int
    run_step: int  # batches finished in this run


@dataclass(frozen=True)
class EpochRecord:
    """One epoch's summary; the history in a checkpoint is a list of these as dicts.

    Test metrics: ``test_loss`` and ``test_mse`` (mean per pixel) for both kinds;
    ``test_bce``, ``test_kl`` (sums per image, averaged over the test set) and ``kl_per_dim``
    for the VAE. ``complete`` is False for an epoch cut short by a stop request."""

    epoch: int
    train_loss: float
    test: dict
    seconds: float  # training time of the epoch, pauses excluded
    eval_seconds: float
    train_bce: float | None = None
    train_kl: float | None = None
    complete: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> EpochRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class EpochEnd:
    record: EpochRecord
    epochs: int  # last epoch number of this run
    replay_codes: np.ndarray | None = None  # (N, d) float16 codes of the replay images
    path: str = ""  # how the run computes (core.runtime.describe_path)


Event = BatchEnd | EpochEnd
Callback = Callable[[Event], None]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the message says what was kept and what to do."""

    def __init__(self, message: str, history: list[EpochRecord]) -> None:
        super().__init__(message)
        self.history = history


@dataclass
class TrainResult:
    history: list[EpochRecord]  # every epoch of the model, earlier runs included
    stopped: bool  # True when a stop request ended the run early
    device: str
    precision: str
    path: str = ""  # how the run computed (core.runtime.describe_path)


# --- the trainer --------------------------------------------------------------------------


def new_model(config: ModelConfig, seed: int = 0) -> LatentModel:
    """A freshly initialised model; the same seed gives the same weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build_model(config)


def batch_loss(
    model: LatentModel, x: torch.Tensor, beta: float, target: torch.Tensor | None = None
) -> LossTerms:
    """The lab's loss of a batch; ``target`` (default: x itself) is the clean image a denoising
    model must give back from the noisy x."""
    return model.loss(x, beta, target)


class Trainer(RunControl):
    """Trains one model; ``run()`` blocks, the other methods may be called from any thread.

    Continuing a model trained before: pass its history, epochs are numbered after it.
    """

    def __init__(
        self,
        model: LatentModel,
        config: TrainConfig,
        data: Dataset,
        callback: Callback | None = None,
        history: list[EpochRecord] | None = None,
        *,
        stop_flag=None,
        run_flag=None,
        replay: Replay | None = None,
        lend_flag=None,
    ) -> None:
        """``stop_flag`` / ``run_flag``: Event-like objects (``threading.Event`` or
        ``SharedFlag``) to drive stop and pause from elsewhere; fresh threading Events by default.
        ``lend_flag``: while it is set, the trainer leaves one core to other work (``CoreLoan``)."""
        self.model = model
        self.config = config
        self.data = data
        self.callback = callback or (lambda event: None)
        self.history: list[EpochRecord] = list(history or [])
        self.device = resolve_device(config.device)
        self.precision = resolve_precision(config.precision, self.device, measure=True)
        self.path = describe_path(self.device, self.precision)
        super().__init__(stop_flag, run_flag)
        self.paused_seconds = 0.0  # total time spent paused, for ETAs
        self.cores = CoreLoan(lend_flag)
        # Codes of a fixed set of test images after each epoch, to replay the map forming.
        self.replay = replay if replay is not None else Replay.start(data.test, config.replay_points)

    def _wait_while_paused(self, epoch: int, run_step: int) -> float:
        """Block while paused (after reporting ``Paused``); return the seconds spent waiting."""
        if self._running.is_set():
            return 0.0
        start = time.perf_counter()
        self.callback(Paused(epoch, run_step))
        self._running.wait()
        waited = time.perf_counter() - start
        self.paused_seconds += waited
        return waited

    def run(self) -> TrainResult:
        self._sharded: ShardedStep | None = None
        threads = torch.get_num_threads()
        try:
            with flushing_denormals():
                return self._train()
        finally:
            if self._sharded is not None:
                self._sharded.close()
            torch.set_num_threads(threads)  # the caller's, as it was

    def _train(self) -> TrainResult:
        self.cores.update()
        keep_freed_memory()
        self.callback(Started(self.path, self.precision))
        config, device, model = self.config, self.device, self.model
        train = self.data.train.head(config.limit).to(device)
        test = self.data.test.head(config.test_limit).to(device)
        if len(train) == 0 or len(test) == 0:
            raise ValueError("The training and test sets must each hold at least one image.")
        model.to(device)
        model.to(memory_format=memory_format(device, self.precision))
        optimizer = adam(model.parameters(), device, config.learning_rate, config.weight_decay)
        if device.type == "cpu" and self.precision == "fp32":
            explicit_step.compiled()  # once per process (35 ms), before the first epoch's clock starts
        first_epoch = len([r for r in self.history if r.complete]) + 1
        if first_epoch == 1 and not self.replay.frames:
            self.replay.record(model, test_split=self.data.test)  # epoch 0: before training
        last_epoch = first_epoch + config.epochs - 1
        # One stream for shuffling, one for the VAE's ε; both derive from the seed and the
        # epoch we start at, so a continued run does not replay the first run's draws.
        shuffle = torch.Generator().manual_seed(config.seed * 1_000_003 + first_epoch)
        torch.manual_seed(config.seed + first_epoch)
        noise = torch.Generator(device=device).manual_seed(config.seed * 1_000_033 + first_epoch)
        n = len(train)
        steps = math.ceil(n / config.batch_size)
        run_steps = steps * config.epochs
        run_step = 0
        stopped = False
        summed = False  # whether the losses are sums per batch with BCE and KL parts (the VAE's)
        good_state = _copy_state(model)

        for epoch in range(first_epoch, last_epoch + 1):
            model.train()
            order = torch.randperm(n, generator=shuffle).to(device)
            total = bce_sum = kl_sum = 0.0
            seen = 0
            paused_for = 0.0
            start = time.perf_counter()
            for step in range(1, steps + 1):
                paused_for += self._wait_while_paused(epoch, run_step)
                if self._stop.is_set():
                    stopped = True
                    break
                threads = self.cores.update()
                index = order[(step - 1) * config.batch_size : step * config.batch_size]
                x = target = to_float(train.images[index])
                if config.train_noise > 0:  # denoising: noisy inputs, clean targets
                    x = add_uniform_noise(target, config.train_noise, noise)
                optimizer.zero_grad(set_to_none=True)
                with self._nan_guard(epoch, step, good_state):
                    terms = self._loss_and_gradients(x, target, threads)
                loss = terms.total.item()
                if not math.isfinite(loss):
                    self._diverged(loss, epoch, step, good_state)
                optimizer.step()
                b = len(index)
                seen += b
                run_step += 1
                summed = terms.summed
                if summed:
                    total += loss
                    bce_sum += terms.bce.item()
                    kl_sum += terms.kl.item()
                    shown = loss / b
                else:
                    total += loss * b
                    shown = loss
                self.callback(BatchEnd(epoch, step, steps, shown, run_step, run_steps))
            seconds = time.perf_counter() - start - paused_for
            if seen == 0:
                break
            eval_start = time.perf_counter()
            # The same precision as training: measured within 0.01 % of an fp32 evaluation, 2× faster.
            with self._nan_guard(epoch, steps, good_state):
                metrics = evaluate(model, test, config.beta, precision=self.precision)
            record = EpochRecord(
                epoch=epoch,
                train_loss=total / seen,
                train_bce=bce_sum / seen if summed else None,
                train_kl=kl_sum / seen if summed else None,
                test=metrics,
                seconds=seconds,
                eval_seconds=time.perf_counter() - eval_start,
                complete=not stopped,
            )
            if not all(math.isfinite(v) for v in (record.train_loss, metrics["test_loss"])):
                self._diverged(float("nan"), epoch, steps, good_state)
            self.history.append(record)
            good_state = _copy_state(model)
            frame = self.replay.record(model, test_split=self.data.test) if record.complete else None
            self.callback(EpochEnd(record, last_epoch, frame, self.path))
            if stopped:
                break

        model.to(memory_format=torch.contiguous_format)
        model.eval()
        return TrainResult(list(self.history), stopped, str(device), self.precision, self.path)

    def _loss_and_gradients(self, x: torch.Tensor, target: torch.Tensor, threads: int) -> LossTerms:
        """The batch's loss, each parameter's ``.grad`` set to its gradient: in halves side by
        side where that is faster (``shards_for``), else one forward and backward pass."""
        config, device, precision = self.config, self.device, self.precision
        shards = shards_for(device, precision, threads)
        if shards > 1:
            if self._sharded is None:
                self._sharded = ShardedStep(self.model, shards)
            return self._sharded(x, target, config.beta, device, precision, threads // shards)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        if explicit_step.supports(self.model, x, precision):  # the backward pass written out
            return explicit_step.backward(self.model, x, config.beta, target)
        with autocast(device, precision):
            terms = batch_loss(self.model, x, config.beta, target)
        terms.total.backward()
        return terms

    @contextlib.contextmanager
    def _nan_guard(self, epoch: int, step: int, good_state: dict):
        """Turn BCE's refusal of NaN outputs ("should be between 0 and 1") into a divergence."""
        try:
            yield
        except RuntimeError as exc:
            if "between 0 and 1" in str(exc):
                self._diverged(float("nan"), epoch, step, good_state)
            raise

    def _diverged(self, loss: float, epoch: int, step: int, good_state: dict) -> None:
        """Restore the weights of the last finished epoch (the last ones known to give a finite
        test loss) and raise TrainingDiverged."""
        model = self.model
        model.load_state_dict(good_state)
        model.to(memory_format=torch.contiguous_format)
        model.eval()
        done = len(self.history)
        kept = (
            f"The weights from the end of epoch {self.history[-1].epoch} were restored."
            if done
            else "The initial weights were restored."
        )
        raise TrainingDiverged(
            f"Training diverged: the loss became {loss} at epoch {epoch}, batch {step}. {kept} "
            f"Try a lower learning rate (now {self.config.learning_rate:g}).",
            list(self.history),
        )


def _copy_state(model: LatentModel) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


# --- training replay ----------------------------------------------------------------------


@dataclass
class Replay:
    """Codes of the same test images after each epoch (frame 0: before training), float16."""

    indices: np.ndarray  # (N,) test-set indices
    frames: list[np.ndarray] = field(default_factory=list)  # each (N, d) float16

    @classmethod
    def start(cls, test: Split, points: int) -> Replay:
        return cls(subset_indices(test, points) if points else np.zeros(0, dtype=np.int64))

    def record(self, model: LatentModel, test_split: Split) -> np.ndarray | None:
        if len(self.indices) == 0:
            return None
        codes = encode_split(model, test_split.take(self.indices)).numpy().astype(np.float16)
        self.frames.append(codes)
        return codes


# --- evaluation ---------------------------------------------------------------------------


@torch.no_grad()
def evaluate(
    model: LatentModel,
    split: Split,
    beta: float = 1.0,
    *,
    batch_size: int = 500,
    precision: str = "fp32",
) -> dict:
    """Test metrics with z = μ (eval mode): see EpochRecord for the keys."""
    device = next(model.parameters()).device
    n = len(split)
    sq_err = bce = kl = 0.0
    summed = False
    kl_dims = torch.zeros(model.latent_dim, dtype=torch.float64)
    with eval_mode(model):
        for start in range(0, n, batch_size):
            x = to_float(split.images[start : start + batch_size].to(device))
            with autocast(device, precision):
                terms = model.loss(x, beta)
            sq_err += torch.sum((terms.recon.float() - x) ** 2).item()
            summed = terms.summed
            if summed:
                bce += terms.bce.item()
                kl += terms.kl.item()
                kl_dims += terms.kl_elements.sum(0).double().cpu()
    mse = sq_err / (n * 784)
    if not summed:
        return {"test_loss": mse, "test_mse": mse}
    return {
        "test_loss": (bce + beta * kl) / n,
        "test_mse": mse,
        "test_bce": bce / n,
        "test_kl": kl / n,
        "kl_per_dim": (kl_dims / n).tolist(),
    }
