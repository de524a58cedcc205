"""Closing the window in the middle of long work exits cleanly: exit code 0, no traceback, no
thread left running (Qt would abort), the event loop over within 2 s of the close."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("lifecycle_app.py")


@pytest.mark.parametrize("scenario", ["training", "tsne", "encoding", "tsne-sample"])
def test_closing_during_long_work_exits_cleanly(scenario, tiny_data_dir, model_files, tmp_path):
    args = ["--data-dir", str(tiny_data_dir)]
    if scenario == "training":
        args.append("--no-bundled-models")
    elif scenario == "tsne-sample":
        # The bundled models on the bundled sample: 2,000 codes, more than a pipe holds, sent
        # while the t-SNE process may still be starting.
        (tmp_path / "none").mkdir()
        args = ["--data-dir", str(tmp_path / "none")]
        scenario = "tsne"
    else:
        args += ["--checkpoint", str(model_files["vae"])]
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), scenario, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "QThread: Destroyed" not in stderr, stderr
    lines = dict(line.rsplit(" ", 1) for line in out.splitlines() if line[:1].isalpha())
    seconds = float(lines["event loop ended"]) - float(lines["closing"])
    assert seconds < 2.0, f"{scenario}: the app took {seconds:.2f} s to end after the close"
