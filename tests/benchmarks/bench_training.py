"""Benchmark: the lab's pipeline versus our trainer, same data, same epochs, one run.

    .venv/bin/python tests/benchmarks/bench_training.py --model both --epochs 10

The lab's side is its own code (tests/benchmarks/lab_reference.py): torchvision's FashionMNIST
with ToTensor through a DataLoader, fp32, batch 128. Ours is ``Trainer`` with default settings.
Prints each pipeline's seconds per epoch (training loop only, as the lab times it), their
ratio, and both test metrics with their relative difference. Timings on a shared machine are
noisy: compare the ratio, not the absolute seconds, and only within one run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lab_reference as lab  # noqa: E402

from core.data import SPLIT_FILES, find_data_folder, load_fashion_mnist  # noqa: E402
from core.models import ModelConfig  # noqa: E402
from core.training import EpochEnd, TrainConfig, Trainer, new_model  # noqa: E402


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


def run_lab(kind: str, epochs: int, root: Path, seed: int) -> tuple[list[float], dict]:
    from torchvision.datasets import FashionMNIST
    from torchvision.transforms import ToTensor

    train = FashionMNIST(root=str(root), train=True, download=False, transform=ToTensor())
    test = FashionMNIST(root=str(root), train=False, download=False, transform=ToTensor())
    torch.manual_seed(seed)
    times: list[float] = []

    def on_epoch(epoch, seconds):
        times.append(seconds)
        print(f"  lab  {kind} epoch {epoch}: {seconds:.2f} s", flush=True)

    if kind == "ae":
        net = lab.train_ae(lab.AutoEncoder(10), train, epochs=epochs, on_epoch=on_epoch)
    else:
        net = lab.train_vae(lab.VariationalAutoencoder(10), train, epochs=epochs, on_epoch=on_epoch)
    return times, lab.test_metrics(net, test)


def run_ours(kind: str, epochs: int, data, seed: int) -> tuple[list[float], dict, str]:
    times: list[float] = []
    last: dict = {}

    def callback(event):
        if isinstance(event, EpochEnd):
            times.append(event.record.seconds)
            last.update(event.record.test)
            print(
                f"  ours {kind} epoch {event.record.epoch}: {event.record.seconds:.2f} s "
                f"(+ {event.record.eval_seconds:.2f} s test)",
                flush=True,
            )

    config = TrainConfig(epochs=epochs, seed=seed)
    trainer = Trainer(new_model(ModelConfig(kind, 10), seed), config, data, callback)
    trainer.run()
    return times, last, f"{trainer.device.type}, {trainer.precision}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["ae", "vae", "both"], default="both")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args()

    folder = find_data_folder(args.data_dir)
    if folder is None:
        print("Fashion-MNIST not found; see README (Data).", file=sys.stderr)
        return 1
    data = load_fashion_mnist(args.data_dir)
    print(f"data: {folder}; torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
    kinds = ["ae", "vae"] if args.model == "both" else [args.model]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = torchvision_root(folder, Path(tmp))
        for kind in kinds:
            lab_times, lab_metrics = run_lab(kind, args.epochs, root, args.seed)
            our_times, our_metrics, how = run_ours(kind, args.epochs, data, args.seed)
            lab_epoch, our_epoch = statistics.mean(lab_times), statistics.mean(our_times)
            results[kind] = {
                "epochs": args.epochs,
                "lab_seconds_per_epoch": lab_epoch,
                "ours_seconds_per_epoch": our_epoch,
                "ratio": our_epoch / lab_epoch,
                "ours_setup": how,
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
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
