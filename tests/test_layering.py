import subprocess
import sys


def test_core_does_not_import_qt():
    code = (
        "import sys, core, core.data, core.models, core.training, core.checkpoint, core.cli, "
        "core.training_process, core.reference, core.latent; "
        "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
