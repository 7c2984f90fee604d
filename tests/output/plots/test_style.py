"""Drawing helpers of sim.output.plots.style: the median line and its band, and the
tight layout that measures each axes once.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection

from sim.output.plots.style import STYLE, band, band_arrays, figure, tight_layout


def _table(members: int) -> pd.DataFrame:
    dates = pd.date_range("2021-01-01", periods=30)
    rng = np.random.default_rng(1)
    return pd.DataFrame({"member": np.repeat(np.arange(members), len(dates)),
                         "date": np.tile(dates, members),
                         "value": rng.random(members * len(dates))})


@pytest.mark.parametrize("members", [1, 3])
def test_band_shaded_only_with_several_members(members):
    df = _table(members)
    with plt.rc_context(STYLE):
        fig, (ax, bx) = figure((6, 3), 1, 2)
        band(ax, df, "date", "value", "#123456", "v")
        band_arrays(bx, df["date"].unique(), df["value"].to_numpy().reshape(members, -1),
                    "#123456", "v")
    for a in (ax, bx):
        (line,) = a.get_lines()
        want = df.groupby("date")["value"].median().to_numpy()
        assert np.allclose(line.get_ydata(), want)
        shaded = [c for c in a.collections if isinstance(c, PolyCollection)]
        assert len(shaded) == (members > 1)
    plt.close(fig)


def _ranking_like():
    with plt.rc_context(STYLE):
        fig, axes = figure((8, 4), 1, 2, sharex=True)
        for i, ax in enumerate(axes):
            ax.plot([0, 1, 2], [1, 3, 2 + i])
            ax.set_yticks([0, 1, 2, 3], ["Central African Republic", "b", "c", "d"][: 4 - i]
                          + ["e"] * i)
            ax.set_title(f"panel {i}\nsecond line")
            ax.set_xlabel("x (unit)")
        fig.suptitle("a suptitle")
    return fig


@pytest.mark.parametrize("rect", [None, (0, 0.05, 1, 1), (0.02, 0.1, 0.95, 0.9)])
def test_tight_layout_same_as_matplotlib(rect, monkeypatch):
    want_fig = _ranking_like()
    with plt.rc_context(STYLE):
        want_fig.tight_layout(rect=rect)
    want = vars(want_fig.subplotpars).copy()

    calls = []
    real = Axes.get_tightbbox

    def counted(self, *args, **kwargs):
        calls.append(id(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "get_tightbbox", counted)
    fig = _ranking_like()
    with plt.rc_context(STYLE):
        tight_layout(fig, rect=rect)
    assert vars(fig.subplotpars) == want
    assert sorted(calls) == sorted(id(ax) for ax in fig.axes)  # each measured once
    assert all("get_tightbbox" not in vars(ax) for ax in fig.axes)  # nothing left behind
    plt.close(fig)
    plt.close(want_fig)
