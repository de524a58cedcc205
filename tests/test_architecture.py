"""The house's walks, checked. Walk 1: a training batch goes child → run state → plot, and its
loss is stored once, in the model entry."""

from __future__ import annotations

import numpy as np

from explorer.app import build_window
from explorer.state.batch_losses import BatchLosses


def _walk_training_copies(owner, losses: BatchLosses) -> list[str]:
    """Attributes of owner that hold the batch losses a second time (a list or an array with
    the same values), rather than the entry's own object."""
    copies = []
    for name, value in vars(owner).items():
        if value is losses or not isinstance(value, (list, tuple, np.ndarray, BatchLosses)):
            continue
        try:
            values = np.asarray(list(value), dtype=np.float64)
        except (TypeError, ValueError):
            continue
        if values.shape == (len(losses), 2) and np.array_equal(values, np.stack([losses.x, losses.y], 1)):
            copies.append(name)
        elif values.shape == (len(losses),) and np.array_equal(values, losses.y):
            copies.append(name)
    return copies


def test_walk_training_batch_goes_child_run_plot_stored_once(qtbot, tiny_data_dir, monkeypatch):
    window = build_window(["--data-dir", str(tiny_data_dir), "--no-bundled-models"])
    qtbot.addWidget(window)
    window.ask = lambda *a: 1
    try:
        qtbot.waitUntil(lambda: window.session.dataset is not None, timeout=10_000)
        panel, run = window.training_panel, window.training_run
        plot = panel.plot
        assert panel.run is run  # the panel is a view of the window's run
        panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("ae"))
        panel.latent_spin.setValue(3)
        panel.epochs_spin.setValue(1)
        panel.batch_spin.setValue(16)  # 24 batches: the smoothed line differs from the raw one
        panel.device_combo.setCurrentIndex(panel.device_combo.findData("cpu"))

        relayed: list[tuple[float, float]] = []  # what the child sent, as the run signals it
        # The run emits in the GUI thread: a lambda is safe here.
        run.batches.connect(lambda message: relayed.extend(message.points))
        redraws: list[tuple[int, int]] = []  # (points in the entry, points the run had signalled)
        redraw = plot.redraw_batches

        def spy_redraw() -> None:
            if run.entry is not None:  # a redraw while the run goes on
                redraws.append((len(run.entry.batch_losses), len(relayed)))
            redraw()

        monkeypatch.setattr(plot, "redraw_batches", spy_redraw)
        with qtbot.waitSignal(panel.trainingEnded, timeout=60_000):
            panel.start_button.click()

        [entry] = window.session.entries
        losses = entry.batch_losses
        # child → run: every point the child sent is in the entry, once, in order.
        assert isinstance(losses, BatchLosses) and len(losses) == 24  # 384 images / 16, one epoch
        assert list(losses) == relayed
        # run → plot: each redraw came after the run had stored points it had not signalled yet
        # (its batches signal reaches the panel, which redraws, before this test's slot). The
        # one redraw with nothing stored is the new entry's empty plot, as the run starts.
        assert redraws[0] == (0, 0)
        assert len(redraws) > 1 and all(stored > signalled for stored, signalled in redraws[1:])
        # Stored once: the plot keeps the entry's object and its curve is a view of its array.
        assert plot._batches is losses
        x, y = plot.batch_curve.xData, plot.batch_curve.yData
        assert np.shares_memory(y, losses.y) and np.shares_memory(x, losses.x)
        assert np.array_equal(y, losses.y)
        for owner in (panel, plot, run):
            assert _walk_training_copies(owner, losses) == [], type(owner).__name__
    finally:
        window.shutdown()


def test_walk_training_the_run_state_imports_no_widget():
    import subprocess
    import sys

    code = (
        "import sys, explorer.state.training_run, explorer.state.batch_losses; "
        "print([m for m in sys.modules if m.startswith(('PySide6.QtWidgets', 'pyqtgraph'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
