"""``--precision auto`` on a CPU: the faster of fp32 and bf16, measured on this machine once.

bf16 is only a candidate where the CPU computes it natively (AVX512-BF16, AMX); elsewhere it is
emulated, several times slower, and fp32 is the answer without measuring. Where it is native,
a few training steps of the lab's VAE in each precision decide, and the answer is kept in the
app's cache folder, keyed by what could change it (CPU model and flags, the instruction limits
set in the environment, torch's version, the thread count). bf16 must be clearly faster (by
10 %) to be chosen: fp32 computes the lab's numbers exactly, and a probe on a busy machine is
noisy.
"""

from __future__ import annotations

import json
import os
import statistics
import time

import torch

from core.paths import user_cache_dir
from core import runtime
from core.runtime import (
    INTRA_OP_THREADS,
    autocast,
    cpu_flags,
    cpu_has_native_bf16,
    cpu_model,
    memory_format,
    shards_for,
)

__all__ = ["PrecisionChoice", "choose_cpu_precision", "cached_cpu_precision", "resolve_precision"]

CACHE_FILE = "precision.json"
PROBE = "step 2"  # what the probe measures: a new value measures again (2: fp32's explicit step)
MARGIN = 0.9  # bf16 wins only below this fraction of fp32's step time
_chosen: dict[str, PrecisionChoice] = {}


class PrecisionChoice(dict):
    """{"precision": "bf16" | "fp32", "fp32_ms": …, "bf16_ms": …} (milliseconds per step)."""

    @property
    def precision(self) -> str:
        return self["precision"]


def _machine_key() -> str:
    flags = ",".join(sorted(f for f in cpu_flags() if "avx" in f or "amx" in f))
    limits = ",".join(os.environ.get(v, "") for v in ("ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY"))
    return f"{cpu_model()}|{flags}|{limits}|torch {torch.__version__}|{INTRA_OP_THREADS} threads|{PROBE}"


def _step_times(steps: int = 8, warm_up: int = 2) -> tuple[float, float]:
    """The median times (ms) of a training step of the lab's VAE (batch 128) in fp32 and in
    bf16, as the trainer computes them (layout, batch in parts), one step of each in turn so
    that a busy moment of the machine weighs on both alike."""
    from core import explicit_step
    from core.adam import adam
    from core.models import ModelConfig, build_model
    from core.sharded_step import ShardedStep

    device = torch.device("cpu")
    x = (torch.rand(128, 1, 28, 28, generator=torch.Generator().manual_seed(0)) > 0.5).float()
    runs = {}
    for precision in ("fp32", "bf16"):
        torch.manual_seed(0)
        model = build_model(ModelConfig("vae", 10)).train().to(memory_format=memory_format(device, precision))
        shards = shards_for(device, precision, INTRA_OP_THREADS)
        runs[precision] = (
            model,
            adam(model.parameters(), device),
            ShardedStep(model, shards) if shards > 1 else None,
            INTRA_OP_THREADS // shards,
        )

    def step(precision: str) -> float:
        model, optimizer, sharded, threads = runs[precision]
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        if sharded is not None:
            sharded(x, x, 1.0, device, precision, threads)
        elif explicit_step.supports(model, x, precision):
            torch.set_num_threads(threads)
            explicit_step.backward(model, x, 1.0)
        else:
            torch.set_num_threads(threads)
            with autocast(device, precision):
                terms = model.loss(x, 1.0, x)
            terms.total.backward()
        optimizer.step()
        return (time.perf_counter() - start) * 1000

    times: dict[str, list[float]] = {"fp32": [], "bf16": []}
    try:
        for i in range(warm_up + steps):
            for precision in ("fp32", "bf16"):
                ms = step(precision)
                if i >= warm_up:
                    times[precision].append(ms)
    finally:
        for _, _, sharded, _ in runs.values():
            if sharded is not None:
                sharded.close()
    return statistics.median(times["fp32"]), statistics.median(times["bf16"])


def _read_cache() -> dict:
    try:
        with open(user_cache_dir() / CACHE_FILE, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _valid(entry) -> bool:
    return isinstance(entry, dict) and entry.get("precision") in ("bf16", "fp32")


def cached_cpu_precision() -> PrecisionChoice | None:
    """The choice made on this machine before, without measuring (None: not measured yet)."""
    key = _machine_key()
    if key in _chosen:
        return _chosen[key]
    entry = _read_cache().get(key)
    if _valid(entry):
        _chosen[key] = PrecisionChoice(entry)
        return _chosen[key]
    return None


def choose_cpu_precision() -> PrecisionChoice:
    """The precision "auto" trains in on this CPU: measured once, then read back."""
    if not cpu_has_native_bf16():
        return PrecisionChoice(precision="fp32", reason="bf16 is not native on this CPU")
    cached = cached_cpu_precision()
    if cached is not None:
        return cached
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(INTRA_OP_THREADS)
        fp32, bf16 = _step_times()
    finally:
        torch.set_num_threads(threads)
    choice = PrecisionChoice(
        precision="bf16" if bf16 < MARGIN * fp32 else "fp32", fp32_ms=round(fp32, 2), bf16_ms=round(bf16, 2)
    )
    key = _machine_key()
    _chosen[key] = choice
    data = _read_cache()
    data[key] = dict(choice)
    try:
        folder = user_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{CACHE_FILE}.{os.getpid()}.tmp"
        with open(tmp, "x", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, folder / CACHE_FILE)
    except OSError:  # a read-only or full disk: measured again next time
        pass
    return choice


def resolve_precision(name: str, device: torch.device, measure: bool = False) -> str:
    """ "bf16" or "fp32" for training. "auto" picks bf16 only where the hardware runs it
    natively; on such a CPU, the faster of the two, measured once on this machine: ``measure``
    lets this call measure it, else the choice made before is used (bf16 until measured)."""
    precision = runtime.resolve_precision(name, device)
    if name != "auto" or precision != "bf16" or device.type != "cpu":
        return precision
    choice = choose_cpu_precision() if measure else cached_cpu_precision()
    return choice.precision if choice is not None else "bf16"
