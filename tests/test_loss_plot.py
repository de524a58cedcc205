"""The loss plot as a class reads it: each kind's own scale, legend and ticks."""

import numpy as np

from core.training import EpochRecord
from explorer.views.loss_plot import KlBars, LossPlot


def record(epoch: int, loss: float, **test) -> EpochRecord:
    return EpochRecord(epoch, loss, {"test_loss": loss, "test_mse": 0.01, **test}, 1.0, 0.1)


def legend_names(plot: LossPlot) -> list[str]:
    return [label.text for _, label in plot.legend.items]


def test_an_ae_never_shows_the_vaes_scale_or_terms(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.set_kind("vae")
    plot.set_data([], [record(1, 250.0, test_bce=230.0, test_kl=20.0)])
    assert "test KL divergence" in legend_names(plot)
    plot.set_kind("ae")
    plot.set_data([], [])
    plot.set_reference(None)
    low, high = plot.getPlotItem().viewRange()[1]
    assert high <= 1.0  # an MSE's scale, not 235–255
    assert "test KL divergence" not in legend_names(plot)
    assert "test reconstruction (BCE)" not in legend_names(plot)
    plot.set_kind("vae")
    assert "test KL divergence" in legend_names(plot)


def test_log_ticks_read_as_plain_numbers(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    axis = plot.getPlotItem().getAxis("left")
    assert axis.logTickStrings([np.log10(60), 2.0, np.log10(0.013)], 1, 1) == ["60", "100", "0.013"]
    assert not axis.autoSIPrefix


def test_smoothing_follows_a_short_run(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    steps = 6  # a few hundred images: 6 batches an epoch
    losses = [0.2 * 0.7**i for i in range(3 * steps)]
    plot.set_data([(i / steps + 1 / steps, y) for i, y in enumerate(losses)], [])
    smooth = plot.smooth_curve.getData()[1]
    # The smoothed line ends near the raw curve (a 20-batch EMA ended 30× above it).
    assert smooth[-1] < 3 * losses[-1]


def test_a_one_epoch_run_fills_the_axis_even_with_the_lab_line(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.set_kind("ae")
    plot.set_reference({e: {"test_loss": 0.02 - 0.001 * e} for e in range(1, 11)})
    plot.set_planned_epochs(1)
    plot.set_data([(0.5, 0.03), (1.0, 0.02)], [record(1, 0.02)])
    assert plot.getPlotItem().viewRange()[0][1] < 2


def test_kl_bars_leave_room_for_the_top_tick(qtbot):
    bars = KlBars()
    qtbot.addWidget(bars)
    assert bars.getPlotItem().getContentsMargins()[1] >= 8
