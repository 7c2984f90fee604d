"""sim/sweep/uncertainty.py: a contrast carried across sampled worlds — its summary over
the worlds and the partial rank correlations of the sampled parameters with it — and the
sampled contrast through a whole sweep (files, plot, report, command line)."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sweeps import METRICS, baseline_sweep_file, sweep_world

from sim.sweep.labels import param_label
from sim.sweep.runner import load_sweep_results, run_sweep
from sim.sweep.spec import SweepSpec
from sim.sweep.uncertainty import (
    contrast_drivers,
    contrast_over_worlds,
    holm,
    over_worlds_words,
    partial_rank_correlations,
)


def _inverse_formula(x: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Partial correlations from the inverse of the rank correlation matrix: an
    independent route to the PRCC (-P_iy / sqrt(P_ii P_yy))."""
    ranks = np.column_stack([stats.rankdata(x[c]) for c in x] + [stats.rankdata(y)])
    p = np.linalg.inv(np.corrcoef(ranks.T))
    return np.array([-p[i, -1] / np.sqrt(p[i, i] * p[-1, -1]) for i in range(x.shape[1])])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prcc_equals_the_partial_correlation_of_the_ranks(seed):
    rng = np.random.default_rng(seed)
    n = 30
    x = pd.DataFrame({"a": rng.random(n), "b": rng.lognormal(size=n),
                      "c": rng.integers(0, 4, n)})          # ties in c
    y = 2 * x["a"] - np.sqrt(x["b"]) + 0.3 * rng.standard_normal(n)
    t = partial_rank_correlations(x, y)
    np.testing.assert_allclose(t["prcc"], _inverse_formula(x, y.to_numpy()), rtol=1e-10)
    assert (t["worlds"] == n).all() and t["parameter"].tolist() == ["a", "b", "c"]
    df = n - 2 - 2
    tt = t["prcc"] * np.sqrt(df / (1 - t["prcc"] ** 2))
    np.testing.assert_allclose(t["p_value"], 2 * stats.t.sf(np.abs(tt), df), rtol=1e-10)


def test_one_parameter_gives_spearmans_correlation_and_p_value():
    rng = np.random.default_rng(5)
    x, y = rng.random(25), rng.random(25)
    y = y + x
    t = partial_rank_correlations(pd.DataFrame({"a": x}), y)
    rho, p = stats.spearmanr(x, y)
    assert t["prcc"].iloc[0] == pytest.approx(rho, rel=1e-12)
    assert t["p_value"].iloc[0] == pytest.approx(p, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_prcc_ignores_monotone_transforms(seed):
    """Rank-based: a monotone change of scale of a parameter or of the output (log, cube,
    exp) changes nothing."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.random(20) + 0.1, "b": rng.random(20) + 0.1})
    y = x["a"] - 0.5 * x["b"] + 0.2 * rng.random(20)
    base = partial_rank_correlations(x, y)
    moved = partial_rank_correlations(pd.DataFrame({"a": np.log(x["a"]), "b": x["b"] ** 3}),
                                      np.exp(3 * y))
    np.testing.assert_allclose(base["prcc"], moved["prcc"], rtol=1e-9, atol=1e-12)


def test_undefined_correlations_are_nan_not_noise():
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.random(12), "same": np.ones(12),
                      "word": ["x", "y"] * 6, "b": rng.random(12)})
    t = partial_rank_correlations(x, x["a"] + rng.random(12)).set_index("parameter")
    assert np.isnan(t.loc[["same", "word"], "prcc"]).all()       # constant, not a number
    assert np.isfinite(t.loc[["a", "b"], "prcc"]).all()
    # an output constant but for rounding: its ranks would be noise
    flat = 0.0194 + 1e-17 * rng.standard_normal(12)
    assert partial_rank_correlations(x[["a", "b"]], flat)["prcc"].isna().all()
    # too few worlds for two parameters (n <= k + 1), and NaN outputs are left out
    assert partial_rank_correlations(x[["a", "b"]].head(3), [1.0, 2.0, 3.0])["prcc"].isna().all()
    y = np.array(x["a"] + x["b"])
    y[:2] = np.nan
    t = partial_rank_correlations(x[["a", "b"]], y)
    assert (t["worlds"] == 10).all() and np.isfinite(t["prcc"]).all()


def _spec(**more) -> SweepSpec:
    return SweepSpec.model_validate({
        "name": "u", "base": {"name": "b", "days": 90, "production": {"noise_sd": 0.2}},
        "parameters": {"procurement.groups.HIC.priority": {"values": [0, 2]},
                       "production.multiplier": {"low": 0.5, "high": 2.0, "log": True},
                       "uptake.hesitancy": {"low": 0.05, "high": 0.4}},
        "method": "lhs", "samples": 10, "replicates": 2, "metrics": METRICS,
        "contrast": {"parameter": "procurement.groups.HIC.priority", "control": 0,
                     "treatment": 2}, **more})


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    """A sampled contrast on the small world: serving high-income countries later, in 10
    worlds of output and hesitancy."""
    out = tmp_path_factory.mktemp("sampled") / "sw"
    return run_sweep(_spec(), world=sweep_world(), out_dir=out), out


def test_summary_over_worlds_is_the_worlds_differences_summarised(sampled):
    res, _ = sampled
    table = res.contrast_table()
    assert (table.groupby("metric").size() == 10).all()       # one row per world
    summary = res.contrast_summary().set_index("metric")
    for metric, part in table.groupby("metric"):
        d = part["diff_mean"].to_numpy()
        row = summary.loc[metric]
        assert row["worlds"] == 10
        assert row["diff_mean"] == pytest.approx(d.mean(), rel=1e-12, abs=1e-18)
        assert row["diff_p2_5"] == pytest.approx(np.percentile(d, 2.5), rel=1e-12, abs=1e-18)
        assert row["share_worlds_lower"] == pytest.approx((d < 0).mean())
        assert row["diff_lo"] <= row["diff_mean"] <= row["diff_hi"]
    # serving high-income countries later lowers their coverage in every world, and by
    # more where output is scarce: the drivers say so
    hic = summary.loc["coverage_final.HIC"]
    assert hic["share_worlds_lower"] == 1.0
    drivers = res.contrast_drivers()
    top = drivers[drivers["metric"] == "coverage_final.HIC"].iloc[0]
    assert top["parameter"] == "production.multiplier" and top["prcc"] > 0.8


def test_a_sampled_contrast_is_saved_plotted_reported_and_reloaded(sampled):
    res, out = sampled
    on_disk = pd.read_csv(out / "contrast_summary.csv")
    np.testing.assert_allclose(on_disk["diff_mean"], res.contrast_summary()["diff_mean"])
    drivers = pd.read_csv(out / "contrast_drivers.csv")
    assert set(drivers["parameter"]) == {"production.multiplier", "uptake.hesitancy"}
    assert (out / "plots" / "contrast.png").stat().st_size > 5000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Contrast over sampled worlds" in html and "partial rank correlation" in html
    brief = html[html.index("<section class=brief>"):html.index("</section>")]
    assert "over 10 sampled worlds" in brief
    top = res.contrast_drivers().dropna(subset=["prcc"]).iloc[0]    # first metric's first
    assert f"largest partial rank correlation with it: {param_label(top['parameter'])}" \
        in brief
    assert ("significant at 5% after Holm" if top["p_holm"] < 0.05 else
            "not significant at 5% after Holm") in brief.replace("&#x27;", "'")
    again = load_sweep_results(out)
    pd.testing.assert_frame_equal(again.contrast_summary(), res.contrast_summary())
    pd.testing.assert_frame_equal(again.contrast_drivers(), res.contrast_drivers())


def test_the_worlds_do_not_depend_on_batching(sampled, tmp_path):
    res, _ = sampled
    other = run_sweep(_spec(batch_size=3), world=sweep_world())
    pd.testing.assert_frame_equal(other.contrast_table(), res.contrast_table())


def test_over_worlds_words():
    row = pd.Series({"worlds": 16, "diff_mean": 0.0081, "diff_lo": 0.0071, "diff_hi": 0.0092,
                     "diff_p2_5": 0.0037, "diff_p97_5": 0.0091, "share_worlds_lower": 0.0})
    assert over_worlds_words(row, "share") == (
        "+0.81 pp [+0.71 to +0.92]; worlds from +0.37 pp to +0.91 pp; lower in 0% of 16 "
        "worlds")
    same = row.copy()
    same[["diff_mean", "diff_lo", "diff_hi", "diff_p2_5", "diff_p97_5"]] = 0.0
    assert over_worlds_words(same, "count") == "0; the same in every world; lower in 0% of " \
                                               "16 worlds"


def test_contrast_over_worlds_needs_a_contrast_metric_per_row():
    spec = _spec()
    table = pd.DataFrame({"metric": METRICS * 2, "diff_mean": [1.0, np.nan, 0.0, -1.0] * 2})
    out = contrast_over_worlds(table, spec).set_index("metric")
    assert out.loc["coverage_final.HIC", "worlds"] == 0           # undefined everywhere
    assert np.isnan(out.loc["coverage_final.HIC", "diff_mean"])
    assert out.loc["doses_administered", "share_worlds_lower"] == 1.0


def test_vaxsim_sweep_prints_a_sampled_contrast(tmp_path, capsys):
    from sim.cli.main import main

    f = baseline_sweep_file(tmp_path, """\
parameters:
  procurement.groups.HIC.multiple: {values: [1.0, 3.0]}
  production.multiplier: {low: 0.5, high: 2.0}
method: random
samples: 4
metrics: [coverage_final.HIC, doses_expired]
contrast: {parameter: procurement.groups.HIC.multiple, control: 1.0, treatment: 3.0}
""")
    assert main(["sweep", str(f), "-o", str(tmp_path / "out"), "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "3 minus 1, paired by replicate in each sampled world" in out
    assert "    coverage_final.HIC: " in out and "of 4 worlds" in out
    assert main(["sweep", str(f), "-o", str(tmp_path / "again"), "--json", "--no-plots"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["metric"] for r in doc["contrast_summary"]] == ["coverage_final.HIC",
                                                              "doses_expired"]
    assert {r["parameter"] for r in doc["contrast_drivers"]} == {"production.multiplier"}
    assert len(doc["contrast"]) == 2 * 4                             # metric x world


def _world_table(pairs: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for metric, scale in (("coverage_final.LIC", 0.01), ("doses_expired", 0.0)):
        for w in range(8):
            mid = scale * rng.standard_normal()
            rows.append({"metric": metric, "production.multiplier": 0.5 + 0.2 * w,
                         "uptake.hesitancy": 0.1 + 0.03 * w, "replicates": pairs,
                         "diff_mean": mid, "diff_lo": mid - abs(scale), "diff_hi": mid
                         + abs(scale)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("pairs,bars", [(2, False), (5, True)])
def test_the_sampled_plot_draws_interval_bars_only_with_enough_pairs(pairs, bars):
    """Student's t on 2 pairs multiplies the spread by 12.7: such bars would hide the
    worlds' dots. A difference that is the same in every world has no drivers and is left
    out while another metric varies."""
    import matplotlib.pyplot as plt

    from sim.sweep.contrast_plots import contrast_figure

    spec = _spec(replicates=pairs, metrics=["coverage_final.LIC", "doses_expired"])
    table = _world_table(pairs)
    fig = contrast_figure(table, spec, contrast_drivers(table, spec))
    try:
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert len(axes) == 2                       # one metric (LIC) x two parameters
        assert "Low income" in axes[0].get_ylabel()
        drawn = [len(c.get_segments()) for ax in axes for c in ax.collections
                 if hasattr(c, "get_segments")]
        assert (sum(drawn) > 0) == bars
        assert ("too few for an interval bar" in fig._suptitle.get_text()) != bars
    finally:
        plt.close(fig)


def test_holm_adjustment_by_hand():
    # sorted: 0.01 x 4 = 0.04; 0.03 x 3 = 0.09; 0.04 x 2 = 0.08 -> 0.09 (step-down); 0.5
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.5, np.nan])[:4],
                               [0.04, 0.09, 0.09, 0.5])
    assert np.isnan(holm([np.nan, 0.2])[0]) and holm([np.nan, 0.2])[1] == 0.2
    assert holm([0.6, 0.7]).tolist() == [1.0, 1.0]                # capped at 1, step-down


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12))
def test_holm_never_lowers_a_p_value_and_keeps_their_order(p):
    p = np.array(p)
    adj = holm(p)
    assert (adj >= p - 1e-15).all() and (adj <= 1.0).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(adj[order]) >= -1e-15).all()
    assert adj.min() == pytest.approx(min(1.0, len(p) * p.min()))


def test_drivers_carry_holm_adjusted_p_values(sampled):
    res, _ = sampled
    d = res.contrast_drivers()
    for _, part in d.groupby("metric"):
        np.testing.assert_allclose(part["p_holm"], holm(part["p_value"]), equal_nan=True)
