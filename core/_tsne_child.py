"""t-SNE in a child process: imports only numpy and scikit-learn, so it starts quickly."""

from __future__ import annotations


def run(codes, seed: int, out) -> None:
    import numpy as np
    from sklearn.manifold import TSNE

    try:
        coords = TSNE(n_components=2, random_state=seed, init="pca").fit_transform(np.asarray(codes))
        out.put(("ok", coords.astype(np.float32)))
    except Exception as exc:  # reported to the parent, shown there
        out.put(("error", f"{type(exc).__name__}: {exc}"))
