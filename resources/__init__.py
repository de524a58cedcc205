"""Package data: icon, desktop entry, translations, bundled models and sample data."""

from importlib.resources import files


def resource_path(name: str):
    """A Traversable for a file shipped in this package."""
    return files(__name__) / name
