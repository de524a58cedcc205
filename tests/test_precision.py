"""``--precision auto``: the faster precision for training on this CPU, measured once and kept."""

import json

import pytest
import torch

import core.precision as precision
from core.paths import user_cache_dir
from core.precision import resolve_precision


@pytest.fixture(autouse=True)
def _not_measured_yet():
    """Each test starts on a machine where nothing was measured (conftest copies a choice in)."""
    (user_cache_dir() / precision.CACHE_FILE).unlink(missing_ok=True)


@pytest.fixture
def native_bf16(monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: True)
    monkeypatch.setattr("core.runtime.cpu_has_native_bf16", lambda: True)  # read by both modules
    monkeypatch.setattr(precision, "_chosen", {})


def fake_steps(monkeypatch, fp32_ms: float, bf16_ms: float) -> list[str]:
    calls: list[str] = []

    def step_times(*args, **kwargs) -> tuple[float, float]:
        calls.extend(["fp32", "bf16"])
        return fp32_ms, bf16_ms

    monkeypatch.setattr(precision, "_step_times", step_times)
    return calls


def test_a_cpu_without_native_bf16_trains_fp32_without_measuring(monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: False)
    monkeypatch.setattr(precision, "_chosen", {})
    calls = fake_steps(monkeypatch, 10.0, 1.0)
    assert precision.choose_cpu_precision().precision == "fp32"
    assert calls == [] and not (user_cache_dir() / precision.CACHE_FILE).exists()


@pytest.mark.parametrize("bf16_ms, expected", [(6.0, "bf16"), (9.5, "fp32"), (12.0, "fp32")])
def test_auto_takes_bf16_only_when_clearly_faster_and_keeps_the_choice(native_bf16, monkeypatch, bf16_ms, expected):
    calls = fake_steps(monkeypatch, 10.0, bf16_ms)
    assert resolve_precision("auto", torch.device("cpu")) == "bf16"  # not measured yet: the guess
    assert calls == []
    assert resolve_precision("auto", torch.device("cpu"), measure=True) == expected
    assert sorted(set(calls)) == ["bf16", "fp32"]
    saved = json.loads((user_cache_dir() / precision.CACHE_FILE).read_text())
    [entry] = saved.values()
    assert entry == {"precision": expected, "fp32_ms": 10.0, "bf16_ms": bf16_ms}
    # Another process (the next training child): read back, not measured again.
    calls.clear()
    monkeypatch.setattr(precision, "_chosen", {})
    assert resolve_precision("auto", torch.device("cpu"), measure=True) == expected
    assert resolve_precision("auto", torch.device("cpu")) == expected
    assert calls == []
    # Asked for by name, a precision is used as it is.
    assert resolve_precision("fp32", torch.device("cpu")) == "fp32"
    assert resolve_precision("bf16", torch.device("cpu")) == "bf16"


def test_a_damaged_cache_is_measured_again(native_bf16, monkeypatch):
    folder = user_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / precision.CACHE_FILE).write_text('{"x": [1, 2')  # cut short
    calls = fake_steps(monkeypatch, 10.0, 5.0)
    assert precision.choose_cpu_precision().precision == "bf16" and calls


def test_the_probe_measures_real_steps():
    """The probe itself: a few real training steps, in milliseconds."""
    fp32, bf16 = precision._step_times(steps=1, warm_up=1)
    assert 0.1 < fp32 < 60_000 and 0.1 < bf16 < 60_000
