"""Every plot family on matplotlib's own objects: PNG size, a title, labelled axes with
units, no empty panel, and values below the unit's resolution drawn as zero.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from figure_checks import check_figure, panels
from matplotlib.collections import LineCollection
from matplotlib.container import BarContainer
from worlds import small_results

from sim import data
from sim.engine.record import DIPLOMACY_FIELDS
from sim.output.plots import (
    PLOT_STEMS,
    calibration,
    compare,
    coverage,
    diplomacy,
    epidemic,
    equity,
    plot_jobs,
    strategies,
    worldmap,
)
from sim.output.plots.run import equity_inputs
from sim.sweep import contrast_plots
from sim.sweep import plots as sweep_plots


@pytest.fixture(scope="module")
def res():
    return small_results(seeds=(1, 2), days=150, outcomes={
        "targets": [{"coverage": 0.2, "by": "2021-03-31"}, {"coverage": 0.5, "by": "2021-05-01"}]})


def bars(ax):
    return np.concatenate([c.datavalues for c in ax.containers if isinstance(c, BarContainer)])


@pytest.fixture(scope="module")
def world_countries():
    c = data.countries().set_index("iso3")
    return c[["name", "who_region", "population"]]


EU = frozenset(data.blocs().set_index("bloc").at["EU", "members"].split(";"))


def donations_frame():
    """Two members: bilateral gifts by the US, China and two EU members, and pool flows."""
    rows = []
    for m in (0, 1):
        for donor, rec, doses, ch in [("USA", "VNM", 20e6, "bilateral"),
                                      ("USA", "NGA", 8e6, "bilateral"),
                                      ("CHN", "PAK", 30e6, "bilateral"),
                                      ("CHN", "VNM", 5e6, "bilateral"),
                                      ("DEU", "KEN", 4e6, "bilateral"),
                                      ("FRA", "SEN", 3e6, "bilateral"),
                                      ("GBR", "POOL", 10e6, "pool"),
                                      ("POOL", "ETH", 6e6, "pool"),
                                      ("POOL", "BGD", 4e6, "pool")]:
            given = doses * (1 + 0.1 * m)   # on 1 June 2021: influence on 31 Dec 2021
            rows.append((m, donor, rec, ch, given, given, given * 0.5 ** (213 / 365)))
    return pd.DataFrame(rows, columns=["member", "donor", "recipient", "channel", "doses",
                                       "doses_arrived", "influence"])


# ---------------------------------------------------------------- run plot families
def test_plot_jobs_cover_every_stem_once(res):
    assert [j.stem for j in plot_jobs(res)] == list(PLOT_STEMS)


def test_draw_first_orders_every_plot_once():
    from sim.output.plots import DRAW_FIRST

    assert len(set(DRAW_FIRST)) == len(DRAW_FIRST)
    assert set(DRAW_FIRST) == set(PLOT_STEMS)  # every plot has its place in the order


def test_coverage_family(res, tmp_path):
    eq = equity_inputs(res)
    check_figure(coverage.coverage_by_group(res.groups, "t"), tmp_path, "a")
    check_figure(coverage.dose_ledger(res.ledger, "t"), tmp_path, "b")
    check_figure(coverage.target_attainment(eq.attainment, "t"), tmp_path, "c")
    assert coverage.target_attainment([], "t") is None
    for column in ("coverage_first", "doses_per_100"):
        check_figure(coverage.country_ranking(res.countries, "t", column), tmp_path, column)


def test_dose_ledger_of_a_run_that_produced_nothing_says_so(res, tmp_path):
    # every layer empty (no production, or a run shorter than the first delivery): no
    # stacked layers to draw, which once raised from matplotlib's stackplot
    ledger = res.ledger.copy()
    numeric = ledger.columns.drop(["member", "date"])
    ledger[numeric] = 0.0
    fig = coverage.dose_ledger(ledger, "t")
    check_figure(fig, tmp_path)
    assert [t.get_text() for t in fig.axes[0].texts] == ["no doses produced in this run"]
    assert not fig.axes[0].collections     # no stacked layer


def test_ranking_draws_noise_as_zero_names_countries_and_notes_ties(res, tmp_path):
    countries = res.countries.copy()
    last = countries["date"] == countries["date"].max()
    countries.loc[last, "coverage_first"] = [0.85, 0.85, 0.85, 1e-12] * 2
    fig = coverage.country_ranking(countries, "t", "coverage_first", k=2)
    check_figure(fig, tmp_path)
    high, low = panels(fig)
    lowest = low.collections[-1].get_offsets()[:, 0]   # the dots
    assert lowest.min() == 0.0                          # 1e-12 drawn as exactly zero
    names = {t.get_text() for ax in (high, low) for t in ax.get_yticklabels()}
    assert names <= set(res.world.name)                 # names, not codes
    assert "1 more country at 85.0% is not shown" in high.get_title()
    legend = fig.legends[0].get_texts()
    shown = {res.world.income_group[list(res.world.name).index(n)] for n in names}
    assert len(legend) == len(shown)                    # only colours that appear



def test_ranking_labels_each_dot_with_its_value_just_right_of_it(res, tmp_path):
    fig = coverage.country_ranking(res.countries, "t", "coverage_first", k=2)
    check_figure(fig, tmp_path)
    renderer = fig.canvas.get_renderer()
    for ax in panels(fig):
        dots = ax.collections[-1].get_offsets()
        labels = ax.texts
        assert len(labels) == len(dots) == len(ax.get_yticklabels()) == 2
        for (x, y), text in zip(dots, labels, strict=True):
            assert text.get_text() == coverage._label(x, "share")
            dot = ax.transData.transform((x, y))
            box = text.get_window_extent(renderer)
            assert abs(box.x0 - dot[0] - 4 / 72 * fig.dpi) < 1   # 4 pt right of the dot
            assert box.y0 < dot[1] < box.y1                     # on the dot's line


def test_pinned_titles_sit_where_matplotlib_would_place_them(res, monkeypatch):
    """STYLE pins titles at axes.titley 1.0 (cheaper); the pixels are those of
    matplotlib's automatic title placement.
    """
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sim.output.plots import STYLE

    def pixels(make):
        with plt.rc_context(STYLE):
            fig = make()
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()

    assert STYLE["axes.titley"] == 1.0
    eq = equity_inputs(res)
    makers = (lambda: coverage.coverage_by_group(res.groups, "t"),
              lambda: coverage.country_ranking(res.countries, "t", "doses_per_100"),
              lambda: epidemic.deaths_over_time(res.groups, "t"),
              lambda: equity.gini_over_time(eq.gini, "t"))
    pinned = [pixels(make) for make in makers]
    monkeypatch.delitem(STYLE, "axes.titley")  # the plots' own STYLE (the same dict)
    for make, want in zip(makers, pinned, strict=True):
        assert np.array_equal(pixels(make), want)


def test_equity_family(res, tmp_path):
    eq = equity_inputs(res)
    check_figure(equity.gini_over_time(eq.gini, "t"), tmp_path, "a")
    check_figure(equity.lorenz(eq.coverage_end, eq.population, "t", eq.end), tmp_path, "b")
    check_figure(equity.deaths_by_group(eq.per_member, "t"), tmp_path, "c")


def test_deaths_by_group_draws_noise_as_zero(res, tmp_path):
    pm = equity_inputs(res).per_member.copy()
    cols = [c for c in pm if c.startswith("deaths_per_million.")]
    pm[cols] = 1e-9
    fig = equity.deaths_by_group(pm, "t")
    check_figure(fig, tmp_path)
    assert (bars(panels(fig)[0]) == 0).all()


def test_epidemic_and_strategies_families(res, tmp_path):
    check_figure(epidemic.deaths_over_time(res.groups, "t"), tmp_path, "a")
    assert epidemic.deaths_over_time(res.groups.drop(columns="deaths"), "t") is None
    flat = res.strategies.assign(count=res.strategies.groupby("strategy")["count"]
                                 .transform("first"))
    assert strategies.strategy_counts(flat, "t") is None    # nothing changes: no plot
    moving = res.strategies.copy()
    moving.loc[moving["date"] > moving["date"].median(), "count"] += 1
    check_figure(strategies.strategy_counts(moving, "t"), tmp_path, "b")


def test_worldmap_family(tmp_path):
    cov = pd.Series({"FRA": 0.8, "NGA": 0.05, "IND": 0.4})
    fig = worldmap.coverage_map(cov, "t", pd.Timestamp("2021-12-31"))
    check_figure(fig, tmp_path)


def test_diplomacy_family(world_countries, tmp_path):
    don = donations_frame()
    fig = diplomacy.diplomacy_map(don, world_countries, EU, "t")
    check_figure(fig, tmp_path, "map")
    mp, bx = panels(fig)
    labels = [t.get_text() for t in bx.get_yticklabels()]
    assert labels[-1] == "China" and "EU members" in labels and "United States" in labels
    assert labels[0] == "COVAX-style pool"           # its deliveries, on a row of its own
    arcs = [c for c in mp.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in arcs) == len(don[don["member"] == 0])
    inf = diplomacy.influence_map(don, world_countries, EU, pd.Timestamp("2021-12-31"),
                                  365.0, "t")
    check_figure(inf, tmp_path, "influence")
    legend = [t.get_text() for t in inf.axes[0].get_legend().get_texts()]
    assert any(t.startswith("China (") for t in legend)
    donors = diplomacy.donor_flows(don, world_countries, "t")
    check_figure(donors, tmp_path, "donors")
    assert {t.get_text() for t in donors.axes[0].get_yticklabels()} == {
        "United States", "China", "Germany", "France"}
    assert diplomacy.diplomacy_map(None, world_countries, EU, "t") is None
    assert diplomacy.influence_map(don[don["channel"] == "pool"], world_countries, EU,
                                   pd.Timestamp("2021-12-31"), 365.0, "t") is None


def test_arcs_draw_as_one_line_each_would(tmp_path):
    """The map's arc collections draw the same pixels, in the same order, as one
    ``Line2D`` per arc (colour, width, 75% opacity, round caps, dashed gifts to the pool).
    """
    from PIL import Image

    from sim.output.plots.style import STYLE, figure, save

    rng = np.random.default_rng(3)
    flows = [diplomacy.Arc(diplomacy._arc(tuple(rng.uniform(-60, 60, 2)),
                                          tuple(rng.uniform(-60, 60, 2))),
                           color, float(w), dashed)
             for color, w, dashed in [("#283593", 4.0, False), ("#880E4F", 1.5, True),
                                      ("#FFC107", 5.0, True), ("#7E57C2", 2.5, False),
                                      ("#00ACC1", 3.0, False), ("#795548", 0.6, True)]]
    pictures = []
    for how in ("lines", "collections"):
        with plt.rc_context({**STYLE, "axes.grid": False}):
            fig, ax = figure((4, 3))
            if how == "lines":
                for a in flows:
                    ax.plot(a.points[:, 0], a.points[:, 1], color=a.color, lw=a.width,
                            alpha=0.75, ls=diplomacy.POOL_DASHES if a.dashed else "-",
                            solid_capstyle="round")
            else:
                made = diplomacy.draw_arcs(ax, flows)
                assert [len(c.get_segments()) for c in made] == [1, 2, 2, 1]
            ax.set_xlim(-70, 70)
            ax.set_ylim(-70, 70)
        with Image.open(save(fig, tmp_path / f"{how}.png")) as im:
            pictures.append(np.asarray(im))
    assert pictures[0].shape == pictures[1].shape
    assert np.array_equal(pictures[0], pictures[1])


def test_floating_point_dust_is_no_flow(world_countries):
    dust = donations_frame().assign(doses=1e-9, doses_arrived=1e-9, influence=1e-9)
    assert diplomacy.diplomacy_map(dust, world_countries, EU, "t") is None
    assert diplomacy.influence_map(dust, world_countries, EU, pd.Timestamp("2021-12-31"),
                                   365.0, "t") is None
    assert diplomacy.donor_flows(dust, world_countries, "t") is None


def test_influence_goes_to_the_largest_recent_donor_bloc():
    don = donations_frame()
    top = diplomacy.influence_table(don, EU)
    by = top.set_index("recipient")
    assert by.at["VNM", "bloc"] == "USA" and by.at["KEN", "bloc"] == "EU"
    assert by.at["VNM", "share"] == pytest.approx(20 / 25)


def test_diplomatic_flows_names_only_what_ran(tmp_path):
    dates = pd.date_range("2021-01-01", periods=50)
    flows = np.zeros((2, 50, len(DIPLOMACY_FIELDS)))
    flows[:, :, DIPLOMACY_FIELDS.index("donated_bilateral_cum")] = np.linspace(0, 5e7, 50)
    fig = diplomacy.diplomatic_flows(flows, dates, "t")
    check_figure(fig, tmp_path)
    title = fig.axes[0].get_title()
    assert "pool" not in title and "bilateral donations" in title
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "Donated bilaterally"]
    flows[:, :, DIPLOMACY_FIELDS.index("pool_contributed_cum")] = 1e6
    flows[:, :, DIPLOMACY_FIELDS.index("pool_bought_cum")] = 2e6
    flows[:, :, DIPLOMACY_FIELDS.index("pool_delivered_cum")] = 1.5e6
    fig = diplomacy.diplomatic_flows(flows, dates, "t")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:3] == ["Given to the pool by donors", "Bought by the pool",
                          "Delivered by the pool"]
    assert diplomacy.diplomatic_flows(np.zeros_like(flows), dates, "t") is None


# ---------------------------------------------------------------- comparison
def comparison_table(noise=1e-15):
    rows = []
    for s, cov in (("baseline", 0.4), ("pooling", 0.5)):
        for metric, v in (("coverage_final.World", cov), ("gini_coverage", 0.3),
                          ("doses_expired", 2e9), ("donated_share_of_supply.LIC", noise)):
            rows.append((s, metric, v, v * 0.9, v * 1.1, 5))
        for g in ("World", "HIC", "UMIC", "LMIC", "LIC"):
            rows.append((s, f"deaths_averted_per_million.{g}", 100.0, 90.0, 110.0, 5))
    return pd.DataFrame(rows, columns=["scenario", "metric", "median", "p05", "p95",
                                       "replicates"])


def test_compare_family(res, tmp_path):
    check_figure(compare.compare_coverage([("a", res.groups), ("b", res.groups)]), tmp_path,
                 "a")
    eq = equity_inputs(res)
    check_figure(compare.compare_lorenz([("a", eq.coverage_end, eq.population)], eq.end),
                 tmp_path, "b")
    check_figure(compare.compare_deaths(comparison_table()), tmp_path, "c")


def test_compare_metrics_draws_floating_point_noise_as_zero(tmp_path):
    metrics = [("coverage_final.World", "Coverage ≥1 dose, World", "share"),
               ("doses_expired", "Doses expired", "count"),
               ("donated_share_of_supply.LIC", "Donated share of low-income supply", "share")]
    fig = compare.compare_metrics(comparison_table(1e-15), metrics)
    check_figure(fig, tmp_path)
    noise = [ax for ax in panels(fig) if ax.get_title().startswith("Donated")][0]
    assert (bars(noise) == 0).all()
    assert noise.get_ylim()[1] >= 0.5          # not a full-height bar on a 1e-15 axis
    labels = [t.get_text() for t in noise.texts]
    assert set(labels) == {"0.0%"}


# ---------------------------------------------------------------- calibration, sweeps
def test_calibration_family(tmp_path):
    dates = pd.date_range("2021-01-01", periods=60)
    traj = pd.concat([pd.DataFrame({"date": dates, "group": g, "coverage_first":
                                    np.linspace(0, 0.5, 60), "doses_administered":
                                    np.linspace(0, 1e9, 60)})
                      for g in ("World", "HIC", "UMIC", "LMIC", "LIC")])
    table = pd.DataFrame({"date": ["2021-02-01"] * 2, "group": ["HIC", "World"],
                          "metric": ["coverage_first", "doses_administered"],
                          "observed": [0.3, 5e8], "simulated": [0.25, 4e8]})
    check_figure(calibration.model_vs_observed(traj, table, "t"), tmp_path)


def test_sweep_family(tmp_path):
    x = np.repeat([1.0, 2.5, 5.0], 4)
    y = np.tile([0.05, 0.1, 0.2, 0.4], 3)
    summary = pd.DataFrame({"procurement.groups.HIC.multiple": x, "pool.tier_share": y,
                            "coverage_final.LIC": 0.07 + 1e-12 * x,
                            "doses_expired": np.zeros(12)})
    fig = sweep_plots.heatmap(summary, "procurement.groups.HIC.multiple", "pool.tier_share",
                              "coverage_final.LIC")
    check_figure(fig, tmp_path, "heat")
    norm = fig.axes[0].images[0].norm
    assert norm.vmax - norm.vmin >= 0.10       # a tiny spread is drawn as tiny
    assert {t.get_text() for t in fig.axes[0].texts} == {"7.0%"}
    assert "High-income hoarding" in fig.axes[0].get_xlabel()
    zero = sweep_plots.heatmap(summary, "procurement.groups.HIC.multiple", "pool.tier_share",
                               "doses_expired")
    check_figure(zero, tmp_path, "zero")
    assert "the same at every point (0)" in zero.axes[0].get_title()
    fig = sweep_plots.scatter(summary, ["procurement.groups.HIC.multiple",
                                        "pool.tier_share"], "coverage_final.LIC",
                              log={"pool.tier_share"})
    check_figure(fig, tmp_path, "scatter")
    assert panels(fig)[1].get_xscale() == "log"
    sens = {"base_samples": 64, "confidence_level": 0.95, "metrics": {"gini_coverage": {
        p: {"S1": 0.3, "ST": 0.5, "S1_ci": [0.2, 0.4], "ST_ci": [0.4, 0.6]}
        for p in ("uptake.hesitancy", "production.multiplier")}}}
    fig = sweep_plots.sobol_bars(sens, "gini_coverage")
    check_figure(fig, tmp_path, "sobol")
    legend = fig.axes[0].get_legend()
    assert legend.get_bbox_to_anchor().x0 >= fig.axes[0].get_window_extent().x1 - 1


def test_sweep_contrast_forest(tmp_path):
    from sim.sweep.spec import SweepSpec

    spec = SweepSpec.model_validate({
        "name": "t", "base": {"name": "b"}, "metrics": ["deaths_by_group.HIC", "deaths"],
        "parameters": {"donation.groups.HIC.share": {"values": [0.0, 1.0]},
                       "epidemic.emergence.enabled": {"values": [False, True]}},
        "contrast": {"parameter": "donation.groups.HIC.share", "control": 0.0,
                     "treatment": 1.0}})
    rows = [(m, regime, 8, 1e6, 1e6 + d, d, d - 4e3, d + 4e3, d - 9e3, d + 9e3, 0.5)
            for m in ("deaths_by_group.HIC", "deaths") for regime, d in ((False, 2e3),
                                                                           (True, -2.5e4))]
    table = pd.DataFrame(rows, columns=["metric", "epidemic.emergence.enabled", "replicates",
                                        "control_mean", "treatment_mean", "diff_mean",
                                        "diff_lo", "diff_hi", "diff_p2_5", "diff_p97_5",
                                        "share_treatment_lower"])
    fig = contrast_plots.contrast_forest(table, spec)
    check_figure(fig, tmp_path)
    ax = panels(fig)[0]
    assert "+2,000 [−2,000 to +6,000]" in {t.get_text() for t in ax.texts}
    assert any("Emergent variants (on or off) = True" == t.get_text()
               for t in ax.get_yticklabels())
    assert "1 minus 0 (mean of 8 paired replicates" in fig._suptitle.get_text()
    assert contrast_plots.contrast_forest(table.assign(diff_mean=np.nan), spec) is None


def test_colours_mean_one_thing_across_plots_and_the_browser_view():
    from sim.output.plots import style
    from sim.output.plots.diplomacy import FLOW_STYLE, REGION_COLORS
    from sim.output.plots.strategies import STRATEGY_COLORS

    groups = {c.lower() for g, c in style.GROUP_COLORS.items() if g != "World"}
    others = [*style.DONOR_COLORS.values(), *style.OTHER_DONOR_COLORS,
              *STRATEGY_COLORS.values(), *REGION_COLORS.values(),
              *(c for _, c, _ in FLOW_STYLE.values())]
    assert not groups & {c.lower() for c in others}    # red is low income, nothing else
    assert style.donor_color("CHN") == style.donor_color("CHN") != style.donor_color("USA")
    assert style.donor_color("XYZ") in style.OTHER_DONOR_COLORS   # stable for any code
    assert STRATEGY_COLORS["pool"] == style.DONOR_COLORS["POOL"] == FLOW_STYLE[
        "pool_delivered_cum"][1]
    viz = pytest.importorskip("sim.agents.viz", reason="needs the viz extra")
    assert viz.GROUP_COLORS is style.GROUP_COLORS and viz.STRATEGY_COLORS is STRATEGY_COLORS


def test_coverage_plot_draws_observed_coverage_filled_where_fitted(res, tmp_path):
    observed = pd.DataFrame({"date": pd.to_datetime(["2021-03-01", "2021-04-01", "2021-05-01"]),
                             "group": ["HIC", "World", "HIC"], "observed": [0.1, 0.05, 0.3],
                             "fitted": [True, True, False]})
    fig = coverage.coverage_by_group(res.groups, "t", observed)
    check_figure(fig, tmp_path)
    ax = fig.axes[0]
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o" and ln.get_linestyle() == "None"]
    assert sorted(len(ln.get_xdata()) for ln in dots) == [1, 1, 1]   # by group and kind
    faces = {str(ln.get_markerfacecolor()) for ln in dots}
    assert "white" in faces and len(faces) == 3                       # open: not fitted
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-2:] == ["observed (OWID), a calibration target",
                           "observed (OWID), never fitted"]
    plain = coverage.coverage_by_group(res.groups, "t")
    assert not any(ln.get_marker() == "o" for ln in plain.axes[0].get_lines())


def test_deaths_plot_draws_observed_excess_deaths_with_their_range(res, tmp_path):
    observed = pd.DataFrame({"date": pd.to_datetime(["2021-03-01", "2021-05-01"]),
                             "group": ["HIC", "World"], "per_million": [100.0, 300.0],
                             "low": [90.0, 200.0], "high": [120.0, 350.0],
                             "fitted": [True, False]})
    fig = epidemic.deaths_over_time(res.groups, "t", observed)
    check_figure(fig, tmp_path)
    cumulative = panels(fig)[1]
    dots = [ln for ln in cumulative.get_lines() if ln.get_marker() == "o"]
    assert [float(ln.get_ydata()[0]) for ln in dots] == [100.0, 300.0]
    assert [str(ln.get_markerfacecolor()) == "white" for ln in dots] == [False, True]
    bars_ = [c for c in cumulative.collections if isinstance(c, LineCollection)]
    spans = sorted(tuple(seg[:, 1]) for c in bars_ for seg in c.get_segments())
    assert spans == [(90.0, 120.0), (200.0, 350.0)]                  # the 95% ranges
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[-2:] == ["observed, a calibration target", "observed, never fitted"]
    assert "excess deaths, 95% range" in cumulative.get_title()


def difference_table(pairs=5):
    rows = []
    for i, s in enumerate(("pooling", "sharing")):
        for g in ("World", "HIC", "UMIC", "LMIC", "LIC"):
            for metric, d in ((f"deaths_by_group.{g}", -250e3 * (i + 1)),
                              (f"coverage_final.{g}", 0.02 * (i + 1))):
                half = abs(d) * 0.1 if pairs > 1 else float("nan")
                rows.append((s, "nationalism", metric, pairs, d, d - half, d + half))
    return pd.DataFrame(rows, columns=["scenario", "reference", "metric", "replicates",
                                       "diff_mean", "diff_lo", "diff_hi"])


def test_compare_differences_draws_a_dot_and_interval_per_scenario_and_group(tmp_path):
    fig = compare.compare_differences(difference_table())
    check_figure(fig, tmp_path)
    deaths, coverage = panels(fig)
    assert deaths.get_title() == "Deaths, minus nationalism"
    top = max(deaths.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == "World"                # groups read World first, top down
    # a marker per scenario and group at the mean difference, labelled with its value
    texts = {t.get_text() for t in deaths.texts}
    assert {"−250,000", "−500,000"} <= texts
    assert {"+2.0 pp", "+4.0 pp"} <= {t.get_text() for t in coverage.texts}
    # count ticks never in exponent notation
    fig.canvas.draw()
    ticks = [t.get_text() for t in deaths.get_xticklabels() if t.get_text()]
    assert ticks and not any("e+" in t for t in ticks), ticks
    assert "5 paired replicates" in fig._suptitle.get_text()


def test_compare_differences_without_intervals_or_metrics(tmp_path):
    fig = compare.compare_differences(difference_table(pairs=1))
    check_figure(fig, tmp_path)
    assert "no interval" in fig._suptitle.get_text()
    only_doses = difference_table().assign(metric="doses_expired")
    assert compare.compare_differences(only_doses) is None
