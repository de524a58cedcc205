"""Training and evaluation of the lab's models, headless and fast.

The trainer batches by index from the uint8 split (no DataLoader, no per-image conversion),
runs the forward pass under bf16 autocast with channels-last weights on CPUs with native bf16
(fp32 elsewhere or on request), and reports through a callback of plain dataclasses.
Between batches it honours pause, resume and stop requests from any thread.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch

from core.data import Dataset, Split, add_uniform_noise, to_float
from core.losses import LossTerms, ae_loss, kl_divergence, vae_loss
from core.models import LatentModel, ModelConfig, build_model

DEVICES = ("auto", "cpu", "cuda")
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


# --- device and precision -----------------------------------------------------------------


def resolve_device(name: str = "auto") -> torch.device:
    """CUDA when present (for "auto"), else the CPU. Asking for CUDA without one is an error."""
    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ValueError("CUDA was requested but no CUDA GPU is available; use --device cpu.")
        return torch.device("cuda")
    return torch.device("cpu")


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX); emulated bf16 is slower."""
    try:
        if not torch.ops.mkldnn._is_mkldnn_bf16_supported():
            return False
    except (AttributeError, RuntimeError):
        return False
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        with contextlib.suppress(OSError):
            flags = cpuinfo.read_text(errors="replace")
            return "avx512_bf16" in flags or "amx_bf16" in flags
    # Elsewhere (macOS on Apple silicon, Windows) trust oneDNN's own check only on arm64.
    import platform

    return platform.machine().lower() in ("arm64", "aarch64")


def resolve_precision(name: str, device: torch.device) -> str:
    """ "bf16" or "fp32". "auto" picks bf16 where the hardware runs it natively."""
    if name == "fp32":
        return "fp32"
    if device.type == "cuda":
        supported = torch.cuda.is_bf16_supported()
    else:
        supported = cpu_has_native_bf16()
    if name == "bf16" and not supported:
        raise ValueError(f"bf16 is not supported natively on this {device.type.upper()}; use fp32.")
    return "bf16" if supported else "fp32"


# torch's intra-op thread count as it was at start-up (one per core by default).
INTRA_OP_THREADS = torch.get_num_threads()


def use_all_threads() -> None:
    """Give the calling thread torch's full intra-op thread count (call it in worker threads).

    OpenMP's thread count is a per-thread setting, and libgomp throttles its spin-waiting as
    soon as it manages more threads than there are cores: a worker thread training while the
    GUI thread also owns a team runs every parallel op several times slower (measured here:
    element-wise ops 3.5×, a whole epoch 2×). So the GUI keeps torch to one thread
    (``single_threaded()``) and workers take them all.
    """
    torch.set_num_threads(INTRA_OP_THREADS)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_malloc_tuned = False


def keep_freed_memory() -> None:
    """Let glibc reuse freed blocks for the activations of each step instead of mapping fresh,
    zero-filled pages every time (once per process; Linux with glibc only).

    glibc serves blocks above its mmap threshold (128 kB at start) with mmap and returns them at
    free. It raises the threshold by itself after freeing a big block, which reading the gzipped
    dataset happens to do, but not after one above 32 MB, such as a dataset received through a
    pipe. Measured here: a VAE epoch took 6.5–7.2 s instead of 5.4 s without this.
    """
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "mallopt"):
            libc.mallopt(_M_MMAP_THRESHOLD, 64 << 20)
            libc.mallopt(_M_TRIM_THRESHOLD, 128 << 20)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def single_threaded() -> None:
    """Run the calling thread's torch ops on one core: for a GUI thread that only decodes."""
    torch.set_num_threads(1)


def _autocast(device: torch.device, precision: str):
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


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
    target = x if target is None else target
    output = model(x)
    if model.kind == "vae":
        recon, mu, logvar = output
        return vae_loss(recon, target, mu, logvar, beta)
    return ae_loss(output[0], target)


class SharedFlag:
    """A boolean that a parent and its spawned children share, and that never blocks.

    ``multiprocessing.Event.set()`` takes its Condition's lock and waits until every sleeper
    has woken: a child killed while it slept on the Event (a paused training ended by
    ``kill()``) leaves ``set()`` waiting for ever — Start, Pause, then quit without saving froze
    the window. One byte of shared memory, written without a lock and polled, cannot block.
    """

    POLL = 0.02  # seconds between looks while waiting

    def __init__(self, context, value: bool = False) -> None:
        self._value = context.RawValue("b", int(value))

    def set(self) -> None:
        self._value.value = 1

    def clear(self) -> None:
        self._value.value = 0

    def is_set(self) -> bool:
        return bool(self._value.value)

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(self.POLL)
        return True


class RunControl:
    """Pause, resume and stop requests for a long run, safe from any thread — or from another
    process, given ``SharedFlag``s. None of them ever waits for the run.

    What Pause promises: the run checks it before each batch, so after ``pause()`` at most the
    batch in flight completes; the run then reports ``Paused`` and reports nothing more until
    ``resume()`` or ``request_stop()``.
    """

    def __init__(self, stop_flag=None, run_flag=None) -> None:
        self._stop = stop_flag if stop_flag is not None else threading.Event()
        self._running = run_flag if run_flag is not None else threading.Event()
        if run_flag is None:
            self._running.set()

    def request_stop(self) -> None:
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()


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
    ) -> None:
        """``stop_flag`` / ``run_flag``: Event-like objects (``threading.Event`` or
        ``SharedFlag``) to drive stop and pause from elsewhere; fresh threading Events by default."""
        self.model = model
        self.config = config
        self.data = data
        self.callback = callback or (lambda event: None)
        self.history: list[EpochRecord] = list(history or [])
        self.device = resolve_device(config.device)
        self.precision = resolve_precision(config.precision, self.device)
        super().__init__(stop_flag, run_flag)
        self.paused_seconds = 0.0  # total time spent paused, for ETAs
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
        use_all_threads()
        keep_freed_memory()
        config, device, model = self.config, self.device, self.model
        train = self.data.train.head(config.limit).to(device)
        test = self.data.test.head(config.test_limit).to(device)
        if len(train) == 0 or len(test) == 0:
            raise ValueError("The training and test sets must each hold at least one image.")
        model.to(device)
        if self.precision == "bf16":
            # oneDNN's bf16 convolutions are fastest in channels-last; for 1-channel inputs the
            # input layout does not change, only the weights' and activations'.
            model.to(memory_format=torch.channels_last)
        optimizer = torch.optim.Adam(
            model.parameters(),
            lr=config.learning_rate,
            weight_decay=config.weight_decay,
            **_fused_kwargs(device),
        )
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
                index = order[(step - 1) * config.batch_size : step * config.batch_size]
                x = target = to_float(train.images[index])
                if config.train_noise > 0:  # denoising: noisy inputs, clean targets
                    x = add_uniform_noise(target, config.train_noise, noise)
                with _autocast(device, self.precision), self._nan_guard(epoch, step, good_state):
                    terms = batch_loss(model, x, config.beta, target)
                loss = terms.total.item()
                if not math.isfinite(loss):
                    self._diverged(loss, epoch, step, good_state)
                optimizer.zero_grad(set_to_none=True)
                terms.total.backward()
                optimizer.step()
                b = len(index)
                seen += b
                run_step += 1
                if model.kind == "vae":
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
                train_bce=bce_sum / seen if model.kind == "vae" else None,
                train_kl=kl_sum / seen if model.kind == "vae" else None,
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
            self.callback(EpochEnd(record, last_epoch, frame))
            if stopped:
                break

        model.to(memory_format=torch.contiguous_format)
        model.eval()
        return TrainResult(list(self.history), stopped, str(device), self.precision)

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


def _fused_kwargs(device: torch.device) -> dict:
    # Fused Adam updates all parameters in one kernel; same maths, fewer passes over memory.
    return {"fused": True} if device.type in ("cpu", "cuda") else {}


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
        from core.latent import subset_indices

        return cls(subset_indices(test, points) if points else np.zeros(0, dtype=np.int64))

    def record(self, model: LatentModel, test_split: Split) -> np.ndarray | None:
        if len(self.indices) == 0:
            return None
        index = torch.from_numpy(self.indices)
        subset = Split(test_split.images[index], test_split.labels[index])
        codes = encode_split(model, subset).numpy().astype(np.float16)
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
    was_training = model.training
    model.eval()
    n = len(split)
    sq_err = bce = kl = 0.0
    kl_dims = torch.zeros(model.latent_dim, dtype=torch.float64)
    try:
        for start in range(0, n, batch_size):
            x = to_float(split.images[start : start + batch_size].to(device))
            with _autocast(device, precision):
                output = model(x)
            recon = output[0].float()
            sq_err += torch.sum((recon - x) ** 2).item()
            if model.kind == "vae":
                _, mu, logvar = output
                terms = vae_loss(recon, x, mu, logvar, beta)
                bce += terms.bce.item()
                kl += terms.kl.item()
                kl_dims += kl_divergence(mu, logvar).sum(0).double().cpu()
    finally:
        model.train(was_training)
    mse = sq_err / (n * 784)
    if model.kind == "ae":
        return {"test_loss": mse, "test_mse": mse}
    return {
        "test_loss": (bce + beta * kl) / n,
        "test_mse": mse,
        "test_bce": bce / n,
        "test_kl": kl / n,
        "kl_per_dim": (kl_dims / n).tolist(),
    }


@torch.no_grad()
def encode_split(model: LatentModel, split: Split, batch_size: int = 2000) -> torch.Tensor:
    """Codes (μ for the VAE) of a whole split, (N, d) float32 on the CPU."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        codes = [
            model.encode(to_float(split.images[i : i + batch_size].to(device))).float().cpu()
            for i in range(0, len(split), batch_size)
        ]
    finally:
        model.train(was_training)
    return torch.cat(codes) if codes else torch.zeros(0, model.latent_dim)
