"""core.adam.FusedAdam against torch.optim.Adam(fused=True): the same numbers, bit for bit,
and no import of torch._dynamo."""

import subprocess
import sys
from pathlib import Path

import torch

from core.adam import FusedAdam, adam
from core.models import ModelConfig, build_model


def _train(make_optimizer, steps=5, skip_grad_at=None):
    torch.manual_seed(0)
    model = build_model(ModelConfig("vae", 4)).train().to(memory_format=torch.channels_last)
    optimizer = make_optimizer(model.parameters())
    x = (torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    for step in range(steps):
        optimizer.zero_grad(set_to_none=True)
        model.loss(x, 1.0, x).total.backward()
        if step == skip_grad_at:  # one parameter without a gradient this step
            model.decoder.linear.bias.grad = None
        optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


def test_same_parameters_as_torch_fused_adam_bit_for_bit():
    ours = _train(lambda p: FusedAdam(p, lr=1e-3, weight_decay=1e-5))
    theirs = _train(lambda p: torch.optim.Adam(p, lr=1e-3, weight_decay=1e-5, fused=True))
    start = _train(lambda p: FusedAdam(p, lr=1e-3), steps=0)
    assert any(not torch.equal(a, b) for a, b in zip(ours, start))  # it did move the weights
    for a, b in zip(ours, theirs):
        assert torch.equal(a, b)


def test_a_parameter_without_gradient_is_left_alone_as_torch_does():
    ours = _train(lambda p: FusedAdam(p, lr=1e-2), skip_grad_at=2)
    theirs = _train(lambda p: torch.optim.Adam(p, lr=1e-2, fused=True), skip_grad_at=2)
    for a, b in zip(ours, theirs):
        assert torch.equal(a, b)


def test_other_devices_get_torch_optim():
    params = [torch.nn.Parameter(torch.zeros(3))]
    assert isinstance(adam(params, torch.device("cpu")), FusedAdam)
    assert isinstance(adam(params, torch.device("meta")), torch.optim.Adam)


def test_training_does_not_import_dynamo():
    code = (
        "import sys, torch\n"
        "from core.adam import FusedAdam\n"
        "p = torch.nn.Parameter(torch.ones(3)); o = FusedAdam([p])\n"
        "(p * 2).sum().backward(); o.step(); o.zero_grad()\n"
        "assert p[0].item() < 1, p\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"
