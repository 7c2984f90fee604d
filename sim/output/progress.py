"""One progress display for a whole command, over all its phases.

A command plans its phases up front (``simulate`` 730 days, ``tables`` 6, ``plots`` 15,
``report`` 1 …) so the total is known from the start; each layer then advances the phase
it is in. The bar shows the phase it is in; when a phase ends early (an optimizer that
converges before its budget) :meth:`Progress.settle` takes the unused steps out of the
total, so the count always ends equal to the total.

Steps of different phases take very different times (a simulated day a millisecond or
two, a plot most of a second), so each phase has a weight, an estimate of the
milliseconds one of its steps takes (:data:`STEP_MS`, or given by the command): the bar
fills in proportion to the weighted work, so it moves with the clock, while the text
counts the phase's own steps ("plots 3/15").

The bar is drawn by tqdm on stderr, and only when stderr is a terminal; ``quiet=True``
draws nothing.

Examples
--------
>>> p = Progress("baseline", {"simulate": 730, "plots": 15}, quiet=True)
>>> p.set("simulate", 730); p.advance("plots", 15); p.close()
>>> p.done == p.total
True
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

#: Rough milliseconds one step of a phase takes, on one core (measured on the baseline:
#: 730 days in about 1.3 s, 15 plots in about 13 s). A command may pass its own.
STEP_MS = {"simulate": 2.0, "tables": 50.0, "plots": 800.0, "report": 300.0}


def member_day_ms(members: int, workers: int = 1) -> float:
    """Estimated milliseconds of one simulated day of ``members`` members in one batch,
    shared out among ``workers`` processes.
    """
    return 1.5 + 0.25 * -(-members // max(workers, 1))


class Progress:
    """A single progress bar over named phases.

    Parameters
    ----------
    label : what the command works on (scenario or sweep name)
    phases : planned steps per phase, in the order they run
    quiet : draw nothing (counts are still kept)
    unit : what a step is, for the display
    weights : milliseconds per step by phase (default :data:`STEP_MS`, else 1)
    """

    def __init__(self, label: str, phases: Mapping[str, int] | None = None, *,
                 quiet: bool = False, unit: str = "step",
                 weights: Mapping[str, float] | None = None) -> None:
        self.weights = {**STEP_MS, **(weights or {})}
        self.label = label
        self.planned: dict[str, int] = dict(phases or {})
        self.counts: dict[str, int] = dict.fromkeys(self.planned, 0)
        self.phase = next(iter(self.planned), "")
        self._bar: Any = None
        if quiet:  # no bar: tqdm is not even imported (~16 ms)
            return
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the process may fork plot workers
        self._bar = tqdm(total=self._work(self.planned), desc=label, unit=unit, file=sys.stderr,
                         disable=None, leave=False, dynamic_ncols=True,
                         bar_format="{desc}: {percentage:3.0f}%|{bar}| "
                                    "[{elapsed}<{remaining}]")

    @property
    def total(self) -> int:
        """Planned steps over every phase."""
        return sum(self.planned.values())

    @property
    def done(self) -> int:
        """Steps done over every phase."""
        return sum(self.counts.values())

    @property
    def fraction(self) -> float:
        """Share of the weighted work done (what the bar shows), 0–1."""
        total = self._work(self.planned)
        return self._work(self.counts) / total if total else 1.0

    def plan(self, phase: str, steps: int) -> None:
        """Add ``steps`` to ``phase`` (created if new) and to the total."""
        self.planned[phase] = self.planned.get(phase, 0) + steps
        self.counts.setdefault(phase, 0)
        self._refresh()

    def advance(self, phase: str, n: int = 1) -> None:
        """``n`` more steps of ``phase`` done."""
        self.set(phase, self.counts.get(phase, 0) + n)

    def set(self, phase: str, done: int) -> None:
        """``done`` steps of ``phase`` done so far (never more than planned)."""
        if phase not in self.planned:
            self.plan(phase, done)
        self.counts[phase] = min(done, self.planned[phase])
        self.phase = phase
        self._refresh()

    def settle(self, phase: str) -> None:
        """End ``phase``: steps planned but not needed leave the total."""
        if phase in self.planned:
            self.planned[phase] = self.counts[phase]
            self._refresh()

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _work(self, counts: Mapping[str, int]) -> float:
        return sum(n * self.weights.get(phase, 1.0) for phase, n in counts.items())

    def _refresh(self) -> None:
        bar = self._bar
        if bar is None:
            return
        bar.total = self._work(self.planned)
        bar.n = self._work(self.counts)
        planned = self.planned.get(self.phase, 0)
        bar.set_description_str(f"{self.label}: {self.phase} "
                                f"{self.counts.get(self.phase, 0)}/{planned}", refresh=False)
        bar.refresh()
