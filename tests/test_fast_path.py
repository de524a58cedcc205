"""The training path core.runtime picks computes the lab's function: same outputs and gradients
as the lab's plain modules, whatever the memory layout."""

import pytest
import torch

from core.models import ModelConfig
from core.runtime import cpu_isa, describe_path, memory_format
from core.training import new_model
from tests.benchmarks import lab_reference as lab
from tests.test_models import _lab_names


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_the_training_layout_gives_the_labs_outputs_and_gradients(kind):
    ours = new_model(ModelConfig(kind, 10), seed=3).eval()
    torch.manual_seed(3)
    theirs = (lab.AutoEncoder(10) if kind == "ae" else lab.VariationalAutoencoder(10)).eval()
    ours.to(memory_format=memory_format(torch.device("cpu"), "fp32"))
    assert ours.encoder[0].weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    assert ours.encoder.features(x)[1]  # the linear layers read the channels-last features as they are
    mine, lab_out = ours(x), theirs(x)
    for a, b in zip(mine, lab_out, strict=True):
        assert torch.allclose(a, b, atol=1e-5, rtol=0)
    # The same scalar of every output, so every parameter gets a gradient.
    sum(o.float().pow(2).mean() for o in mine).backward()
    sum(o.pow(2).mean() for o in lab_out).backward()
    lab_params = dict(theirs.named_parameters())
    names = _lab_names(kind)
    for key, p in ours.named_parameters():
        layer, _, param = key.rpartition(".")
        q = lab_params[f"{names[layer]}.{param}"]
        assert torch.allclose(p.grad, q.grad, atol=1e-5, rtol=1e-4), key


def test_cpus_train_channels_last_and_gpus_in_fp32_do_not():
    assert memory_format(torch.device("cpu"), "fp32") == torch.channels_last
    assert memory_format(torch.device("cpu"), "bf16") == torch.channels_last
    assert memory_format(torch.device("cuda"), "fp32") == torch.contiguous_format


def test_the_path_says_precision_layout_and_instructions():
    path = describe_path(torch.device("cpu"), "fp32")
    assert path.startswith("cpu, fp32, channels-last, ")
    assert cpu_isa() in path and "threads" in path


def test_a_run_reports_its_path_and_ends_contiguous(tiny_data):
    from core.training import EpochEnd, TrainConfig, Trainer

    events = []
    model = new_model(ModelConfig("ae", 4))
    config = TrainConfig(epochs=1, batch_size=64, device="cpu", precision="fp32", limit=128, replay_points=0)
    result = Trainer(model, config, tiny_data, events.append).run()
    assert result.path == describe_path(torch.device("cpu"), "fp32")
    assert [e.path for e in events if isinstance(e, EpochEnd)] == [result.path]
    # Back in the usual layout, so a checkpoint or a decode sees the lab's tensors.
    assert model.encoder[0].weight.is_contiguous()


def test_an_isa_limit_without_bf16_makes_auto_pick_fp32(monkeypatch):
    from core.runtime import cpu_has_native_bf16, resolve_precision

    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    assert not cpu_has_native_bf16()
    assert resolve_precision("auto", torch.device("cpu")) == "fp32"


@pytest.mark.parametrize("kind", ["ae", "vae"])
@pytest.mark.parametrize("batch", [64, 37])
def test_a_batch_in_parts_gives_one_backward_passs_loss_and_gradients(kind, batch):
    """The sharded step (halves side by side, gradients summed) is the lab's function: the
    same loss, the same ε for the VAE, the same gradients as one backward pass."""
    import copy

    from core.sharded_step import ShardedStep

    whole = new_model(ModelConfig(kind, 10), seed=2).train()
    parts = copy.deepcopy(whole)
    x = torch.rand(batch, 1, 28, 28, generator=torch.Generator().manual_seed(4))
    torch.manual_seed(11)
    expected = whole.loss(x, 1.0, x)
    expected.total.backward()
    torch.manual_seed(11)
    step = ShardedStep(parts, 2)
    try:
        got = step(x, x, 1.0, torch.device("cpu"), "fp32", 1)
    finally:
        step.close()
    assert got.summed == expected.summed
    assert torch.allclose(got.total, expected.total.detach(), rtol=1e-6, atol=0)
    if kind == "vae":  # a sum of per-image terms, ε included: KL does not depend on ε, BCE does
        assert torch.allclose(got.kl, expected.kl.detach(), rtol=1e-6)
        assert torch.allclose(got.bce, expected.bce.detach(), rtol=1e-6)
    for (name, p), q in zip(whole.named_parameters(), parts.parameters(), strict=True):
        assert q.grad is not None and q.grad.shape == p.grad.shape
        assert torch.allclose(q.grad, p.grad, rtol=1e-4, atol=1e-5 * float(p.grad.abs().max())), name


def test_a_run_with_its_batches_in_parts_matches_one_without(tiny_data, monkeypatch):
    """Same seed, same data: the same losses with the batch cut in two (CPU, fp32) as without."""
    import core.training as training
    from core.training import TrainConfig, Trainer

    def run(shards: int):
        monkeypatch.setattr(training, "shards_for", lambda *args: shards)
        model = new_model(ModelConfig("vae", 4), seed=0)
        config = TrainConfig(epochs=2, batch_size=64, device="cpu", precision="fp32", replay_points=0)
        return Trainer(model, config, tiny_data).run().history

    before = torch.get_num_threads()
    plain, parts = run(1), run(2)
    for a, b in zip(plain, parts, strict=True):
        assert b.train_loss == pytest.approx(a.train_loss, rel=1e-5)
        assert b.test["test_loss"] == pytest.approx(a.test["test_loss"], rel=1e-5)
    assert torch.get_num_threads() == before  # the caller's thread count is given back


@pytest.mark.parametrize("layout", [torch.channels_last, torch.contiguous_format])
def test_the_last_decoder_layer_as_a_product_and_a_fold_is_the_modules_function(layout):
    from core.kernels import one_channel_deconv

    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1)
    x = torch.randn(8, 32, 14, 14).to(memory_format=layout).requires_grad_()
    grad = torch.randn(8, 1, 28, 28)
    theirs = layer(x)
    theirs.backward(grad)
    expected = [t.grad.clone() for t in (x, layer.weight, layer.bias)]
    for t in (x, layer.weight, layer.bias):
        t.grad = None
    ours = one_channel_deconv(layer, x)
    assert ours.grad_fn is not None and "GemmFold" in type(ours.grad_fn).__name__  # the fast path ran
    assert ours.shape == theirs.shape
    assert torch.allclose(ours, theirs, atol=1e-5, rtol=0)
    ours.backward(grad)
    for got, want in zip((x.grad, layer.weight.grad, layer.bias.grad), expected, strict=True):
        assert torch.allclose(got, want, atol=1e-6, rtol=1e-5)
    with torch.no_grad():
        assert torch.allclose(one_channel_deconv(layer, x), theirs, atol=1e-5, rtol=0)


@pytest.mark.parametrize("layout", [torch.channels_last, torch.contiguous_format])
@pytest.mark.parametrize(
    "make, channels",
    [
        (lambda: torch.nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1), (1, 28)),
        (lambda: torch.nn.Conv2d(32, 64, kernel_size=4, stride=2, padding=1), (32, 14)),
        (lambda: torch.nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1), (64, 7)),
    ],
)
def test_a_convolution_with_its_bias_gradient_summed_apart_is_the_modules_function(make, channels, layout):
    from core.kernels import strided_conv

    torch.manual_seed(0)
    layer = make().to(memory_format=layout)
    c, size = channels
    x = torch.randn(8, c, size, size).to(memory_format=layout).requires_grad_()
    theirs = layer(x)
    grad = torch.randn_like(theirs)
    theirs.backward(grad)
    expected = [t.grad.clone() for t in (x, layer.weight, layer.bias)]
    for t in (x, layer.weight, layer.bias):
        t.grad = None
    ours = strided_conv(layer, x)
    assert "StridedConv" in type(ours.grad_fn).__name__  # the fast path ran
    assert torch.equal(ours, theirs)  # the very forward pass
    ours.backward(grad)
    for got, want in zip((x.grad, layer.weight.grad, layer.bias.grad), expected, strict=True):
        # sums of up to 1,568 products, in another order: equal to float rounding of their scale
        assert got.shape == want.shape
        assert torch.allclose(got, want, rtol=1e-5, atol=1e-6 * float(want.abs().max()))
    assert layer.weight.grad.stride() == expected[1].stride()  # the layout backward() gives
    x.grad = None
    x.requires_grad_(False)  # the encoder's first layer: no input gradient asked for
    ours = strided_conv(layer, x)
    ours.backward(grad)
    assert x.grad is None
    with torch.no_grad():
        assert torch.equal(strided_conv(layer, x), theirs)
    other = torch.nn.Conv2d(c, 4, kernel_size=3, padding=1)  # not the lab's kind: the module
    assert "StridedConv" not in type(strided_conv(other, x).grad_fn).__name__


@pytest.mark.parametrize("transposed", [False, True])
def test_a_convolution_with_its_bias_gradient_summed_apart_is_autocasts_own_under_bf16(transposed):
    from core.kernels import strided_conv

    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(64, 32, 4, 2, 1) if transposed else torch.nn.Conv2d(32, 64, 4, 2, 1)
    layer.to(memory_format=torch.channels_last)
    shape = (8, 64, 7, 7) if transposed else (8, 32, 14, 14)
    x = torch.randn(shape).to(memory_format=torch.channels_last).requires_grad_()
    results = []
    for run in (layer, lambda t: strided_conv(layer, t)):
        for t in (x, layer.weight, layer.bias):
            t.grad = None
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = run(x)
        out.float().pow(2).sum().backward()
        results.append((out, [t.grad.clone() for t in (x, layer.weight, layer.bias)]))
    (theirs, expected), (ours, got) = results
    assert "StridedConv" in type(ours.grad_fn).__name__  # the fast path ran
    assert ours.dtype == theirs.dtype == torch.bfloat16 and torch.equal(ours, theirs)
    for g, want in zip(got, expected, strict=True):
        assert g.dtype == want.dtype == torch.float32  # the parameters' own dtype
        assert torch.allclose(g, want, rtol=2e-2, atol=2e-2 * float(want.abs().max()))


def test_the_last_decoder_layer_under_bf16_autocast_is_autocasts_own():
    from core.kernels import one_channel_deconv

    layer = torch.nn.ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1)
    x = torch.randn(2, 32, 14, 14)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = one_channel_deconv(layer, x)
        assert out.dtype == torch.bfloat16 and torch.equal(out, layer(x))
    assert "StridedConv" in type(out.grad_fn).__name__  # its bias gradient summed apart


def test_the_decoders_first_layer_with_its_gradients_transposed_is_the_modules_function():
    from core.kernels import wide_linear

    torch.manual_seed(0)
    layer = torch.nn.Linear(10, 3136)
    z = torch.randn(16, 10, requires_grad=True)
    grad = torch.randn(16, 3136)
    layer(z).backward(grad)
    expected = [t.grad.clone() for t in (z, layer.weight, layer.bias)]
    for t in (z, layer.weight, layer.bias):
        t.grad = None
    out = wide_linear(z, layer.weight, layer.bias)
    assert "WideLinear" in type(out.grad_fn).__name__  # the fast path ran
    assert torch.equal(out, layer(z))
    out.backward(grad)
    for got, want in zip((z.grad, layer.weight.grad, layer.bias.grad), expected, strict=True):
        assert got.shape == want.shape and torch.allclose(got, want, atol=1e-5, rtol=1e-5)
    assert layer.weight.grad.is_contiguous()


def test_the_vectorised_cross_entropy_is_pytorchs_formula_even_where_the_sigmoid_saturates():
    import torch.nn.functional as F

    from core.kernels import bce_sum

    torch.manual_seed(0)
    logits = torch.randn(8, 784) * 6
    logits[0, :5], logits[1, :5] = 40.0, -120.0  # p exactly 1 and 0 in float32: the clamps act
    p = torch.sigmoid(logits).requires_grad_()
    t = (torch.rand(8, 784) > 0.5).float()
    t[2] = torch.rand(784)  # grey targets too
    theirs = F.binary_cross_entropy(p, t, reduction="sum")
    (expected,) = torch.autograd.grad(theirs, p)
    ours = bce_sum(p, t)
    (got,) = torch.autograd.grad(ours, p)
    assert torch.allclose(ours, theirs, rtol=1e-6, atol=0)
    assert torch.isfinite(got).all() and torch.allclose(got, expected, rtol=1e-6, atol=1e-6)
    for bad in (float("nan"), 1.5, -0.1):  # refused as ATen refuses them: a diverged model
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            bce_sum(torch.tensor([0.5, bad]), torch.tensor([1.0, 0.0]))


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_bf16_autocast_over_channels_last_features_stays_close_to_fp32(kind):
    model = new_model(ModelConfig(kind, 10), seed=3).eval()
    x = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        exact = model(x)[0]
        model.to(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            approx = model(x)[0].float()
    assert (approx - exact).abs().max() < 0.05


def test_training_computes_denormals_as_zero_and_gives_the_mode_back(tiny_data, monkeypatch):
    """A trained model's few denormal weights send every product with them down the CPU's slow
    path: a run flushes them to zero in its threads (the shards' too) and restores the mode."""
    import threading

    from core import explicit_step
    from core.runtime import denormals_flushed, flushing_denormals
    from core.training import TrainConfig, Trainer

    assert not denormals_flushed()
    with flushing_denormals():
        assert denormals_flushed()
        assert torch.tensor([1e-39]).mul(1.0).item() == 0.0
        with flushing_denormals():  # nested: the outer mode stays
            pass
        assert denormals_flushed()
    assert not denormals_flushed() and torch.tensor([1e-39]).mul(1.0).item() > 0

    seen = {}
    step = explicit_step.loss_and_gradients

    def spy(*args, **kwargs):
        seen[threading.current_thread().name] = denormals_flushed()
        return step(*args, **kwargs)

    monkeypatch.setattr(explicit_step, "loss_and_gradients", spy)
    monkeypatch.setattr("core.training.shards_for", lambda *args: 2)
    config = TrainConfig(epochs=1, batch_size=64, device="cpu", precision="fp32", limit=128, replay_points=0)
    Trainer(new_model(ModelConfig("vae", 4)), config, tiny_data).run()
    assert len(seen) == 2 and all(seen.values()), seen  # the caller's thread and the shard's
    assert not denormals_flushed()
