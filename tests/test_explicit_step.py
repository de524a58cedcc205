"""The training step with its backward pass written out (core.explicit_step) is autograd's:
the same loss and the same gradients, for both models, whatever β, target, batch size or layout."""

import math

import pytest
import torch

from core import explicit_step
from core.models import ModelConfig, given_noise
from core.training import TrainConfig, Trainer, new_model


@pytest.fixture(params=["compiled", "python"])
def mode(request, monkeypatch):
    """The step as TorchScript compiles it, and as Python runs it where TorchScript cannot."""
    if request.param == "python":
        monkeypatch.setattr(explicit_step, "compiled", lambda: None)
    else:
        assert explicit_step.compiled() is not None, "TorchScript did not compile the step"
    return request.param


def _autograd(model, x, beta, target, noise, scale=1.0):
    with given_noise(noise):
        terms = model.loss(x, beta, target)
    return terms, torch.autograd.grad(terms.total * scale, list(model.parameters()))


@pytest.mark.parametrize("kind", ["ae", "vae"])
@pytest.mark.parametrize(
    "beta, batch, channels_last, denoising, scale",
    [(1.0, 64, True, False, 1.0), (4.0, 37, True, True, 0.3), (0.5, 1, False, False, 1.0)],
)
def test_the_loss_and_gradients_are_autograds(mode, kind, beta, batch, channels_last, denoising, scale):
    model = new_model(ModelConfig(kind, 6), seed=5).train()
    if channels_last:
        model.to(memory_format=torch.channels_last)
    g = torch.Generator().manual_seed(batch)
    x = torch.rand(batch, 1, 28, 28, generator=g)
    target = (x + 0.3 * torch.rand(x.shape, generator=g)).clamp(0, 1) if denoising else x
    noise = torch.randn(batch, 6, generator=g) if kind == "vae" else None
    assert explicit_step.supports(model, x, "fp32")
    expected, expected_grads = _autograd(model, x, beta, target, noise, scale)
    terms, grads = explicit_step.loss_and_gradients(model, x, beta, target, noise, scale)
    assert terms.summed == expected.summed
    for got, want in ((terms.total, expected.total), (terms.bce, expected.bce), (terms.kl, expected.kl)):
        assert not got.requires_grad
        assert torch.allclose(got, want.detach(), rtol=1e-6, atol=0)
    assert len(grads) == len(expected_grads)
    for (name, p), got, want in zip(model.named_parameters(), grads, expected_grads, strict=True):
        assert got.shape == p.shape, name
        assert torch.allclose(got, want, rtol=0, atol=2e-6 * float(want.abs().max())), name
        if channels_last:  # the layout autograd gives, so summing halves or Adam copies nothing
            assert got.stride() == want.stride(), name


def test_the_vaes_noise_is_drawn_as_its_forward_pass_draws_it(mode):
    model = new_model(ModelConfig("vae", 4), seed=1).train()
    x = torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    torch.manual_seed(7)
    expected = model.loss(x, 1.0, x).total.detach()
    torch.manual_seed(7)
    terms, _ = explicit_step.loss_and_gradients(model, x, 1.0)
    torch.manual_seed(8)
    other, _ = explicit_step.loss_and_gradients(model, x, 1.0)
    assert torch.allclose(terms.total, expected, rtol=1e-6)
    assert not torch.allclose(other.total, expected, rtol=1e-6)  # ε matters, and is not fixed


def test_a_diverged_vae_is_refused_as_autograds_cross_entropy_refuses_it(mode):
    model = new_model(ModelConfig("vae", 4), seed=1).train()
    with torch.no_grad():
        model.decoder.model[2].bias.fill_(math.nan)
    x = torch.rand(4, 1, 28, 28)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        explicit_step.loss_and_gradients(model, x, 1.0)


def test_it_steps_aside_where_it_does_not_compute_the_step():
    model = new_model(ModelConfig("vae", 4), seed=1).train()
    x = torch.rand(4, 1, 28, 28)
    assert explicit_step.supports(model, x, "fp32")
    assert not explicit_step.supports(model, x, "bf16")  # bf16: autograd under autocast
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert not explicit_step.supports(model, x, "fp32")
    assert not explicit_step.supports(model, x.double(), "fp32")
    assert not explicit_step.supports(model.eval(), x, "fp32")  # evaluation: z = μ, no step
    model.train()
    model.decoder.linear.bias.requires_grad_(False)
    assert not explicit_step.supports(model, x, "fp32")  # a frozen parameter: autograd's business
    model.decoder.linear.bias.requires_grad_(True)
    model.encoder[2].padding = (2, 2)
    assert not explicit_step.supports(model, x, "fp32")  # not the lab's layer


def test_a_run_with_it_matches_a_run_without(tiny_data, monkeypatch):
    """Same seed, same data: the same epochs, in halves side by side and in one pass."""
    import core.training as training

    def run(explicit: bool, shards: int):
        monkeypatch.setattr(explicit_step, "supports", (lambda *a: explicit) if not explicit else supports)
        monkeypatch.setattr(training, "shards_for", lambda *args: shards)
        model = new_model(ModelConfig("vae", 4), seed=0)
        config = TrainConfig(epochs=2, batch_size=64, device="cpu", precision="fp32", replay_points=0)
        return [(r.train_loss, r.test["test_loss"]) for r in Trainer(model, config, tiny_data).run().history]

    supports = explicit_step.supports
    for shards in (1, 2):
        calls = []
        counted = _counting(explicit_step.loss_and_gradients, calls)
        monkeypatch.setattr(explicit_step, "loss_and_gradients", counted)
        with_it = run(True, shards)
        assert calls, "the explicit step was not used"
        without = run(False, shards)
        for (a, b), (c, d) in zip(with_it, without, strict=True):
            assert a == pytest.approx(c, rel=1e-5) and b == pytest.approx(d, rel=1e-5)


def _counting(function, calls: list):
    def counted(*args, **kwargs):
        calls.append(1)
        return function(*args, **kwargs)

    return counted


def test_a_bf16_run_keeps_autograd_under_autocast(tiny_data, monkeypatch):
    """The explicit step is fp32's: a bf16 run must not compute in fp32 behind its back."""
    calls = []
    counted = _counting(explicit_step.loss_and_gradients, calls)
    monkeypatch.setattr(explicit_step, "loss_and_gradients", counted)
    for shards in (1, 2):
        monkeypatch.setattr("core.training.shards_for", lambda *args, shards=shards: shards)
        config = TrainConfig(
            epochs=1, batch_size=64, device="cpu", precision="bf16", limit=64, replay_points=0
        )
        Trainer(new_model(ModelConfig("ae", 3)), config, tiny_data).run()
    assert calls == []
    config = TrainConfig(epochs=1, batch_size=64, device="cpu", precision="fp32", limit=64, replay_points=0)
    Trainer(new_model(ModelConfig("ae", 3)), config, tiny_data).run()
    assert calls  # and fp32 does use it


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_the_loss_and_gradients_are_the_lab_modules(mode, kind):
    """Against the lab's own modules and loss (tests/benchmarks/lab_reference.py), not ours."""
    from tests.benchmarks import lab_reference as lab
    from tests.test_models import _lab_names

    ours = new_model(ModelConfig(kind, 10), seed=3).train().to(memory_format=torch.channels_last)
    torch.manual_seed(3)
    theirs = (lab.AutoEncoder(10) if kind == "ae" else lab.VariationalAutoencoder(10)).train()
    g = torch.Generator().manual_seed(1)
    x = torch.rand(16, 1, 28, 28, generator=g)
    eps = torch.randn(16, 10, generator=g)
    if kind == "ae":
        loss = torch.nn.MSELoss()(theirs(x)[0], x)
    else:
        # the lab's sampling, with this ε
        theirs.latent_sample = lambda mu, logvar: eps.mul(logvar.mul(0.5).exp_()).add_(mu)
        recon, mu, logvar = theirs(x)
        loss = lab.vae_loss(recon, x, mu, logvar)
    loss.backward()
    terms, grads = explicit_step.loss_and_gradients(ours, x, 1.0, noise=eps if kind == "vae" else None)
    assert torch.allclose(terms.total, loss.detach(), rtol=1e-5, atol=0)
    lab_params = dict(theirs.named_parameters())
    names = _lab_names(kind)
    for (key, _), grad in zip(ours.named_parameters(), grads, strict=True):
        layer, _, param = key.rpartition(".")
        want = lab_params[f"{names[layer]}.{param}"].grad
        assert torch.allclose(grad, want, atol=1e-5 * float(want.abs().max()), rtol=1e-4), key
