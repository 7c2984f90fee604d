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
    for _, rc, kind, args, kwargs, _ticks in ahead.FIGURES:
        if kind == "subplots":
            args = (*args, 1, 1)[:3]
        with matplotlib.rc_context(getattr(palette, rc)):
            made[style._key(kind, args, kwargs)] += 1
    assert made == asked


def _ticks_used(monkeypatch, res, tmp_path):
    """Major ticks (x, y) on each axes of each baseline plot once drawn, by plot."""
    from sim.output.plots import png

    used = {}
    save_png = png.save_png

    def counting(fig, path, pad_inches):
        save_png(fig, path, pad_inches)
        used[path.stem] = [(len(ax.xaxis.majorTicks), len(ax.yaxis.majorTicks))
                           for ax in fig.axes]

    monkeypatch.setattr(png, "save_png", counting)
    for job in plot_jobs(res):
        draw(job, tmp_path)
    return used


@pytest.mark.slow
def test_the_ticks_made_ahead_are_those_a_baseline_run_draws(monkeypatch, ready, tmp_path):
    """Keeps the tick counts of :data:`ahead.FIGURES` in step with the plots: for each
    figure, the most major ticks a baseline run's plot draws on any x (y) axis of the
    axes made ahead (0 where only one is made: a map's axes, which show none). Fewer
    would leave ticks to make while drawing; more are made for nothing."""
    from sim import load_scenario, run

    res = run(load_scenario(SCENARIOS / "baseline.yaml"))
    used = _ticks_used(monkeypatch, res, tmp_path)
    for stem, rc, kind, args, kwargs, ticks in ahead.FIGURES:
        style.prepare(getattr(palette, rc), kind, *args, **kwargs)
        n_axes = len(ready.popitem()[1][0][0].axes)
        made_ahead = used[stem][:n_axes]  # a colour bar's axes come later
        want = tuple(max(c[i] for c in made_ahead) for i in (0, 1))
        assert ticks == tuple(0 if n <= 1 else n for n in want), stem


def test_prepare_makes_the_ticks_asked_for(ready):
    style.prepare(STYLE, "subplots", (4, 3), 1, 2, ticks=(7, 3))
    (fig, axes), = ready.popitem()[1]
    assert [(len(ax.xaxis.majorTicks), len(ax.yaxis.majorTicks)) for ax in axes] == [(7, 3)] * 2
