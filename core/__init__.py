"""Latent Explorer's core: data, models, training, checkpoints and latent tools. No Qt here."""

__version__ = "0.1.0"
