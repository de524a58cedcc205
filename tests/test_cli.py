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
        (["--model", "vae", "--epochs", "0", "--out", "{tmp}/x.safetensors"], "Epochs"),
        (["--model", "gan", "--out", "{tmp}/x.safetensors"], "invalid choice"),
        (["--out", "{tmp}/x.safetensors"], "--model"),
        (["--model", "vae", "--bogus", "--out", "{tmp}/x.safetensors"], "unrecognized"),
        (["--model", "vae", "--data-dir", "{tmp}/none", "--out", "{tmp}/x.safetensors"], "does not exist"),
        (["--resume", "{tmp}/none.safetensors", "--out", "{tmp}/x.safetensors"], "does not exist"),
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
