"""The window as latent-explorer starts it: its frame first, without PyTorch (drawn in a
fraction of a second), then the panels once PyTorch is imported on a thread."""

import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QMenuBar, QTabWidget

from explorer.app import build_window
from explorer.window_loading import PANEL_IMPORTS

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300, check=True
    )
    return out.stdout.strip()


def test_the_frame_is_built_without_pytorch(tiny_data_dir):
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication, QTabWidget\n"
        "app = QApplication([])\n"
        "from explorer.app import build_window\n"
        f"w = build_window(['--data-dir', {str(tiny_data_dir)!r}, '--no-bundled-models'], staged=True)\n"
        "tabs = w.findChild(QTabWidget, 'loadingTabs')\n"
        "print('torch' in sys.modules, 'pyqtgraph' in sys.modules, tabs.count(), w.built,"
        " w.findChild(QTabWidget, 'panelTabs'))\n"
    )
    assert _run(code) == "False False 7 False None"


def test_in_presentation_mode_the_frame_is_already_full_screen_and_large(tiny_data_dir):
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "normal = app.font().pointSizeF()\n"
        "from explorer.app import build_window\n"
        f"w = build_window(['--data-dir', {str(tiny_data_dir)!r}, '--no-bundled-models', '--presentation'], staged=True)\n"
        "print('torch' in sys.modules, w.isFullScreen(), round(app.font().pointSizeF() / normal, 2))\n"
    )
    assert _run(code) == "False True 1.5"


def test_what_the_thread_imports_leaves_no_pytorch_or_core_module_to_the_gui_thread():
    code = (
        "import importlib, sys\n"
        "from explorer.main_window import MainWindow\n"
        "from explorer.window_loading import PANEL_IMPORTS\n"
        "for name in PANEL_IMPORTS: importlib.import_module(name)\n"
        "before = set(sys.modules)\n"
        "import inspect, re\n"
        "source = inspect.getsource(MainWindow.build_panels)\n"
        "for name in re.findall(r'from (explorer[.\\w]+) import', source): importlib.import_module(name)\n"
        "new = sorted(m for m in set(sys.modules) - before if m.split('.')[0] in ('torch', 'core', 'pyqtgraph'))\n"
        "print(new)\n"
    )
    assert PANEL_IMPORTS[0] == "torch"
    assert _run(code) == "[]"


def test_the_panels_replace_the_frame_once_pytorch_is_in(qtbot, tiny_data_dir):
    window = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"], staged=True)
    qtbot.addWidget(window)
    window.show()
    frame = window.findChild(QTabWidget, "loadingTabs")
    titles = [frame.tabText(i) for i in range(frame.count())]
    frame.setCurrentIndex(2)  # the user picks a tab while it loads
    assert not window.findChild(QMenuBar).actions()[0].isEnabled()
    with qtbot.waitSignal(window.panelsBuilt, timeout=None):
        window.build_panels_soon()
    try:
        tabs = window.findChild(QTabWidget, "panelTabs")
        assert [tabs.tabText(i) for i in range(tabs.count())] == titles
        assert tabs.currentIndex() == 2
        assert window.findChild(QTabWidget, "loadingTabs") is None
        menus = [a.text() for a in window.findChild(QMenuBar).actions()]
        assert menus == ["&File", "&View", "&Help"]  # the real menus, not the frame's as well
        assert all(a.isEnabled() for a in window.findChild(QMenuBar).actions())
        assert window.findChild(QTabWidget, "panelTabs").currentWidget() is window.generation_panel
    finally:
        window.shutdown()


def test_closing_the_frame_while_it_loads_builds_nothing(qtbot, tiny_data_dir):
    window = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"], staged=True)
    qtbot.addWidget(window)
    window.show()
    built = []
    window.panelsBuilt.connect(lambda: built.append(True))
    window.build_panels_soon()
    window.close()  # no question: nothing to save yet
    assert not window.isVisible()
    qtbot.waitUntil(lambda: window.imported, timeout=120_000)  # PyTorch is in, and then nothing
    qtbot.wait(50)
    assert built == [] and not window.built and window.findChild(QTabWidget, "panelTabs") is None
