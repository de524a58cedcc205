"""Run the app, start some long work, close the window in the middle of it (used by
test_lifecycle.py in a process of its own, like a user's session).

    python tests/lifecycle_app.py {training,tsne,encoding} APP-ARGS...

Prints "closing T" when it asks the window to close, "event loop ended T" when app.exec()
returns (T: time.perf_counter()), and exits with the app's exit code.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> int:
    scenario, argv = sys.argv[1], sys.argv[2:]
    app = QApplication([sys.argv[0]])
    from explorer.app import build_window

    window = build_window(argv)
    window.ask = lambda *a: 1  # "stop and quit without saving" / "quit without saving"
    window.show()
    poll = QTimer(interval=20)

    def ready() -> bool:
        if window.session.dataset is None:
            return False
        if scenario == "training":
            panel = window.training_panel
            if not panel.is_training:
                panel.epochs_spin.setValue(50)
                panel.latent_spin.setValue(3)
                panel.start_training()
                return False
            return bool(panel.plot.batch_count)  # the child process is training
        panel = window.latent_panel
        if window.tabs.currentWidget() is not panel:
            window.tabs.setCurrentWidget(panel)
            return scenario == "encoding"  # close as the encoding starts
        return panel.live.running((panel._key, "tsne"))  # its t-SNE child is running

    def check() -> None:
        if ready():
            poll.stop()
            print(f"closing {time.perf_counter()}", flush=True)
            if os.environ.get("LIFECYCLE_DEBUG"):
                import faulthandler

                faulthandler.dump_traceback_later(1.0, exit=False)
            window.close()

    poll.timeout.connect(check)
    poll.start()
    code = app.exec()
    print(f"event loop ended {time.perf_counter()}", flush=True)
    if os.environ.get("LIFECYCLE_DEBUG"):
        import faulthandler

        faulthandler.dump_traceback_later(0.5, exit=False)
    return code


if __name__ == "__main__":
    sys.exit(main())
