"""The history check plot on the shipped world."""

from worlds import SCENARIOS

from sim import load_scenario, run
from sim.outcomes.history import supply_series
from sim.output.plots.history import history_check


def test_history_check_plot_draws_every_supply_series_the_run_has(tmp_path):
    res = run(load_scenario(SCENARIOS / "baseline.yaml", ["days=365"]), replicates=2)
    series = supply_series(res)
    assert {s for s, _, _, _ in series} == {"covax_delivered", "india_exported",
                                             "china_exported", "china_donated",
                                             "licensed_output", "received"}
    assert all(v.shape == (2, 365) for _, _, v, _ in series)
    fig = history_check(res, "baseline")
    assert len([ax for ax in fig.axes if ax.get_visible()]) == len(series)
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert "COVAX" in titles and "VNM" in titles and "IND" in titles


def test_history_check_plot_is_skipped_when_no_observation_falls_in_the_run(tmp_path):
    res = run(load_scenario(SCENARIOS / "baseline.yaml", ["days=20", "start=2023-01-01"]))
    assert history_check(res, "late") is None
