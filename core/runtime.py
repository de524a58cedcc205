"""Where and how the tensors are computed: device, precision, threads and the allocator.

Nothing here knows a model; the trainer, the training child and the GUI ask it once."""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Iterator
from pathlib import Path

import torch


def resolve_device(name: str = "auto") -> torch.device:
    """CUDA when present (for "auto"), else the CPU. Asking for CUDA without one is an error."""
    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ValueError("CUDA was requested but no CUDA GPU is available; use --device cpu.")
        return torch.device("cuda")
    return torch.device("cpu")


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX); emulated bf16 is slower.

    A limit set with ONEDNN_MAX_CPU_ISA (e.g. AVX2, to emulate a student's laptop) is honoured,
    so "auto" then picks fp32 as it would on that laptop."""
    limit = os.environ.get("ONEDNN_MAX_CPU_ISA", "").upper()
    if limit and limit != "ALL" and "BF16" not in limit and "AMX" not in limit:
        return False
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
    return platform.machine().lower() in ("arm64", "aarch64")


def resolve_precision(name: str, device: torch.device) -> str:
    """ "bf16" or "fp32". "auto" picks bf16 where the hardware runs it natively (for training,
    ``core.precision.resolve_precision`` also measures which is faster on this CPU)."""
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


class CoreLoan:
    """The trainer's intra-op threads: all of them, or one fewer while ``lend`` is set (a map
    forming in another process of the app has that core to itself).

    Priorities alone do not share a machine with a trainer: its OpenMP threads meet at a
    barrier after every op, so a core taken for a moment by a low-priority process stalls both
    threads (measured on 2 cores: a nice +10 t-SNE made epochs 1.2–1.4× longer and still
    hardly ran). Lending one core whole costs the trainer less — and the map does form. Read
    between batches; ``torch.set_num_threads`` only when the answer changes.
    """

    def __init__(self, lend=None) -> None:
        self.lend = lend
        self.threads = 0

    def update(self) -> int:
        lent = self.lend is not None and self.lend.is_set()
        wanted = max(1, INTRA_OP_THREADS - 1) if lent else INTRA_OP_THREADS
        if wanted != self.threads:
            torch.set_num_threads(wanted)
            self.threads = wanted
        return wanted


def single_threaded() -> None:
    """Run the calling thread's torch ops on one core: for a GUI thread that only decodes."""
    torch.set_num_threads(1)


def denormals_flushed() -> bool:
    """Whether this thread computes denormal floats (below 1.2e-38) as zero."""
    return bool(torch.tensor([1e-39]).mul(1.0)[0] == 0)


@contextlib.contextmanager
def flushing_denormals() -> Iterator[None]:
    """Compute with denormal floats as zero in this thread (x86's FTZ and DAZ flags; threads it
    starts inherit them), as TensorFlow does by default; its mode is restored after.

    Why: a few weights of a trained model drift below 1.2e-38, and every product with one takes
    the CPU's slow path (microcode, ~100 cycles). Measured on an Intel Xeon limited to AVX2, one
    thread, half a batch through the bundled models: the AE 23.4 ms, flushed 15.8 ms; the VAE
    18.9 and 17.2 ms; fresh weights 16.0 and 17.6 ms either way. Over 10 epochs, both the lab's
    AE epoch (16.7 → 20.2 s) and ours grew by a fifth. Numbers below 1.2e-38 become 0: the loss
    does not see them (the smallest pixel step is 1/255)."""
    before = denormals_flushed()
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if not before:
            torch.set_flush_denormal(False)


def without_denormals(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` with its denormal floats (below 1.2e-38 in fp32) as zero. Checkpoints trained
    before training flushed them hold some (the bundled AE: 149 weights of its decoder), and
    every product with one takes the CPU's slow path: decoding 50 codes with the bundled AE,
    one thread, alternated in one run, 11.9 ms with them and 6.9 ms without."""
    return tensor.masked_fill(tensor.abs() < torch.finfo(tensor.dtype).tiny, 0)


def autocast(device: torch.device, precision: str):
    """bf16 autocast for "bf16", nothing for "fp32"."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def memory_format(device: torch.device, precision: str) -> torch.memory_format:
    """The layout the model's weights and activations train in.

    Channels-last wherever oneDNN computes the convolutions (every CPU, and bf16 anywhere): its
    convolutions and their backward passes run in that layout without reordering each tensor
    first. Measured on an AMD EPYC limited to AVX2 (fp32, one thread, batch 128): a VAE step
    took 56 ms of CPU time instead of 74 ms. For 1-channel inputs the input's layout is the
    same either way; only the weights' and activations' change."""
    if device.type == "cpu" or precision == "bf16":
        return torch.channels_last
    return torch.contiguous_format


def cpu_isa() -> str:
    """The vector instructions PyTorch's CPU kernels use here, as a short name ("AVX2",
    "AVX512", "AVX512-BF16", "AMX"...); honours ATEN_CPU_CAPABILITY / ONEDNN_MAX_CPU_ISA limits."""
    capability = torch.backends.cpu.get_cpu_capability()
    if capability.startswith("AVX512") and cpu_has_native_bf16():
        flags = cpu_flags()
        return "AMX" if "amx_bf16" in flags else "AVX512-BF16"
    return capability.replace("DEFAULT", "no SIMD").replace("ZVECTOR", "z/vector")


def cpu_model() -> str:
    """The CPU's model name ("AMD EPYC", "Intel(R) Xeon(R) …"), or the machine type."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def cpu_flags() -> set[str]:
    cpuinfo = Path("/proc/cpuinfo")
    with contextlib.suppress(OSError):
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def shards_for(device: torch.device, precision: str, threads: int) -> int:
    """How many parts of a batch to compute side by side (``core.sharded_step``): two for fp32
    on a CPU whose kernels are AVX2-class (most students' laptops), with at least two threads;
    one elsewhere. Measured in the trainer on a 2-core AMD EPYC, epochs with halves against
    without: limited to AVX2, fp32 0.82–1.0× (median 0.92×); with AVX-512, fp32 1.01–1.12× and
    bf16 0.99–1.10× (no gain: its kernels already keep both cores busy)."""
    avx512 = cpu_isa().startswith(("AVX512", "AMX"))
    if device.type == "cpu" and precision == "fp32" and threads >= 2 and not avx512:
        return 2
    return 1


def describe_path(device: torch.device, precision: str) -> str:
    """One line saying how training computes, for --json, the CLI and the status bar, e.g.
    "cpu, fp32, channels-last, AVX2" or "cuda (NVIDIA H200), bf16, channels-last"."""
    layout = "channels-last" if memory_format(device, precision) == torch.channels_last else "contiguous"
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)}), {precision}, {layout}"
    path = f"{device.type}, {precision}, {layout}, {cpu_isa()}, {INTRA_OP_THREADS} threads"
    shards = shards_for(device, precision, INTRA_OP_THREADS)
    return path + (f", batch in {shards} parts side by side" if shards > 1 else "")
