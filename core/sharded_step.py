"""One training step's gradient as the sum of its half-batches' gradients, each half on its own
core: the same function as one backward pass over the whole batch, computed faster on a CPU.

Why: the lab's convolutions are small (28×28 images, 32–64 channels), and two OpenMP threads
working on every op together meet at a barrier after each of the step's ~60 ops and share each
op's memory traffic. Two threads that each run a whole forward and backward pass over half the
batch never wait for each other until the gradients are summed. Measured on an AMD EPYC
limited to AVX2 (fp32, batch 128, the VAE): one step on 2 intra-op threads 34–36 ms, two halves
on one thread each 28–29 ms; one thread alone 59 ms (the halves scale by 2.0×, the intra-op
threads by 1.7×).

The maths is the lab's: no layer of these models mixes the images of a batch (no batch norm),
so the batch's loss is the sum of its halves' (the VAE's summed loss) or their weighted mean
(the AE's mean MSE), and so is its gradient. The VAE's ε is drawn once for the whole batch, in
the calling thread, exactly as one forward pass would draw it (``core.models.given_noise``):
the same seed gives the same run, up to the order of floating-point sums (~1e-7).

In fp32 each half runs ``core.explicit_step`` (compiled, it holds no Python lock, so the
halves do not take turns between ops); elsewhere (bf16 autocast) autograd. Measured on an Intel
Xeon limited to AVX2 with the explicit step, trainer epochs: halves 0.957× one pass on two
intra-op threads (0.89–1.01); with AVX-512, 0.978× (0.96–1.00), left off there (``shards_for``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import torch

from core import explicit_step
from core.losses import LossTerms
from core.models import LatentModel, given_noise
from core.runtime import autocast, denormals_flushed, shards_for

__all__ = ["ShardedStep", "shards_for"]


class ShardedStep:
    """Computes the loss of a batch and sets each parameter's ``.grad`` to its gradient, the
    batch cut into ``shards`` parts that run on their own threads (the first in the caller's).
    ``close()`` ends the threads."""

    def __init__(self, model: LatentModel, shards: int = 2) -> None:
        if shards < 2:
            raise ValueError("a sharded step needs at least two shards")
        self.model = model
        self.shards = shards
        self.params = [p for p in model.parameters() if p.requires_grad]
        flush = denormals_flushed()  # the shards compute as the caller does (runtime.flushing_denormals)
        self._pool = ThreadPoolExecutor(
            max_workers=shards - 1,
            thread_name_prefix="shard",
            initializer=torch.set_flush_denormal,
            initargs=(flush,),
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __call__(
        self,
        x: torch.Tensor,
        target: torch.Tensor,
        beta: float,
        device: torch.device,
        precision: str,
        threads_per_shard: int,
    ) -> LossTerms:
        n = len(x)
        size = -(-n // self.shards)
        bounds = [(a, min(a + size, n)) for a in range(0, n, size)]
        noise = self.model.draw_noise(x) if hasattr(self.model, "draw_noise") else None

        explicit = explicit_step.supports(self.model, x, precision)  # the backward pass written out

        def shard(a: int, b: int):
            if torch.get_num_threads() != threads_per_shard:
                torch.set_num_threads(threads_per_shard)
            if explicit:
                weight = 1.0 if self.model.kind == "vae" else (b - a) / n  # the AE's mean over the batch
                part = None if noise is None else noise[a:b]
                terms, grads = explicit_step.loss_and_gradients(
                    self.model, x[a:b], beta, target[a:b], part, weight
                )
                return terms, weight, grads
            with autocast(device, precision), given_noise(None if noise is None else noise[a:b]):
                terms = self.model.loss(x[a:b], beta, target[a:b])
                weight = 1.0 if terms.summed else (b - a) / n  # the AE's mean over the whole batch
                grads = torch.autograd.grad(terms.total * weight, self.params)
            return terms, weight, grads

        futures = [self._pool.submit(shard, a, b) for a, b in bounds[1:]]
        parts = [shard(*bounds[0])] + [f.result() for f in futures]
        for i, p in enumerate(self.params):
            grad = torch.empty_like(p)  # the parameter's own layout, as backward() would give
            torch.add(parts[0][2][i], parts[1][2][i], out=grad)
            for part in parts[2:]:
                grad.add_(part[2][i])
            p.grad = grad
        first = parts[0][0]
        return LossTerms(
            total=sum(terms.total.detach() * weight for terms, weight, _ in parts),
            bce=sum(terms.bce.detach() for terms, _, _ in parts),
            kl=sum(terms.kl.detach() for terms, _, _ in parts),
            summed=first.summed,
        )
