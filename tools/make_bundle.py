"""Make what resources/ ships: the sample of the test split and the two pretrained models.

    .venv/bin/python tools/make_bundle.py [--data-dir DIR] [--epochs 10] [--only sample|models]

The models are trained by our own command line, ``latent-explorer-train``, with the lab's
settings (latent 10, batch 128, Adam lr 1e-3, weight decay 1e-5, β 1, full training set), then
evaluated on the full test split and on the sample. The figures go into each checkpoint's
metadata (key "bundle") and into resources/models/README.md, so the app and its tests can check
them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from core.data import load_fashion_mnist, load_sample, write_sample  # noqa: E402
from core.training import evaluate  # noqa: E402

MODELS = ROOT / "resources" / "models"
SAMPLE = ROOT / "resources" / "sample"
KEYS = ("test_loss", "test_mse", "test_bce", "test_kl")


def _metrics(model, split, beta: float) -> dict:
    m = evaluate(model, split, beta)
    return {k: round(float(m[k]), 6) for k in KEYS if k in m}


def make_models(data_dir: str | None, epochs: int) -> list[str]:
    data = load_fashion_mnist(data_dir)
    sample = load_sample(SAMPLE)
    MODELS.mkdir(parents=True, exist_ok=True)
    lines = []
    for kind in ("ae", "vae"):
        out = MODELS / f"{kind}.safetensors"
        command = ["latent-explorer-train", "--model", kind, "--epochs", str(epochs), "--seed", "0"]
        if data_dir:
            command += ["--data-dir", data_dir]
        print("$", " ".join(command), f"--out {out.relative_to(ROOT)}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "core.cli", *command[1:], "--out", str(out)], check=True, cwd=ROOT
        )
        checkpoint = load_checkpoint(out)
        beta = checkpoint.train_config.beta
        full = _metrics(checkpoint.model, data.test, beta)
        on_sample = _metrics(checkpoint.model, sample.test, beta)
        import torch

        bundle = {
            "command": " ".join(command),
            "trained_on": f"{len(data.train):,} training images ({data.source})",
            "date": datetime.date.today().isoformat(),
            "torch": torch.__version__,
            "machine": platform.processor() or platform.machine(),
            "test_metrics": full,
            "sample_metrics": on_sample,
            "seconds": round(sum(r.seconds for r in checkpoint.history), 1),
        }
        extra = dict(checkpoint.metadata.get("extra") or {})
        extra["bundle"] = bundle
        save_checkpoint(
            out,
            checkpoint.model,
            checkpoint.train_config,
            checkpoint.history,
            extra=extra,
            replay=checkpoint.replay,
        )
        print(json.dumps(bundle, indent=2), flush=True)
        lines.append(
            f"| {kind.upper()} | `{bundle['command']}` | "
            + ", ".join(f"{k} {v:g}" for k, v in full.items())
            + " | "
            + ", ".join(f"{k} {v:g}" for k, v in on_sample.items())
            + f" | {bundle['seconds']:.0f} s |"
        )
    return lines


def write_readme(lines: list[str]) -> None:
    text = (
        "# Bundled pretrained models\n\n"
        "Opened at start when no model is given, so the explorer works at once, offline.\n"
        "Both were trained with the lab's settings (latent 10, 10 epochs on the full training set,\n"
        "batch 128, Adam lr 1e-3, weight decay 1e-5, β 1) by `tools/make_bundle.py`, which runs\n"
        "our own `latent-explorer-train` and stores these figures in each file's metadata (key\n"
        "`bundle`); a test checks them against a fresh evaluation on the bundled sample.\n\n"
        "| model | command | full test split (10,000) | bundled sample (2,000) | training time |\n"
        "|---|---|---|---|---|\n" + "\n".join(lines) + "\n\n"
        "Losses as the lab reports them: the AE's test loss is the mean squared error per pixel;\n"
        "the VAE's is BCE + KL summed per image, averaged over the images.\n"
    )
    (MODELS / "README.md").write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--only", choices=("sample", "models"))
    args = parser.parse_args()
    if args.only != "models":
        write_sample(load_fashion_mnist(args.data_dir), SAMPLE)
        print(f"wrote the sample to {SAMPLE.relative_to(ROOT)}")
    if args.only != "sample":
        write_readme(make_models(args.data_dir, args.epochs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
