import subprocess
import sys


def test_core_does_not_import_qt():
    code = (
        "import sys, core, core.data, core.models, core.training, core.checkpoint, core.cli, "
        "core.training_process, core.reference, core.latent, core.tsne, core.tsne_stream; "
        "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_tsne_child_imports_neither_torch_nor_qt():
    """The t-SNE child imports core.tsne and core.tsne_stream: without torch it starts in a
    fraction of the time."""
    code = (
        "import sys, core.tsne, core.tsne_stream; "
        "print([m for m in sys.modules if m.startswith(('torch', 'PySide6', 'pyqtgraph'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_nothing_unpickles_user_files():
    """Checkpoints are safetensors, data is IDX: no call in the app may unpickle a file.

    (The training and t-SNE child processes exchange pickles through multiprocessing's own
    pipes, never from files, and do not name these calls.)"""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    forbidden = re.compile(
        r"torch\.load\(|pickle\.loads?\(|Unpickler|allow_pickle\s*=\s*True|weights_only\s*=\s*False"
        r"|joblib\.load|dill\.|shelve\.|FashionMNIST\("
    )
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder in ("core", "explorer")
        for path in sorted((root / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if forbidden.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []
