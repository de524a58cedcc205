"""``latent-explorer-train``: train the lab's AE or VAE headless and save a checkpoint.

Progress goes to stderr (a tqdm bar) or, with ``--json``, one JSON object per epoch to stdout.
Bad input ends with a one-line message and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from core import __version__, limits
from core.checkpoint import SUFFIX, CheckpointError, load_checkpoint, save_checkpoint
from core.data import DataError
from core.datasets import load_dataset
from core.models import KINDS, LATENT_MAX, LATENT_MIN, ModelConfig
from core.paths import user_data_dir
from core.training import (
    DEVICES,
    PRECISIONS,
    BatchEnd,
    EpochEnd,
    TrainConfig,
    Trainer,
    TrainingDiverged,
    new_model,
)

PROG = "latent-explorer-train"
JSON_KEYS = ("test_loss", "test_mse", "test_bce", "test_kl")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(f"{message} (see {PROG} --help)")


def build_parser() -> argparse.ArgumentParser:
    defaults = TrainConfig()
    p = _Parser(
        prog=PROG,
        description="Train the lab's convolutional auto-encoder (ae) or VAE (vae) on "
        "Fashion-MNIST and save it as a .safetensors checkpoint for Latent Explorer.",
        epilog="Example: latent-explorer-train --model vae --epochs 10 --out vae.safetensors",
    )
    p.add_argument("--model", choices=KINDS, help="model kind (required unless --resume)")
    p.add_argument(
        "--latent-dim", type=int, metavar="N", help=f"latent size, {LATENT_MIN}–{LATENT_MAX} (default 10)"
    )
    p.add_argument("--epochs", type=int, metavar="N", help=f"epochs to train (default {defaults.epochs})")
    p.add_argument("--batch-size", type=int, metavar="N", help=f"batch size (default {defaults.batch_size})")
    p.add_argument(
        "--lr", type=float, metavar="X", help=f"Adam learning rate (default {defaults.learning_rate:g})"
    )
    p.add_argument(
        "--weight-decay",
        type=float,
        metavar="X",
        help=f"Adam weight decay (default {defaults.weight_decay:g})",
    )
    p.add_argument(
        "--beta", type=float, metavar="X", help=f"weight of the KL term, VAE only (default {defaults.beta:g})"
    )
    p.add_argument(
        "--train-noise",
        type=float,
        metavar="LEVEL",
        help="train a denoising model: the lab's uniform noise at LEVEL on the inputs, clean targets "
        "(default 0: none; the lab's level is 0.5)",
    )
    p.add_argument("--limit", type=int, metavar="N", help="train on the first N training images only")
    p.add_argument("--test-limit", type=int, metavar="N", help="evaluate on the first N test images only")
    p.add_argument(
        "--dataset",
        metavar="NAME|DIR",
        help="fashion-mnist (default; or the model's own with --resume), mnist, kmnist, a folder of "
        "IDX files, or a folder of pictures with one subfolder per class",
    )
    p.add_argument("--data-dir", metavar="DIR", help="folder holding the Fashion-MNIST IDX files")
    p.add_argument("--no-download", action="store_true", help="never download the dataset")
    p.add_argument("--device", choices=DEVICES, help="where to train (default auto: CUDA when present)")
    p.add_argument("--precision", choices=PRECISIONS, help="auto: bf16 where the hardware has it, else fp32")
    p.add_argument("--seed", type=int, metavar="N", help=f"random seed (default {defaults.seed})")
    p.add_argument("--resume", metavar="FILE", help="continue training the model in FILE")
    p.add_argument(
        "--json", action="store_true", help="print one JSON object per epoch instead of a progress bar"
    )
    p.add_argument(
        "--beta-ladder",
        metavar="B1,B2,...",
        help="VAE only: train one VAE per β, one after the other; --out is then a folder that "
        "receives vae-beta{B}.safetensors for each",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help=f"where to save the model ({SUFFIX}); a folder with --beta-ladder",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except (DataError, CheckpointError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing saved.", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"{PROG}: error: out of memory; try a smaller --batch-size or --limit.", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line, with a way to see the traceback
        if os.environ.get("LATENT_EXPLORER_DEBUG"):
            raise
        print(
            f"{PROG}: unexpected error: {type(exc).__name__}: {exc} "
            "(set LATENT_EXPLORER_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.beta_ladder is not None:
        return _ladder(args)
    out = _check_output(args.out)

    resumed = load_checkpoint(args.resume) if args.resume else None
    for warning in resumed.warnings if resumed else []:
        _log(f"warning: {warning}")
    if resumed is not None:
        if args.model and args.model != resumed.kind:
            raise UsageError(f"--model {args.model} but {args.resume} holds a {resumed.kind}")
        if args.latent_dim and args.latent_dim != resumed.model.latent_dim:
            raise UsageError(
                f"--latent-dim {args.latent_dim} but {args.resume} has {resumed.model.latent_dim}"
            )
    elif not args.model:
        raise UsageError("the following arguments are required: --model")

    base = resumed.train_config.to_dict() if resumed and resumed.train_config else TrainConfig().to_dict()
    overrides = {
        "epochs": args.epochs if args.epochs is not None else TrainConfig().epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "weight_decay": args.weight_decay,
        "beta": args.beta,
        "train_noise": args.train_noise,
        "seed": args.seed,
        "device": args.device,
        "precision": args.precision,
        "limit": args.limit,
        "test_limit": args.test_limit,
    }
    base.update({k: v for k, v in overrides.items() if v is not None})
    config = _config(base)

    replay = None
    if resumed is not None:
        model, history = resumed.model, resumed.history
        replay = resumed.replay
    else:
        model = new_model(ModelConfig(args.model, args.latent_dim or 10), config.seed)
        history = []

    data = _load_data(args, resumed)
    _, where = _train_and_save(args, model, config, data, history, replay, out)
    return 0 if where == out else 1


def _load_data(args, resumed=None):
    """The dataset of --dataset (or the resumed model's own), skipped pictures logged."""
    spec = args.dataset or (resumed.dataset.spec if resumed is not None else None)
    try:
        data = load_dataset(spec, args.data_dir, download=not args.no_download, progress=_ConversionBar())
    except MemoryError:  # not the batch size's fault: say which step ran out
        raise DataError(
            "out of memory while reading the dataset; a data file may be damaged or far larger "
            "than Fashion-MNIST (check --data-dir)"
        ) from None
    for line in data.skipped:
        _log(f"skipped {line}")
    if resumed is not None and resumed.dataset.class_names != data.info.class_names:
        raise UsageError(f"{args.resume} learnt {resumed.dataset.name}, not {data.info.name}")
    return data


def _train_and_save(args, model, config, data, history, replay, out: Path, extra=None) -> tuple[bool, Path]:
    """Train, save to out (or, if that fails, next to it); (stopped early by Ctrl-C, where saved)."""
    reporter = _JsonReporter(extra) if args.json else _BarReporter()
    if replay is not None and len(replay.indices) and int(replay.indices.max()) >= len(data.test):
        replay = None  # recorded on another test set: start a new one
    trainer = Trainer(model, config, data, reporter, history, replay=replay)
    n_train = len(data.train.head(config.limit))
    _log(
        f"Training {'an AE' if model.kind == 'ae' else 'a VAE'} (latent {model.latent_dim}) "
        f"for {config.epochs} epoch(s) on {n_train} images from {data.source}, "
        f"{trainer.path}."
    )

    def on_interrupt(signum, frame):  # first Ctrl-C: stop cleanly and save; second: abort
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _log("Stopping after this batch; the model trained so far will be saved. Ctrl-C again to abort.")
        trainer.request_stop()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        result = trainer.run()
    except TrainingDiverged as exc:
        reporter.close()
        if exc.history:
            where = _save(out, model, config, exc.history, trainer.replay, data.info)
            raise ValueError(f"{exc} The last good model was saved to {where}.") from None
        raise ValueError(str(exc)) from None
    finally:
        signal.signal(signal.SIGINT, previous)
        reporter.close()
    where = _save(out, model, config, result.history, trainer.replay, data.info)
    state = "stopped early; saved" if result.stopped else "saved"
    _log(f"{state} {where}")
    return result.stopped, where


def parse_betas(text: str) -> list[float]:
    """"0.1,0.5,1" → [0.1, 0.5, 1.0]; each a valid β, none repeated."""
    betas = []
    for part in text.split(","):
        try:
            beta = float(part)
        except ValueError:
            raise UsageError(f"--beta-ladder: {part.strip()!r} is not a number") from None
        TrainConfig(beta=beta)  # validates the range
        if beta in betas:
            raise UsageError(f"--beta-ladder: β {beta:g} appears twice")
        betas.append(beta)
    return betas


def ladder_name(beta: float) -> str:
    """The file of one rung: vae-beta0.5.safetensors, vae-beta1.safetensors."""
    return f"vae-beta{beta:g}{SUFFIX}"


def _config(settings: dict) -> TrainConfig:
    """The training settings of the arguments, within the ranges the app's widgets take (so
    the file opens there as it was made); UsageError naming the option otherwise."""
    try:
        limits.check_train_settings(settings)
    except ValueError as exc:
        name, _, rest = str(exc).partition(" ")
        option = {"learning_rate": "lr"}.get(name, name.replace("_", "-"))
        raise UsageError(f"--{option} {rest}") from None
    return TrainConfig.from_dict(settings)


def _ladder(args) -> int:
    """One VAE per β, the same settings and seed otherwise, written into the --out folder."""
    if args.model != "vae":
        raise UsageError("--beta-ladder needs --model vae")
    if args.resume or args.beta is not None:
        raise UsageError("--beta-ladder cannot be combined with --resume or --beta")
    betas = parse_betas(args.beta_ladder)
    folder = Path(args.out).expanduser()
    if folder.suffix.lower() == SUFFIX:
        raise UsageError(f"--out must be a folder with --beta-ladder, got {folder.name!r}")
    if not folder.parent.is_dir():
        raise UsageError(f"--out: the folder {folder.parent} does not exist")
    folder.mkdir(exist_ok=True)
    outs = [_check_output(str(folder / ladder_name(beta))) for beta in betas]
    overrides = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "weight_decay": args.weight_decay,
        "train_noise": args.train_noise,
        "seed": args.seed,
        "device": args.device,
        "precision": args.precision,
        "limit": args.limit,
        "test_limit": args.test_limit,
    }
    base = {k: v for k, v in overrides.items() if v is not None}
    configs = [_config({**base, "beta": beta}) for beta in betas]  # all checked first
    data = _load_data(args)
    for rung, (beta, config, out) in enumerate(zip(betas, configs, outs, strict=True), 1):
        _log(f"β ladder: β = {beta:g} ({rung}/{len(betas)})")
        model = new_model(ModelConfig("vae", args.latent_dim or 10), config.seed)
        stopped, where = _train_and_save(args, model, config, data, [], None, out, {"beta": beta})
        if where != out:
            _log(f"β ladder stopped: could not write {out}")
            return 1
        if stopped:
            _log(f"β ladder stopped: {rung} of {len(betas)} models in {folder}")
            return 0
    _log(f"β ladder: {len(betas)} models in {folder}")
    return 0


def _save(out: Path, model, config: TrainConfig, history, replay, dataset=None) -> Path:
    """Save to out; if that fails after all (disk full, the folder gone), next to it under
    another name, then in the app's folder: the trained model is never lost. Says where."""
    try:
        return save_checkpoint(out, model, config, history, replay=replay, dataset=dataset)
    except CheckpointError as exc:
        failure = exc
    stamp = time.strftime("%Y%m%d-%H%M%S")
    fallbacks = [
        out.with_name(f"{out.name.removesuffix(SUFFIX)}-{stamp}{SUFFIX}"),
        user_data_dir() / "unsaved" / f"{out.name.removesuffix(SUFFIX)}-{stamp}{SUFFIX}",
    ]
    for place in fallbacks:
        try:
            place.parent.mkdir(parents=True, exist_ok=True)
            save_checkpoint(place, model, config, history, replay=replay, dataset=dataset)
        except (OSError, CheckpointError):
            continue
        _log(f"{PROG}: error: {failure} The model was saved to {place} instead.")
        return place
    raise CheckpointError(f"{failure} Saving it next to it and in {fallbacks[1].parent} failed too.")


def _check_output(name: str) -> Path:
    """Refuse a bad --out before spending time on training."""
    out = Path(name).expanduser()
    if out.suffix.lower() != SUFFIX:
        raise UsageError(f"--out must end in {SUFFIX}, got {out.name!r}")
    folder = out.parent
    if not folder.is_dir():
        raise UsageError(f"--out: the folder {folder} does not exist")
    if out.is_dir():
        raise UsageError(f"--out: {out} is a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(f"--out: cannot write in {folder} ({exc.strerror or exc})") from None
    return out


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def epoch_json(event: EpochEnd) -> dict:
    """The contract's per-epoch object: epoch, seconds, train_loss and the test metrics."""
    r = event.record
    line = {"epoch": r.epoch, "seconds": round(r.seconds, 3), "train_loss": r.train_loss}
    line.update({k: r.test[k] for k in JSON_KEYS if k in r.test})
    if not r.complete:
        line["complete"] = False
    if event.path:
        line["path"] = event.path
    return line


class _ConversionBar:
    """A progress bar on stderr while a folder of pictures is converted (not shown for a cache)."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if self.bar is None:
            if done == total:
                return  # read from the cache at once
            self.bar = tqdm(total=total, unit="image", desc="converting", file=sys.stderr, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)
        if done == total:
            self.bar.close()


class _JsonReporter:
    def __init__(self, extra: dict | None = None) -> None:
        self.extra = extra or {}  # e.g. the β of a ladder's rung

    def __call__(self, event) -> None:
        if isinstance(event, EpochEnd):
            print(json.dumps({**epoch_json(event), **self.extra}), flush=True)

    def close(self) -> None:
        pass


class _BarReporter:
    """One transient bar per epoch, replaced by that epoch's summary line when it ends.

    A single bar for the run, with ``tqdm.write`` for the summaries, drew the bar again under
    the last summary line, so a finished run ended on a stale bar.
    """

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, event) -> None:
        from tqdm import tqdm

        if isinstance(event, BatchEnd):
            if self.bar is None:
                epochs = math.ceil(event.run_steps / event.steps)
                done = (event.run_step - 1) // event.steps
                self.bar = tqdm(
                    total=event.steps,
                    initial=event.step - 1,
                    unit="batch",
                    file=sys.stderr,
                    dynamic_ncols=True,
                    leave=False,
                    desc=f"epoch {event.epoch} ({done + 1}/{epochs})",
                )
            if event.step % 10 == 0 or event.step == event.steps:
                self.bar.set_postfix_str(f"loss {event.loss:.4g}", refresh=False)
            self.bar.update(1)
        elif isinstance(event, EpochEnd):
            self.close()  # leave=False: the bar is erased, the summary takes its line
            r = event.record
            parts = [
                f"epoch {r.epoch}",
                f"{r.seconds:.1f} s",
                f"train {r.train_loss:.5g}",
                f"test {r.test['test_loss']:.5g}",
            ]
            if "test_bce" in r.test:
                parts.append(f"(BCE {r.test['test_bce']:.1f} + KL {r.test['test_kl']:.1f})")
            parts.append(f"MSE/pixel {r.test['test_mse']:.5f}")
            _log("  ".join(parts))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


if __name__ == "__main__":
    sys.exit(main())
