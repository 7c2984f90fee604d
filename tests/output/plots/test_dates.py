"""Date axes with remembered ticks: the same ticks and labels as matplotlib's own, each
view interval worked out once per figure.
"""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sim.output.plots.dates import MemoDateFormatter, MemoDateLocator, date_ticks
from sim.output.plots.style import STYLE, figure


def _fig(days: int):
    dates = pd.date_range("2021-01-01", periods=days)
    with plt.rc_context(STYLE):
        fig, axes = figure((9, 6), 2, 2, squeeze=False)
        for i, ax in enumerate(axes.ravel()):
            ax.plot(dates, range(days))
            ax.set_title(f"panel {i}")
    return fig


def _labels(fig):
    fig.canvas.draw()
    return [([t.get_position()[0] for t in ax.get_xticklabels()],
             [t.get_text() for t in ax.get_xticklabels()],
             [t.get_visible() and t.get_rotation() for t in ax.get_xticklabels()])
            for ax in fig.axes]


@pytest.mark.parametrize("days", [3, 40, 730, 3000])
def test_same_ticks_and_labels_as_matplotlib(days):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    plain, memo = _fig(days), _fig(days)
    for fig in (plain, memo):
        FigureCanvasAgg(fig)
    with plt.rc_context(STYLE):
        plain.autofmt_xdate()
        date_ticks(memo)
        assert all(type(ax.xaxis.get_major_locator()) is MemoDateLocator for ax in memo.axes)
        assert all(type(ax.xaxis.get_major_formatter()) is MemoDateFormatter
                   for ax in memo.axes)
        want, got = _labels(plain), _labels(memo)
    assert got == want
    assert any(t for _, texts, _ in got for t in texts)
    # the four panels share one view interval: their ticks were worked out once
    assert len(memo.axes[0].xaxis.get_major_locator().memo) == 1


def test_without_the_private_attributes_the_axes_keep_matplotlibs_own(monkeypatch):
    """A matplotlib lacking what the memos read keeps its own locator and formatter."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.dates import AutoDateLocator

    from sim.output.plots import dates

    monkeypatch.setattr(dates, "SUPPORTED", False)
    fig, ax = plt.subplots()
    ax.plot(np.arange(np.datetime64("2021-01-01"), np.datetime64("2023-01-01")), np.arange(730))
    dates.date_ticks(fig)
    assert type(ax.xaxis.get_major_locator()) is AutoDateLocator
    plt.close(fig)


def test_a_panel_with_no_panel_below_keeps_its_date_labels():
    from sim.output.plots.style import panel_figure

    dates = pd.date_range("2021-01-01", periods=400)
    with plt.rc_context(STYLE):
        fig, axes = panel_figure((12, 6), 2, 3, 4)     # row 0: three panels; row 1: one
        for ax in axes:
            ax.plot(dates, range(400))
        date_ticks(fig)
    fig.canvas.draw()

    def shown(ax):
        return [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]

    assert shown(axes[3])                               # the bottom row, as matplotlib does
    assert not shown(axes[0])                           # a panel below it carries the dates
    assert shown(axes[1]) and shown(axes[2])            # nothing below: its own dates
    assert all(t.get_rotation() == 30 for t in axes[1].get_xticklabels())
