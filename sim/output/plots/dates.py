"""Date axes that work out their ticks once per figure.

Matplotlib asks an axis for its ticks at every layout step: ``autofmt_xdate``,
``tight_layout``, the title's placement, each spine, the draw (~15 times per axis for a
figure saved once). On a date axis each ask builds a dateutil ``rrule`` and formats
every tick with ``strftime``, ~1–2 ms per ask: a third of the seven-panel history
check's drawing time. :func:`date_ticks` swaps each axis' automatic date locator and
formatter for ones that remember their answers per view interval (the axes of one
figure usually share it), so the ticks and labels are the same and are computed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.dates import AutoDateFormatter, AutoDateLocator
from matplotlib.figure import Figure

#: The memos lean on private attributes of matplotlib's automatic date locator and
#: formatter (checked with matplotlib 3.8-3.11); without them the axes keep matplotlib's
#: own locator and formatter (same ticks, computed at every ask).
SUPPORTED = (hasattr(AutoDateLocator(), "_freq")
             and hasattr(AutoDateLocator, "_get_unit")
             and all(hasattr(AutoDateFormatter(AutoDateLocator()), name)
                     for name in ("_locator", "_tz")))


class MemoDateLocator(AutoDateLocator):
    """:class:`AutoDateLocator` remembering, per view interval, its ticks and the tick
    frequency it chose (which :class:`AutoDateFormatter` reads), in ``memo`` (a dict
    shared by the axes of one figure).
    """

    def __init__(self, memo: dict, **kwargs: Any):
        super().__init__(**kwargs)
        self.memo = memo

    def __call__(self) -> Sequence[float]:
        """The ticks of the axis' view interval, computed on its first ask."""
        assert self.axis is not None
        key = (str(self.tz), self.minticks, self.interval_multiples,
               *self.axis.get_view_interval())
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = (super().__call__(), self._freq)
        self._freq = hit[1]
        return hit[0]


class MemoDateFormatter(AutoDateFormatter):
    """:class:`AutoDateFormatter` remembering each label by (date, tick unit) in
    ``memo``.
    """

    def __init__(self, locator: AutoDateLocator, memo: dict, **kwargs: Any):
        super().__init__(locator, **kwargs)
        self.memo = memo

    def __call__(self, x: float, pos: int | None = None) -> str:
        """The label of date ``x`` (days), formatted on its first ask."""
        key = (str(self._tz), x, float(self._locator._get_unit()))
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = super().__call__(x, pos)
        return hit


def date_ticks(fig: Figure) -> None:
    """Ticks of every automatic date axis of ``fig`` computed once per view interval
    (same ticks and labels), then ``fig.autofmt_xdate()`` (labels slanted, only the
    bottom row's shown).
    """
    ticks: dict = {}
    labels: dict = {}
    for ax in fig.axes if SUPPORTED else ():
        for axis in (ax.xaxis, ax.yaxis):
            loc, fmt = axis.get_major_locator(), axis.get_major_formatter()
            if not (type(loc) is AutoDateLocator and type(fmt) is AutoDateFormatter
                    and fmt._locator is loc):
                continue
            memo_loc = MemoDateLocator(ticks, tz=loc.tz, minticks=loc.minticks,
                                       maxticks=loc.maxticks,
                                       interval_multiples=loc.interval_multiples)
            memo_fmt = MemoDateFormatter(memo_loc, labels, tz=fmt._tz,
                                         defaultfmt=fmt.defaultfmt)
            memo_fmt.scaled = fmt.scaled
            axis.set_major_locator(memo_loc)
            axis.set_major_formatter(memo_fmt)
    fig.autofmt_xdate()
    _label_above_gaps(fig)


def _label_above_gaps(fig: Figure) -> None:
    """Show again the date labels ``autofmt_xdate`` hid on a panel that has no panel below
    it (a grid whose last row is not full: without them its dates cannot be read).
    """
    specs = [(ax, ax.get_subplotspec()) for ax in fig.axes if ax.get_visible()]
    cells = {(r, c) for _, ss in specs if ss is not None
             for r in ss.rowspan for c in ss.colspan}
    for ax, ss in specs:
        if ss is None or ss.is_last_row() or (ss.rowspan.stop, ss.colspan.start) in cells:
            continue
        for tick in ax.xaxis.get_major_ticks():   # (get_xticklabels lists visible ones)
            tick.label1.set_visible(True)
            tick.label1.set_rotation(30)
            tick.label1.set_horizontalalignment("right")
