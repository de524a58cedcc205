"""Benchmark: the lab's pipeline versus our trainer, same data, same epochs, one run.

    .venv/bin/python tests/benchmarks/bench_training.py --model both --epochs 10
    # a student's fp32 laptop, emulated on a bigger CPU (both sides limited alike):
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 .venv/bin/python \
        tests/benchmarks/bench_training.py --model vae --precision fp32 --limit 12800 --rounds 3

The lab's side is its own code (tests/benchmarks/lab_reference.py): torchvision's FashionMNIST
with ToTensor through a DataLoader, fp32, batch 128. Ours is ``Trainer`` with default settings.
Prints each pipeline's seconds per epoch (training loop only, as the lab times it), their
ratio, and both test metrics with their relative difference. With ``--rounds`` the two
pipelines alternate (lab, ours, lab, ours, ...) and each round's ratio is printed; the summary
gives the median. The CPU's model and flags and the path ours ran are printed first, so figures
from different machines are never mixed up. Timings on a shared machine are noisy: compare the
ratio, not the absolute seconds, and only within one run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lab_reference as lab  # noqa: E402

from core.data import SPLIT_FILES, find_data_folder, load_fashion_mnist  # noqa: E402
from core.models import ModelConfig  # noqa: E402
from core.runtime import cpu_isa  # noqa: E402
from core.training import BatchEnd, EpochEnd, TrainConfig, Trainer, new_model  # noqa: E402

# CPU seconds per epoch, of this process only: the lab AE's DataLoader workers (num_workers=2)
# are not counted, so compare CPU time on the VAE.
CPU_SECONDS: dict[str, list[float]] = {"lab": [], "ours": []}


def torchvision_root(folder: Path, root: Path) -> Path:
    """Lay our IDX files out as torchvision expects them (raw, uncompressed)."""
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for stems in SPLIT_FILES.values():
        for stem in stems[:2]:
            source = folder / stem
            if source.is_file():
                shutil.copyfile(source, raw / stem)
            else:
                (raw / stem).write_bytes(gzip.decompress((folder / (stem + ".gz")).read_bytes()))
    return root


FLAGS_OF_INTEREST = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "avx_vnni")


def cpu_description() -> str:
    """The CPU's model, its relevant flags, and any instruction-set limit in force."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name") and model in ("", platform.machine(), platform.processor()):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    shown = " ".join(f for f in FLAGS_OF_INTEREST if f in flags) or "(flags unknown)"
    limits = " ".join(
        f"{k}={os.environ[k]}" for k in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA") if k in os.environ
    )
    return (
        f"cpu: {model}, {os.cpu_count()} logical cores; flags: {shown}; "
        f"torch kernels: {cpu_isa()}" + (f"; limited by {limits}" if limits else "")
    )


def run_lab(kind: str, epochs: int, root: Path, seed: int, limit: int | None = None) -> tuple[list[float], dict]:
    from torch.utils.data import Subset
    from torchvision.datasets import FashionMNIST
    from torchvision.transforms import ToTensor

    train = FashionMNIST(root=str(root), train=True, download=False, transform=ToTensor())
    if limit is not None:
        train = Subset(train, range(min(limit, len(train))))
    test = FashionMNIST(root=str(root), train=False, download=False, transform=ToTensor())
    torch.manual_seed(seed)
    times: list[float] = []
    cpu = [time.process_time()]

    def on_epoch(epoch, seconds):
        times.append(seconds)
        cpu.append(time.process_time())
        print(f"  lab  {kind} epoch {epoch}: {seconds:.2f} s, {cpu[-1] - cpu[-2]:.2f} s of CPU", flush=True)

    if kind == "ae":
        net = lab.train_ae(lab.AutoEncoder(10), train, epochs=epochs, on_epoch=on_epoch)
    else:
        net = lab.train_vae(lab.VariationalAutoencoder(10), train, epochs=epochs, on_epoch=on_epoch)
    CPU_SECONDS["lab"].extend(b - a for a, b in zip(cpu, cpu[1:]))
    return times, lab.test_metrics(net, test)


def run_ours(
    kind: str, epochs: int, data, seed: int, limit: int | None = None, precision: str = "auto"
) -> tuple[list[float], dict, str]:
    times: list[float] = []
    last: dict = {}
    marks: dict[str, float] = {}

    def callback(event):
        if isinstance(event, BatchEnd) and event.step in (1, event.steps):
            marks["first" if event.step == 1 else "last"] = time.process_time()
        elif isinstance(event, EpochEnd):
            times.append(event.record.seconds)
            last.update(event.record.test)
            # CPU time from the end of the epoch's first batch to the end of its last, scaled
            # to the whole epoch (its evaluation excluded, as the lab's timing excludes it).
            steps = -(-len(data.train.head(limit)) // 128)
            cpu = (marks["last"] - marks["first"]) * steps / max(1, steps - 1)
            CPU_SECONDS["ours"].append(cpu)
            print(
                f"  ours {kind} epoch {event.record.epoch}: {event.record.seconds:.2f} s "
                f"(+ {event.record.eval_seconds:.2f} s test), ~{cpu:.2f} s of CPU",
                flush=True,
            )

    config = TrainConfig(epochs=epochs, seed=seed, limit=limit, precision=precision)
    trainer = Trainer(new_model(ModelConfig(kind, 10), seed), config, data, callback)
    trainer.run()
    return times, last, trainer.path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["ae", "vae", "both"], default="both")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir")
    parser.add_argument("--limit", type=int, help="train both on the first N training images only")
    parser.add_argument("--precision", choices=["auto", "bf16", "fp32"], default="auto", help="ours")
    parser.add_argument("--rounds", type=int, default=1, help="alternate lab and ours this many times")
    parser.add_argument(
        "--threads",
        type=int,
        help="torch threads for both (1: CPU seconds measure the work itself, robust to a loaded machine)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args()

    folder = find_data_folder(args.data_dir)
    if folder is None:
        print("Fashion-MNIST not found; see README (Data).", file=sys.stderr)
        return 1
    data = load_fashion_mnist(args.data_dir)
    if args.threads:
        torch.set_num_threads(args.threads)
        import core.runtime

        core.runtime.INTRA_OP_THREADS = args.threads  # the trainer would take them all back
    print(f"data: {folder}; torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
    print(cpu_description(), flush=True)
    kinds = ["ae", "vae"] if args.model == "both" else [args.model]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = torchvision_root(folder, Path(tmp))
        for kind in kinds:
            rounds = []
            CPU_SECONDS["lab"].clear()
            CPU_SECONDS["ours"].clear()
            for number in range(1, args.rounds + 1):
                lab_times, lab_metrics = run_lab(kind, args.epochs, root, args.seed, args.limit)
                our_times, our_metrics, how = run_ours(
                    kind, args.epochs, data, args.seed, args.limit, args.precision
                )
                lab_epoch, our_epoch = statistics.mean(lab_times), statistics.mean(our_times)
                rounds.append((lab_epoch, our_epoch))
                print(f"  round {number}: {kind} ratio {our_epoch / lab_epoch:.3f}", flush=True)
            ratios = [ours / lab for lab, ours in rounds]
            results[kind] = {
                "epochs": args.epochs,
                "limit": args.limit,
                "lab_seconds_per_epoch": statistics.median(lab for lab, _ in rounds),
                "ours_seconds_per_epoch": statistics.median(ours for _, ours in rounds),
                "ratio": statistics.median(ratios),
                "ratios": ratios,
                "cpu_ratio": statistics.median(CPU_SECONDS["ours"]) / statistics.median(CPU_SECONDS["lab"]),
                "ours_setup": how,
                "cpu": cpu_description(),
                "lab": lab_metrics,
                "ours": our_metrics,
            }
    print()
    print(
        f"{'model':5} {'epochs':>6} {'lab s/epoch':>11} {'ours s/epoch':>12} {'ratio':>6}   "
        "metric: lab → ours (difference)"
    )
    for kind, r in results.items():
        keys = ["test_mse"] if kind == "ae" else ["test_bce", "test_kl", "test_loss"]
        metrics = "; ".join(
            f"{k} {r['lab'][k]:.5g} → {r['ours'][k]:.5g} ({100 * (r['ours'][k] / r['lab'][k] - 1):+.2f}%)"
            for k in keys
        )
        print(
            f"{kind:5} {r['epochs']:>6} {r['lab_seconds_per_epoch']:>11.2f} "
            f"{r['ours_seconds_per_epoch']:>12.2f} "
            f"{r['ratio']:>6.2f}   {metrics}   [ours: {r['ours_setup']}]"
        )
        print(f"      CPU-time ratio (median epochs, this process): {r['cpu_ratio']:.3f}")
        if len(r["ratios"]) > 1:
            print(f"      ratios of the {len(r['ratios'])} rounds: " + ", ".join(f"{x:.3f}" for x in r["ratios"]))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
