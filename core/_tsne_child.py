"""t-SNE in a child process: imports only numpy and scikit-learn, so it starts quickly."""

from __future__ import annotations


def serve(jobs, results) -> None:
    """Import scikit-learn at once (the parent may start us ahead of time), then wait for one
    job ``(codes_file, seed)`` (an ``.npy`` file) on the ``jobs`` connection and send ``("ok", coords)`` or
    ``("error", message)`` back on ``results``."""
    import numpy as np
    from sklearn.manifold import TSNE

    try:
        codes_file, seed = jobs.recv()
    except (EOFError, OSError):  # the parent went away or gave us up
        return
    try:
        codes = np.load(codes_file, allow_pickle=False)
        coords = TSNE(n_components=2, random_state=seed, init="pca").fit_transform(codes)
        results.send(("ok", coords.astype(np.float32)))
    except Exception as exc:  # reported to the parent, shown there
        results.send(("error", f"{type(exc).__name__}: {exc}"))
