"""The lab's models' loss and gradients with the backward pass written out, for fp32 on the CPU.

What it computes is autograd's, op for op: each gradient comes from the very kernel autograd's
backward formula calls (``convolution_backward``, ``threshold_backward``, ``sigmoid_backward``,
``mse_loss_backward``, the same matrix products and sums), so the gradients are autograd's
(tests check both models, β ≠ 1, denoising targets, odd batch sizes: within 2e-6 of the largest
gradient, most of them bit for bit; a bias summed in another order, the KL term's at β ≠ 1
grouped otherwise). Three things make it faster than autograd:

- each activation is freed as soon as the backward pass has used it, and each ReLU's gradient
  is written over the gradient it masks, so the step's next tensors come from blocks the
  allocator has just freed, still in the core's cache;
- no autograd graph is built: no node per op, no saved-tensor bookkeeping, no Python
  ``autograd.Function`` calls;
- the step is compiled by TorchScript (``compiled``), whose interpreter runs it without
  Python's global lock. The two halves of a batch (core.sharded_step) run on their own cores
  but took turns at that lock between ops: without the convolutions' kernels, a half's step
  took 4.0 ms alone and 5.8 ms beside the other half.

Measured on an Intel Xeon limited to AVX2 (``ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2``),
the trainer's epoch of 12,800 VAE images, the three alternated in one run: autograd 2.25 s,
this step as Python 0.932×, compiled 0.858× (faster in 8 of 8); the AE 0.941× and 0.869×.
Without the limit (AVX-512, one pass on two threads): 0.940× and 0.912×.

TorchScript is deprecated in favour of ``torch.compile``, which needs a C++ compiler on the
student's machine; where ``torch.jit.script`` is gone or fails, the same functions run as
Python. The activations' layout is the training layout's (channels-last, ``core.runtime``):
the flat features are read and written in (row, column, channel) order, as ``core.models`` does.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from core.kernels import (
    bce_sum_gradient,
    bce_sum_value,
    chw_columns,
    chw_rows,
    conv_gradients,
    gemm_fold_deconv,
    hwc_columns,
    hwc_rows,
    lab_strided,
    relu_backward_,
)
from core.losses import LossTerms, kl_divergence
from core.models import AutoEncoder, LatentModel, VariationalAutoEncoder

__all__ = ["backward", "compiled", "loss_and_gradients", "supports"]


def supports(model: LatentModel, x: torch.Tensor, precision: str) -> bool:
    """Whether ``loss_and_gradients`` computes this model's step in this precision (the
    trainer's "fp32" or "bf16"): one of the lab's two models in training mode, fp32 on the CPU
    without autocast, every parameter trained, 28×28 images."""
    if precision != "fp32" or type(model) not in (AutoEncoder, VariationalAutoEncoder) or not model.training:
        return False
    if x.device.type != "cpu" or x.dtype != torch.float32 or tuple(x.shape[1:]) != (1, 28, 28):
        return False
    if torch.is_autocast_enabled("cpu"):
        return False
    params = list(model.parameters())
    if not all(p.device.type == "cpu" and p.dtype == torch.float32 and p.requires_grad for p in params):
        return False
    convs = (model.encoder[0], model.encoder[2], model.decoder.model[0], model.decoder.model[2])
    return all(lab_strided(layer) for layer in convs) and convs[3].weight.shape[1] == 1


def loss_and_gradients(
    model: LatentModel,
    x: torch.Tensor,
    beta: float,
    target: torch.Tensor | None = None,
    noise: torch.Tensor | None = None,
    scale: float = 1.0,
) -> tuple[LossTerms, list[torch.Tensor]]:
    """The batch's loss terms (detached) and the gradient of ``scale`` × its total with respect
    to each of ``model.parameters()``, in that order. ``target`` (default x) is the clean image
    of a denoising model; ``noise`` the VAE's ε (default: drawn as its forward pass draws it)."""
    vae = model.kind == "vae"
    if vae and noise is None:
        noise = model.draw_noise(x)
    step = compiled() or _step
    with torch.no_grad():
        try:
            target = x if target is None else target
            total, bce, kl, grads = step(vae, x, target, noise, list(model.parameters()), beta, scale)
        except torch.jit.Error as exc:  # TorchScript's own class for what the step raised
            raise RuntimeError(str(exc)) from None
    return LossTerms(total, bce, kl, summed=vae), grads


def backward(
    model: LatentModel, x: torch.Tensor, beta: float, target: torch.Tensor | None = None
) -> LossTerms:
    """As ``model.loss(x, beta, target).total.backward()``: the loss terms, each parameter's
    ``.grad`` set to its gradient, in the parameter's own layout (as autograd would give it)."""
    terms, grads = loss_and_gradients(model, x, beta, target)
    for p, grad in zip(model.parameters(), grads, strict=True):
        p.grad = grad if grad.stride() == p.stride() else torch.empty_like(p).copy_(grad)
    return terms


@functools.cache
def compiled() -> Callable | None:
    """The step compiled by TorchScript, or None where it cannot be (the step then runs as
    Python). Compiled, it runs without Python's global lock, so the halves of a batch
    (core.sharded_step) do not wait for each other between ops."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # deprecated in favour of torch.compile
            return torch.jit.script(_step)
    except Exception:  # noqa: BLE001 - any failure leaves the Python step, which computes the same
        return None


def _step(
    vae: bool,
    x: Tensor,
    target: Tensor,
    noise: Tensor | None,
    params: list[Tensor],
    beta: float,
    scale: float,
) -> tuple[Tensor, Tensor, Tensor, list[Tensor]]:
    """(total, BCE, KL, the parameters' gradients) for ``params`` in ``model.parameters()``
    order: the encoder's four, the code layer's two (the AE) or four (the VAE's μ and log σ²),
    the decoder's six. Each activation is dropped once used (TorchScript's interpreter drops
    values after their last use; ``del`` does it in Python)."""
    saved: dict[str, Tensor] = {}
    middle, decoder = params[4:-6], params[-6:]
    features = _encode(params[:4], x, saved)
    if vae:
        assert noise is not None
        z = _sample(middle, features, noise, saved)
    else:
        saved["code_weight"] = hwc_columns(middle[0])  # (row, column, channel) columns, for both passes
        z = torch.addmm(middle[1], features, saved["code_weight"].t())
    del features
    logits = _decode(decoder, z, saved)
    total, bce, kl, grad_logits = _loss_and_its_gradient(vae, logits, target, saved, beta, scale)
    del logits
    grad_z, decoder_grads = _decode_backward(decoder, z, grad_logits, saved)
    del grad_logits
    if vae:
        grad_features, middle_grads = _sample_backward(middle, grad_z, beta * scale, saved)
    else:
        grad_features, middle_grads = _linear_backward(saved.pop("code_weight"), grad_z, saved["features"])
    del grad_z
    encoder_grads = _encode_backward(params[:4], x, grad_features, saved)
    return total, bce, kl, encoder_grads + middle_grads + decoder_grads


def _encode(params: list[Tensor], x: Tensor, saved: dict[str, Tensor]) -> Tensor:
    """The encoder body's flat features, in (row, column, channel) order."""
    maps1 = F.conv2d(x, params[0], params[1], 2, 1).clamp_min_(0)
    maps2 = F.conv2d(maps1, params[2], params[3], 2, 1)
    saved["maps1"] = maps1
    # a view of the channels-last feature maps; the ReLU in place, after the flatten, as in core.models
    features = maps2.permute(0, 2, 3, 1).reshape(x.shape[0], -1).clamp_min_(0)
    saved["features"] = features
    return features


def _encode_backward(
    params: list[Tensor], x: Tensor, grad: Tensor, saved: dict[str, Tensor]
) -> list[Tensor]:
    grad = relu_backward_(grad, saved.pop("features"))
    grad_maps2 = _maps(grad)
    del grad
    maps1 = saved.pop("maps1")
    grad_maps1, grad_w2, grad_b2 = conv_gradients(grad_maps2, maps1, params[2], False, True)
    del grad_maps2
    grad_maps1 = relu_backward_(grad_maps1, maps1)
    del maps1
    _, grad_w1, grad_b1 = conv_gradients(grad_maps1, x, params[0], False, False)
    return [grad_w1, grad_b1, grad_w2, grad_b2]


def _heads(params: list[Tensor]) -> tuple[Tensor, Tensor]:
    """The μ and log σ² layers as one (weight, bias), as core.models computes them."""
    return torch.cat([hwc_columns(params[0]), hwc_columns(params[2])]), torch.cat([params[1], params[3]])


def _sample(params: list[Tensor], features: Tensor, noise: Tensor, saved: dict[str, Tensor]) -> Tensor:
    """z = μ + σ·ε from the features, as the VAE's training forward pass computes it."""
    weight, bias = _heads(params)
    heads = torch.addmm(bias, features, weight.t())
    d = params[0].shape[0]
    mu, logvar = heads[:, :d], heads[:, d:]
    std = torch.exp(0.5 * logvar)
    saved["mu"], saved["logvar"], saved["std"], saved["eps"] = mu, logvar, std, noise
    saved["heads_weight"] = weight  # for the backward pass, not stacked again
    return mu + std * noise


def _sample_backward(
    params: list[Tensor], grad_z: Tensor, kl_weight: float, saved: dict[str, Tensor]
) -> tuple[Tensor, list[Tensor]]:
    """The gradients of the features and of the heads' (weight, bias) pairs; the KL term's
    weight in the gradient is ``kl_weight`` (β × the scale)."""
    mu, logvar, std, eps = saved.pop("mu"), saved.pop("logvar"), saved.pop("std"), saved.pop("eps")
    grad_mu = grad_z + kl_weight * mu
    grad_logvar = (grad_z * eps) * (0.5 * std) + kl_weight * 0.5 * (logvar.exp() - 1)
    grad_heads = torch.cat([grad_mu, grad_logvar], 1)
    grad_features, grads = _linear_backward(saved.pop("heads_weight"), grad_heads, saved["features"])
    d = params[0].shape[0]
    return grad_features, [grads[0][:d], grads[1][:d], grads[0][d:], grads[1][d:]]


def _linear_backward(weight: Tensor, grad: Tensor, features: Tensor) -> tuple[Tensor, list[Tensor]]:
    """The gradients of a linear layer after the encoder (its weight read for (row, column,
    channel) features): of the features, and of its weight (in the lab's order) and bias."""
    return torch.mm(grad, weight), [chw_columns(torch.mm(grad.t(), features)), grad.sum(0)]


def _decode(params: list[Tensor], z: Tensor, saved: dict[str, Tensor]) -> Tensor:
    """The decoder's logits (B, 1, 28, 28)."""
    weight = hwc_rows(params[0])  # (row, column, channel) rows, kept for the backward pass
    flat = torch.addmm(hwc_rows(params[1]), z, weight.t()).clamp_min_(0)
    maps = F.conv_transpose2d(_maps(flat), params[2], params[3], 2, 1).clamp_min_(0)
    saved["flat"], saved["maps"], saved["decoder_weight"] = flat, maps, weight
    return gemm_fold_deconv(maps, params[4], params[5])


def _decode_backward(
    params: list[Tensor], z: Tensor, grad_logits: Tensor, saved: dict[str, Tensor]
) -> tuple[Tensor, list[Tensor]]:
    """The gradient of z and of the decoder's parameters, given the logits'."""
    maps = saved.pop("maps")
    grad_maps, grad_w_last, grad_b_last = conv_gradients(grad_logits, maps, params[4], True, True)
    del grad_logits
    grad_maps = relu_backward_(grad_maps, maps)
    del maps
    flat = saved.pop("flat")
    grad_flat_maps, grad_w_deconv, grad_b_deconv = conv_gradients(
        grad_maps, _maps(flat), params[2], True, True
    )
    del grad_maps
    grad_flat = relu_backward_(grad_flat_maps.permute(0, 2, 3, 1).reshape(z.shape[0], -1), flat)
    del flat, grad_flat_maps
    weight = saved.pop("decoder_weight")
    grad_z = torch.mm(weight.t(), grad_flat.t()).t()  # transposed, as core.kernels.wide_linear
    grads = [chw_rows(torch.mm(z.t(), grad_flat).t()), chw_rows(grad_flat.sum(0))]
    return grad_z, grads + [grad_w_deconv, grad_b_deconv, grad_w_last, grad_b_last]


def _maps(flat: Tensor) -> Tensor:
    """(B, 3136) features in (row, column, channel) order as (B, 64, 7, 7) maps (a view)."""
    return flat.view(-1, 7, 7, 64).permute(0, 3, 1, 2)


def _loss_and_its_gradient(
    vae: bool, logits: Tensor, target: Tensor, saved: dict[str, Tensor], beta: float, scale: float
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The lab's loss (total, BCE, KL) from the logits, and the gradient of ``scale`` × the
    total with respect to the logits (through the sigmoid)."""
    recon = torch.sigmoid(logits)
    n = recon.shape[0]
    if vae:
        p, t = recon.view(n, 784), target.reshape(n, 784)
        bce = bce_sum_value(p, t)
        kl = kl_divergence(saved["mu"], saved["logvar"]).sum()
        total = bce + beta * kl
        grad_recon = bce_sum_gradient(p, t).view_as(recon)
        if scale != 1.0:
            grad_recon.mul_(scale)
    else:
        total = F.mse_loss(recon, target)
        bce = kl = total.new_zeros(())
        scaled = total.new_full((), scale)
        grad_recon = torch.ops.aten.mse_loss_backward(scaled, recon, target, 1)  # 1: mean
    return total, bce, kl, torch.ops.aten.sigmoid_backward(grad_recon, recon)
