"""Faster CPU computations of the lab's layers: the same function, computed another way.

The decoder's last layer, ``ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1)``, has
one output channel, and oneDNN's kernels vectorise over output channels: its forward pass ran
at 4 GFLOP/s on an AVX2 core, 7× slower per FLOP than the same layer's backward pass, and
took 13 % of a fp32 training step's convolution time. Its forward is one matrix product and
a fold instead — each input pixel's 32 channels times the 32 × 16 weights give its 4 × 4
patch of the output; overlapping patches are summed — and its backward pass stays oneDNN's.
The outputs match the module's to float rounding (~2e-6: the sums run in another order), the
gradients are the very same.

The decoder's first layer, ``Linear(d, 3136)``, has the opposite shape problem in its backward
pass: PyTorch computes its two gradients as products with a 10-wide right-hand side, the slow
case of the CPU's matrix product (on an AVX2 core, 0.37 and 0.46 ms for 2 MFLOP each). The
same products computed transposed take 0.08 and 0.14 ms.

The VAE's summed binary cross-entropy is PyTorch's own formula — each log clamped at -100, the
backward pass's denominator at 1e-12 — computed with vectorised ops: ATen's kernel for it runs
one element at a time (a half-batch step took 5 % longer with it on AVX2).

Where the convolutions run channels-last, the lab's flatten (channel, row, column) and the
decoder's ``view(-1, 64, 7, 7)`` each cost a transposing copy of the activations, and their
gradients another: four copies a step. The linear layers read and write the features in
(row, column, channel) order instead, with their weights' columns or rows permuted to match
(``hwc_columns``, ``hwc_rows``: copies of 31,360 numbers instead of 200,704), the same products.

The convolutions' bias gradients: oneDNN computes them inside its weight-gradient kernels,
and for the transposed convolutions with a reference (scalar) loop: 0.6 ms of the 64 → 32
layer's 3.2 ms on an AVX2 core in fp32, 1.5 ms of 4.5 in bf16 on AVX512-BF16.
``strided_conv`` runs the module's forward pass and, in its backward pass, asks oneDNN for the
input and weight gradients only and sums the output gradient over images and pixels with ATen
(0.05 ms): the same numbers up to the order of the sum.

Measured by wall clock, one change against none in the same run (a profile overstates the
small ops several times over): the fold −9 % of a half-batch step, the BCE −5 %, the feature
order −3 %, the transposed products −2 %, the bias gradients −3 to −5 % (a tenth-percentile
block 0.97×, the median 0.95×, faster in 40 of 60 blocks alternated in one run).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "bce_sum",
    "bce_sum_gradient",
    "bce_sum_value",
    "channels_last",
    "chw_columns",
    "chw_rows",
    "conv_backward",
    "conv_gradients",
    "gemm_fold_deconv",
    "hwc_columns",
    "hwc_rows",
    "lab_strided",
    "one_channel_deconv",
    "relu_backward_",
    "strided_conv",
    "wide_linear",
]

# The lab's feature maps between the convolutions and the linear layers are 64 × 7 × 7, written as
# literals below: TorchScript (core.explicit_step) compiles these functions and takes no global ints.


def channels_last(t: torch.Tensor) -> bool:
    """Whether a 4-D tensor is laid out channels-last (and not also plain contiguous)."""
    return t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(memory_format=torch.channels_last)


def hwc_columns(weight: torch.Tensor) -> torch.Tensor:
    """A (out, 3136) weight that reads (channel, row, column) features, for (row, column,
    channel) ones."""
    return weight.view(-1, 64, 7, 7).permute(0, 2, 3, 1).reshape(weight.shape[0], -1)


def hwc_rows(weight: torch.Tensor) -> torch.Tensor:
    """A (3136, d) weight or (3136,) bias that writes (channel, row, column) features, for
    (row, column, channel) ones."""
    if weight.dim() == 1:
        return weight.view(64, 7, 7).permute(1, 2, 0).reshape(weight.shape)
    return weight.view(64, 7, 7, -1).permute(1, 2, 0, 3).reshape(weight.shape)


def gemm_fold_deconv(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``conv_transpose2d(x, weight, bias, stride=2, padding=1)`` for a (C, 1, 4, 4) weight, as
    a matrix product and a fold (no autograd of its own)."""
    n, c, h, w = x.shape[0], x.shape[1], x.shape[2], x.shape[3]
    pixels = x.permute(0, 2, 3, 1).reshape(n * h * w, c)  # a view of a channels-last x
    patches = torch.mm(pixels, weight.reshape(c, 16)).view(n, h * w, 16).transpose(1, 2)
    out = F.fold(patches, [2 * h, 2 * w], kernel_size=4, stride=2, padding=1)
    return out.add_(bias.view(1, 1, 1, 1))


def chw_columns(weight: torch.Tensor) -> torch.Tensor:
    """``hwc_columns`` undone: a (out, 3136) weight (or its gradient) for (row, column,
    channel) features, in the lab's (channel, row, column) order."""
    return weight.view(-1, 7, 7, 64).permute(0, 3, 1, 2).reshape(weight.shape[0], -1)


def chw_rows(weight: torch.Tensor) -> torch.Tensor:
    """``hwc_rows`` undone: a (3136, d) weight or (3136,) bias (or its gradient) in the lab's
    order."""
    if weight.dim() == 1:
        return weight.view(7, 7, 64).permute(2, 0, 1).reshape(weight.shape)
    return weight.view(7, 7, 64, -1).permute(2, 0, 1, 3).reshape(weight.shape)


class _GemmFoldDeconv(torch.autograd.Function):
    """``gemm_fold_deconv`` with oneDNN's backward pass (``conv_backward``)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        return gemm_fold_deconv(x, weight, bias)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, weight = ctx.saved_tensors
        return conv_backward(grad.contiguous(), x, weight, True, ctx.needs_input_grad)


def conv_gradients(
    grad: torch.Tensor, x: torch.Tensor, weight: torch.Tensor, transposed: bool, input_grad: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The gradients of ``conv2d`` or ``conv_transpose2d`` (stride 2, padding 1, a bias) with
    respect to its input (if ``input_grad``), weight and bias: oneDNN's for the first two, the
    bias's summed by ATen."""
    grad_x, grad_weight, _ = torch.ops.aten.convolution_backward(
        grad, x, weight, None, [2, 2], [1, 1], [1, 1], transposed, [0, 0], 1, [input_grad, True, False]
    )
    return grad_x, grad_weight, grad.sum([0, 2, 3])


def conv_backward(grad: torch.Tensor, x: torch.Tensor, weight: torch.Tensor, transposed: bool, needs: tuple):
    """``conv_gradients`` for an autograd function: None for each gradient not needed."""
    grad_x, grad_weight, grad_bias = conv_gradients(grad, x, weight, transposed, needs[0])
    return grad_x, grad_weight if needs[1] else None, grad_bias if needs[2] else None


def relu_backward_(grad: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """ReLU's backward pass written into ``grad`` (``out`` is the ReLU's output), as autograd
    computes it (``threshold_backward``) but without a new tensor."""
    return torch.ops.aten.threshold_backward(grad, out, 0.0, grad_input=grad)


class _StridedConv(torch.autograd.Function):
    """``conv2d`` or ``conv_transpose2d(x, weight, bias, stride=2, padding=1)``, the module's
    own forward pass; the backward pass as ``_conv_backward``."""

    @staticmethod
    def forward(
        ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, transposed: bool
    ) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        ctx.transposed = transposed
        return (F.conv_transpose2d if transposed else F.conv2d)(x, weight, bias, 2, 1)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, weight = ctx.saved_tensors
        return *conv_backward(grad, x, weight, ctx.transposed, ctx.needs_input_grad[:3]), None


class _WideLinear(torch.autograd.Function):
    """``F.linear(x, weight, bias)`` for a (out, in) weight with out ≫ in: the backward pass's
    products computed transposed."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        return torch.addmm(bias, x, weight.t())

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, weight = ctx.saved_tensors
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_x = (weight.t() @ grad.t()).t()  # (in, B), read as (B, in)
        if ctx.needs_input_grad[1]:
            grad_weight = (x.t() @ grad).t().contiguous()  # the weight's own layout
        if ctx.needs_input_grad[2]:
            grad_bias = grad.sum(0)
        return grad_x, grad_weight, grad_bias


def bce_sum_value(p: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """``F.binary_cross_entropy(p, t, reduction="sum")``, the same formula, vectorised (no
    autograd of its own). Like ATen's, it refuses probabilities outside [0, 1] (NaN included),
    which is how a diverging model is noticed."""
    low, high = torch.aminmax(p)
    if not bool((low >= 0) & (high <= 1)):  # NaN fails both
        raise RuntimeError("all elements of input should be between 0 and 1")
    log_p = torch.log(p).clamp_min_(-100.0)
    log_q = torch.log1p(-p).clamp_min_(-100.0)
    return log_q.mul_(t - 1).sub_(log_p.mul_(t)).sum()


def bce_sum_gradient(p: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The gradient of ``bce_sum_value`` with respect to ``p``: ATen's formula, its
    denominator clamped at 1e-12."""
    return (p - t).div_(((1 - p) * p).clamp_min_(1e-12))


class _BceSum(torch.autograd.Function):
    """``F.binary_cross_entropy(p, t, reduction="sum")``, the same formulas, vectorised."""

    @staticmethod
    def forward(ctx, p: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(p, t)
        return bce_sum_value(p, t)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        p, t = ctx.saved_tensors
        return bce_sum_gradient(p, t).mul_(grad), None


def bce_sum(p: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """``F.binary_cross_entropy(p, t, reduction="sum")``: vectorised for fp32 on the CPU
    (``bce_sum_value``), which refuses probabilities outside [0, 1] as ATen's does."""
    if p.device.type == "cpu" and p.dtype == t.dtype == torch.float32 and not t.requires_grad:
        return _BceSum.apply(p, t)
    return F.binary_cross_entropy(p, t, reduction="sum")


def _fp32_cpu(x: torch.Tensor, weight: torch.Tensor) -> bool:
    return (
        x.device.type == "cpu"
        and x.dtype == torch.float32
        and weight.dtype == torch.float32
        and not torch.is_autocast_enabled("cpu")
    )


def wide_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``F.linear(x, weight, bias)`` for the decoder's first layer: its gradients computed
    transposed for fp32 on the CPU."""
    if _fp32_cpu(x, weight) and x.dim() == 2:
        return _WideLinear.apply(x, weight, bias)
    return F.linear(x, weight, bias)


def lab_strided(layer: nn.Conv2d | nn.ConvTranspose2d) -> bool:
    """Whether a layer is the lab's kind: 4 × 4 kernel, stride 2, padding 1, a bias."""
    return (
        layer.bias is not None
        and layer.kernel_size == (4, 4)
        and layer.stride == (2, 2)
        and layer.padding == (1, 1)
        and layer.dilation == (1, 1)
        and layer.groups == 1
        and getattr(layer, "output_padding", (0, 0)) == (0, 0)
        and layer.padding_mode == "zeros"
    )


def strided_conv(layer: nn.Conv2d | nn.ConvTranspose2d, x: torch.Tensor) -> torch.Tensor:
    """``layer(x)`` for the lab's convolutions, with the bias gradient summed by ATen on the
    CPU, in fp32 and under bf16 autocast alike (there the inputs are cast as autocast casts
    them, so the forward pass is autocast's own); the module itself elsewhere (GPUs)."""
    if not (x.device.type == "cpu" and x.dim() == 4 and torch.is_grad_enabled() and lab_strided(layer)):
        return layer(x)
    transposed = isinstance(layer, nn.ConvTranspose2d)
    if torch.is_autocast_enabled("cpu"):
        low = torch.get_autocast_dtype("cpu")
        with torch.autocast("cpu", enabled=False):
            return _StridedConv.apply(x.to(low), layer.weight.to(low), layer.bias.to(low), transposed)
    if _fp32_cpu(x, layer.weight):
        return _StridedConv.apply(x, layer.weight, layer.bias, transposed)
    return layer(x)


def one_channel_deconv(layer: nn.ConvTranspose2d, x: torch.Tensor) -> torch.Tensor:
    """``layer(x)`` for the decoder's last layer: a matrix product and a fold for fp32 on the
    CPU, ``strided_conv`` elsewhere (bf16 autocast, GPUs)."""
    if _fp32_cpu(x, layer.weight) and layer.weight.shape[1] == 1 and lab_strided(layer):
        return _GemmFoldDeconv.apply(x, layer.weight, layer.bias)
    return strided_conv(layer, x)
