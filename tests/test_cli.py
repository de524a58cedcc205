import errno
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.checkpoint import load_checkpoint, read_metadata
from core.cli import main

COMMON = ["--batch-size", "64", "--device", "cpu", "--no-download"]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_vae_json_end_to_end(tmp_path, tiny_data_dir, capsys):
    out_file = tmp_path / "vae.safetensors"
    code, out, err = run(
        [
            "--model",
            "vae",
            "--epochs",
            "2",
            "--latent-dim",
            "3",
            "--json",
            "--data-dir",
            str(tiny_data_dir),
            "--out",
            str(out_file),
            *COMMON,
        ],
        capsys,
    )
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["epoch"] for line in lines] == [1, 2]
    for line in lines:
        assert {"epoch", "seconds", "train_loss", "test_loss", "test_mse", "test_bce", "test_kl"} <= set(line)
        assert line["test_loss"] == pytest.approx(line["test_bce"] + line["test_kl"])
    checkpoint = load_checkpoint(out_file)
    assert checkpoint.kind == "vae" and checkpoint.model.latent_dim == 3
    assert [r.epoch for r in checkpoint.history] == [1, 2]
    assert checkpoint.history[-1].test["test_loss"] == pytest.approx(lines[-1]["test_loss"])
    assert "saved" in err


def test_ae_progress_bar_and_limit(tmp_path, tiny_data_dir, capsys):
    out_file = tmp_path / "ae.safetensors"
    code, out, err = run(
        [
            "--model",
            "ae",
            "--epochs",
            "1",
            "--limit",
            "100",
            "--test-limit",
            "50",
            "--data-dir",
            str(tiny_data_dir),
            "--out",
            str(out_file),
            *COMMON,
        ],
        capsys,
    )
    assert code == 0, err
    assert out == ""  # the bar and summaries go to stderr
    assert "on 100 images" in err and "MSE/pixel" in err
    meta = read_metadata(out_file)
    assert meta["train_config"]["limit"] == 100 and meta["kind"] == "ae"


def test_resume_continues_the_history(tmp_path, tiny_data_dir, capsys):
    first = tmp_path / "a.safetensors"
    second = tmp_path / "b.safetensors"
    args = ["--data-dir", str(tiny_data_dir), "--json", *COMMON]
    assert run(["--model", "ae", "--epochs", "1", "--out", str(first), *args], capsys)[0] == 0
    code, out, err = run(["--resume", str(first), "--epochs", "2", "--out", str(second), *args], capsys)
    assert code == 0, err
    assert [json.loads(line)["epoch"] for line in out.splitlines()] == [2, 3]
    assert len(load_checkpoint(second).history) == 3


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "vae", "--out", "x.pt"], "must end in .safetensors"),
        (["--model", "vae", "--out", "/no/such/folder/x.safetensors"], "does not exist"),
        (["--model", "vae", "--latent-dim", "99", "--out", "{tmp}/x.safetensors"], "Latent size"),
        (["--model", "vae", "--epochs", "0", "--out", "{tmp}/x.safetensors"], "--epochs must be 1 to 10000"),
        (["--model", "gan", "--out", "{tmp}/x.safetensors"], "invalid choice"),
        (["--out", "{tmp}/x.safetensors"], "--model"),
        (["--model", "vae", "--bogus", "--out", "{tmp}/x.safetensors"], "unrecognized"),
        (["--model", "vae", "--data-dir", "{tmp}/none", "--out", "{tmp}/x.safetensors"], "does not exist"),
        (["--resume", "{tmp}/none.safetensors", "--out", "{tmp}/x.safetensors"], "does not exist"),
        (["--model", "ae", "--beta-ladder", "1,2", "--out", "{tmp}/x"], "needs --model vae"),
        (["--model", "vae", "--beta-ladder", "1,x", "--out", "{tmp}/x"], "'x' is not a number"),
        (["--model", "vae", "--beta-ladder", "1,-2", "--out", "{tmp}/x"], "β must be"),
        (["--model", "vae", "--beta-ladder", "1,1", "--out", "{tmp}/x"], "appears twice"),
        (["--model", "vae", "--beta-ladder", "1", "--beta", "2", "--out", "{tmp}/x"], "cannot be combined"),
        (["--model", "vae", "--beta-ladder", "1", "--out", "{tmp}/x.safetensors"], "must be a folder"),
    ],
)
def test_errors_are_one_line(tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(argv, capsys)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("latent-explorer-train: error:")
    assert message in lines[0]
    assert "Traceback" not in err
    assert not (tmp_path / "x.safetensors").exists()


def test_missing_dataset_explains_how_to_get_it(tmp_path, capsys, monkeypatch):
    from core import data

    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "none")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["--model", "ae", "--out", str(tmp_path / "m.safetensors"), *COMMON], capsys)
    assert code == 1
    assert "dataset-fashion-mnist" in err and len(err.strip().splitlines()) == 1


def test_installed_entry_point(tmp_path, tiny_data_dir):
    exe = Path(sys.executable).with_name("latent-explorer-train")
    if not exe.exists():
        pytest.skip("package not installed in this environment")
    out_file = tmp_path / "m.safetensors"
    proc = subprocess.run(
        [
            str(exe),
            "--model",
            "ae",
            "--epochs",
            "1",
            "--json",
            "--data-dir",
            str(tiny_data_dir),
            "--out",
            str(out_file),
            *COMMON,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[0])["epoch"] == 1
    assert out_file.exists()
    bad = subprocess.run([str(exe), "--model", "ae", "--out", "x.pt"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def _one_line_error(code, err) -> str:
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("latent-explorer-train: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_resume_refuses_bad_checkpoints(tmp_path, capsys, bad_checkpoint_files):
    folder, expected, marker = bad_checkpoint_files
    out = tmp_path / "out.safetensors"
    for name, problem in expected.items():
        code, stdout, err = run(["--resume", str(folder / name), "--out", str(out), *COMMON], capsys)
        line = _one_line_error(code, err)
        assert name in line and problem in line, line
        assert stdout == "" and not out.exists()
    assert not marker.exists()


def test_the_installed_command_never_unpickles(tmp_path, bad_checkpoint_files):
    folder, _, marker = bad_checkpoint_files
    for name in ("evil.pt", "pickle-renamed.safetensors"):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "core.cli",
                "--resume",
                str(folder / name),
                "--out",
                str(tmp_path / "o.safetensors"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "pickle" in proc.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    "damage, problem",
    [
        (lambda d: d.write_bytes(d.read_bytes()[:-100]), "train-images-idx3-ubyte.gz is truncated"),
        (lambda d: d.write_bytes(b"\x1f\x8b" + b"\x00" * 30), "train-images-idx3-ubyte.gz is damaged"),
        (lambda d: d.write_bytes(gzip.compress(b"\x00\x00\x0d\x03")), "is not an IDX file of bytes"),
    ],
    ids=["truncated", "not-gzip", "floats"],
)
def test_bad_data_is_one_line(tmp_path, tiny_data_dir, capsys, damage, problem):
    damage(tiny_data_dir / "train-images-idx3-ubyte.gz")
    out = tmp_path / "m.safetensors"
    code, _, err = run(
        ["--model", "ae", "--data-dir", str(tiny_data_dir), "--out", str(out), *COMMON], capsys
    )
    assert problem in _one_line_error(code, err)
    assert not out.exists()


def test_a_full_disk_at_the_end_is_one_line_and_keeps_the_old_file(
    tmp_path, tiny_data_dir, capsys, monkeypatch
):
    from core import checkpoint

    (tmp_path / "models").mkdir()
    out = tmp_path / "models" / "m.safetensors"
    out.write_bytes(b"the previous model")

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint.os, "replace", disk_full)
    argv = [
        "--model",
        "ae",
        "--epochs",
        "1",
        "--limit",
        "64",
        "--data-dir",
        str(tiny_data_dir),
        "--out",
        str(out),
    ]
    code, _, err = run([*argv, *COMMON], capsys)
    assert "No space left on device" in _one_line_error(code, err.splitlines()[-1])
    assert out.read_bytes() == b"the previous model"
    assert [p.name for p in out.parent.iterdir()] == ["m.safetensors"]


def test_beta_ladder_writes_one_vae_per_beta(tmp_path, tiny_data_dir, capsys):
    folder = tmp_path / "ladder"  # created by the command
    code, out, err = run(
        [
            "--model", "vae", "--beta-ladder", "0.5,2,1", "--epochs", "1", "--latent-dim", "3",
            "--limit", "128", "--json", "--data-dir", str(tiny_data_dir), "--out", str(folder), *COMMON,
        ],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == [
        "vae-beta0.5.safetensors",
        "vae-beta1.safetensors",
        "vae-beta2.safetensors",
    ]
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["beta"], line["epoch"]) for line in lines] == [(0.5, 1), (2.0, 1), (1.0, 1)]
    for beta in (0.5, 2.0, 1.0):
        checkpoint = load_checkpoint(folder / f"vae-beta{beta:g}.safetensors")
        assert checkpoint.kind == "vae" and checkpoint.model.latent_dim == 3
        assert checkpoint.train_config.beta == beta
        assert read_metadata(folder / f"vae-beta{beta:g}.safetensors")["train_config"]["beta"] == beta
        line = next(line for line in lines if line["beta"] == beta)
        assert checkpoint.history[-1].test["test_loss"] == pytest.approx(line["test_loss"])
        # the rung's loss weighs its own β
        assert line["test_loss"] == pytest.approx(line["test_bce"] + beta * line["test_kl"])
    assert "β = 2 (2/3)" in err


def test_the_bar_never_follows_the_last_summary(tmp_path, tiny_data_dir, capsys):
    out_file = tmp_path / "ae.safetensors"
    args = ["--model", "ae", "--epochs", "2", "--limit", "100", "--test-limit", "50"]
    code, _, err = run([*args, "--data-dir", str(tiny_data_dir), "--out", str(out_file), *COMMON], capsys)
    assert code == 0, err
    first, last = err.index("epoch 1  "), err.index("epoch 2  ")
    assert "epoch 2 (2/2)" in err[first:last]  # each epoch's bar, transient
    summary_end = err.index("MSE/pixel", last)
    assert "batch" not in err[summary_end:]  # a stale bar after the last summary
