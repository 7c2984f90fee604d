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
