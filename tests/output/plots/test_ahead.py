"""Figures made ahead (before the data is known) give the same pictures as figures made
when drawing, and they are the ones a baseline run's plots ask for.
"""

from collections import Counter

import pytest
from worlds import SCENARIOS, small_results

from sim.output.plots import ahead, draw, iter_jobs, palette, plot_jobs, style
from sim.output.plots.palette import STYLE


@pytest.fixture
def ready(monkeypatch):
    """An empty store of figures made ahead, so none leaks into other tests."""
    store = {}
    monkeypatch.setattr(style, "_READY", store)
    return store


def test_figures_made_ahead_draw_the_same_pngs(tmp_path, ready):
    res = small_results(seeds=(1, 2), days=120)
    jobs = plot_jobs(res)
    fresh = [draw(j, tmp_path / "fresh") for j in jobs]
    for _ in ahead.idle_steps():
        pass
    made = sum(len(v) for v in ready.values())
    assert made == len(ahead.FIGURES)
    early = [draw(j, tmp_path / "ahead") for j in jobs]
    assert sum(len(v) for v in ready.values()) < made - 5  # most were used
    assert [p and p.name for p in fresh] == [p and p.name for p in early]
    for a, b in zip(fresh, early, strict=True):
        assert a is None or a.read_bytes() == b.read_bytes(), a.name


def test_a_figure_is_taken_once_and_only_under_its_rc_settings(ready):
    import matplotlib.pyplot as plt

    style.prepare(STYLE, "subplots", (4, 3), 1, 2, sharey=True)
    with plt.rc_context({**STYLE, "axes.grid": False}):
        assert style._take("subplots", ((4, 3), 1, 2), {"sharey": True}) is None
    with plt.rc_context(STYLE):
        assert style._take("subplots", ((4, 3), 1, 2), {"sharey": False}) is None
        fig, axes = style.figure((4, 3), 1, 2, sharey=True)
        assert ready == {}
        again, _ = style.figure((4, 3), 1, 2, sharey=True)
    assert again is not fig and len(axes) == 2


class _Asked(Exception):
    pass


@pytest.mark.slow
def test_the_figures_made_ahead_are_those_a_baseline_run_asks_for(monkeypatch, ready):
    """Keeps :data:`ahead.FIGURES` in step with the plot functions: a figure made ahead
    that no plot asks for is wasted work."""
    import matplotlib

    from sim import load_scenario, run

    res = run(load_scenario(SCENARIOS / "baseline.yaml"))
    asked = Counter()

    def take(kind, args, kwargs):
        asked[style._key(kind, args, kwargs)] += 1
        raise _Asked  # the plot's figure is all this test needs

    monkeypatch.setattr(style, "_take", take)
    for job in iter_jobs(res):
        try:
            job.resolve()(*job.args)
        except _Asked:
            pass
    made = Counter()
    for _, rc, kind, args, kwargs in ahead.FIGURES:
        if kind == "subplots":
            args = (*args, 1, 1)[:3]
        with matplotlib.rc_context(getattr(palette, rc)):
            made[style._key(kind, args, kwargs)] += 1
    assert made == asked
