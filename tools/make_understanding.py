"""Make what the Understanding view ships and the figures the README quotes.

    .venv/bin/python tools/make_understanding.py pca       # resources/models/pca-fashion-mnist.npz
    .venv/bin/python tools/make_understanding.py ladder DIR  # DIR/vae-beta*.safetensors → resources
    .venv/bin/python tools/make_understanding.py figures   # PCA vs AE, ELBO vs IWAE (bundled models)
    .venv/bin/python tools/make_understanding.py denoising FILE  # FILE → resources/models/ae-denoising

``pca`` fits the 64 leading principal axes of the full training split (any AE latent size up to 64
takes the first ones). ``ladder`` takes the files written by
``latent-explorer-train --model vae --beta-ladder ... --out DIR``, evaluates each on the full test
split and on the bundled sample, stores the figures in its metadata (key "bundle", as
tools/make_bundle.py does) and copies it to resources/models/ladder/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from core.analysis import PCABaseline, dimension_summary, likelihood_bounds  # noqa: E402
from core.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from core.data import load_fashion_mnist, load_sample  # noqa: E402
from core.training import evaluate  # noqa: E402

MODELS = ROOT / "resources" / "models"
PCA_FILE = MODELS / "pca-fashion-mnist.npz"
LADDER = MODELS / "ladder"
KEYS = ("test_loss", "test_mse", "test_bce", "test_kl")


def _machine() -> str:
    """The CPU's model and flags, and the path training took here (precision, layout, ISA)."""
    sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
    from bench_tsne import cpu_description

    from core.runtime import describe_path, resolve_precision

    device = torch.device("cpu")
    return f"{cpu_description()}; training path: {describe_path(device, resolve_precision('auto', device))}"


def make_pca(data_dir: str | None) -> None:
    data = load_fashion_mnist(data_dir)
    start = time.perf_counter()
    pca = PCABaseline.fit(data.train.images, 64)
    pca.save(PCA_FILE)
    print(f"fitted 64 axes on {len(data.train):,} images in {time.perf_counter() - start:.1f} s → {PCA_FILE}")


def make_ladder(folder: Path, data_dir: str | None) -> None:
    data = load_fashion_mnist(data_dir)
    sample = load_sample()
    LADDER.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("vae-beta*.safetensors")):
        checkpoint = load_checkpoint(path)
        beta = checkpoint.train_config.beta
        full = {k: round(float(v), 6) for k, v in evaluate(checkpoint.model, data.test, beta).items() if k in KEYS}
        on_sample = {
            k: round(float(v), 6) for k, v in evaluate(checkpoint.model, sample.test, beta).items() if k in KEYS
        }
        summary = dimension_summary(checkpoint.model, data.test)
        bundle = {
            "command": "latent-explorer-train --model vae --beta-ladder 0.1,0.5,2,4,8 --epochs 10 --seed 0",
            "trained_on": f"{len(data.train):,} training images ({data.source})",
            "date": datetime.date.today().isoformat(),
            "torch": torch.__version__,
            "machine": _machine(),
            "test_metrics": full,
            "sample_metrics": on_sample,
            "active_units": summary.active_units,
            "seconds": round(sum(r.seconds for r in checkpoint.history), 1),
        }
        extra = dict(checkpoint.metadata.get("extra") or {})
        extra["bundle"] = bundle
        out = LADDER / path.name
        save_checkpoint(
            out, checkpoint.model, checkpoint.train_config, checkpoint.history, extra=extra, replay=checkpoint.replay
        )
        print(
            f"| {beta:g} | {full['test_bce']:.1f} | {full['test_kl']:.2f} | {summary.active_units} | "
            f"{full['test_mse']:.5f} | {bundle['seconds']:.0f} s |",
            flush=True,
        )


def make_denoising(path: Path, data_dir: str | None) -> None:
    """A denoising AE (latent-explorer-train --model ae --train-noise 0.5 ...) into resources, with
    its figures and the plain bundled AE's on the same noisy test images (the lab's noise 0.5)."""
    from core.analysis import compare_denoising

    data = load_fashion_mnist(data_dir)
    checkpoint = load_checkpoint(path)
    plain = load_checkpoint(MODELS / "ae.safetensors").model
    level = checkpoint.train_config.train_noise
    result = compare_denoising([plain, checkpoint.model], data.test.images, level, seed=0)
    bundle = {
        "command": f"latent-explorer-train --model ae --train-noise {level:g} --epochs 10 --seed 0",
        "trained_on": f"{len(data.train):,} training images ({data.source})",
        "date": datetime.date.today().isoformat(),
        "torch": torch.__version__,
        "machine": _machine(),
        "test_metrics": {k: round(float(v), 6) for k, v in evaluate(checkpoint.model, data.test).items()},
        "noisy_test_mse": {
            "noisy_input": round(result.noisy_mse, 6),
            "plain_ae": round(result.mse[0], 6),
            "denoising_ae": round(result.mse[1], 6),
        },
        "seconds": round(sum(r.seconds for r in checkpoint.history), 1),
    }
    extra = dict(checkpoint.metadata.get("extra") or {})
    extra["bundle"] = bundle
    out = MODELS / "ae-denoising.safetensors"
    save_checkpoint(
        out, checkpoint.model, checkpoint.train_config, checkpoint.history, extra=extra, replay=checkpoint.replay
    )
    print(json.dumps(bundle, indent=2))


def figures(data_dir: str | None, k: int, images: int) -> None:
    """PCA-d vs the bundled AE on the full test split; ELBO vs IWAE of the bundled VAE."""
    data = load_fashion_mnist(data_dir)
    ae = load_checkpoint(MODELS / "ae.safetensors").model
    vae = load_checkpoint(MODELS / "vae.safetensors").model
    pca = PCABaseline.load(PCA_FILE).truncated(ae.latent_dim)
    ae_mse = evaluate(ae, data.test)["test_mse"]
    pca_mse = pca.mse(data.test.images)
    print(json.dumps({"pca_dims": ae.latent_dim, "pca_mse": pca_mse, "ae_mse": ae_mse, "ratio": pca_mse / ae_mse}))
    torch.set_num_threads(torch.get_num_threads())
    split = load_sample().test.head(images)
    estimate = likelihood_bounds(vae, split, k, seed=0)
    metrics = evaluate(vae, split, 1.0)
    print(
        json.dumps(
            {
                "k": k,
                "images": len(split),
                "elbo": estimate.elbo,
                "iwae": estimate.iwae,
                "gap": estimate.gap,
                "minus_test_loss_at_mu": -metrics["test_loss"],
                "seconds": round(estimate.seconds, 2),
                "machine": _machine(),
                "threads": torch.get_num_threads(),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("pca", "ladder", "denoising", "figures"))
    parser.add_argument("folder", nargs="?", help="ladder: the folder written by --beta-ladder; denoising: the file")
    parser.add_argument("--data-dir")
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--images", type=int, default=2000)
    args = parser.parse_args()
    if args.what == "pca":
        make_pca(args.data_dir)
    elif args.what == "ladder":
        if not args.folder:
            parser.error("ladder needs the folder written by --beta-ladder")
        make_ladder(Path(args.folder), args.data_dir)
    elif args.what == "denoising":
        if not args.folder:
            parser.error("denoising needs the file written by latent-explorer-train --train-noise")
        make_denoising(Path(args.folder), args.data_dir)
    else:
        figures(args.data_dir, args.k, args.images)
    return 0


if __name__ == "__main__":
    sys.exit(main())
