"""Paired differences between arms that share their random numbers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.outcomes.paired import DIFFERENCE_COLUMNS, paired_differences, summarize_differences


def test_summary_is_the_mean_with_a_student_t_interval():
    d = np.array([-3.0, -1.0, -2.0, -6.0])
    s = summarize_differences(d)
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2.0
    assert s["replicates"] == 4 and s["diff_mean"] == -3.0
    assert s["diff_lo"] == pytest.approx(-3.0 - half) and s["diff_hi"] == pytest.approx(
        -3.0 + half)
    assert s["diff_p2_5"] == pytest.approx(np.percentile(d, 2.5))
    assert s["share_lower"] == 1.0
    wider = summarize_differences(d, level=0.99)
    assert wider["diff_lo"] < s["diff_lo"] and wider["diff_hi"] > s["diff_hi"]


def test_undefined_pairs_are_left_out_and_one_pair_has_no_interval():
    s = summarize_differences(np.array([np.nan, 2.0, np.inf]))
    assert s["replicates"] == 1 and s["diff_mean"] == 2.0
    assert np.isnan(s["diff_lo"]) and np.isnan(s["diff_hi"])
    none = summarize_differences(np.array([np.nan]))
    assert none["replicates"] == 0 and np.isnan(none["diff_mean"])
    same = summarize_differences(np.array([5.0, 5.0, 5.0]))
    assert same["diff_lo"] == same["diff_hi"] == 5.0          # a sure difference


def test_every_shared_metric_is_differenced_replicate_by_replicate():
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"deaths": rng.normal(100, 10, 6), "coverage": rng.uniform(0, 1, 6),
                        "only_here": 1.0})
    shared_noise = ref["deaths"].to_numpy()
    arm = pd.DataFrame({"deaths": shared_noise - 7.0 + rng.normal(0, 0.1, 6),
                        "coverage": ref["coverage"] + 0.05})
    seeds = np.arange(6) + 40
    table = paired_differences(ref, arm, seeds, seeds.copy())
    assert list(table.columns) == list(DIFFERENCE_COLUMNS)
    assert list(table["metric"]) == ["deaths", "coverage"]          # shared metrics only
    row = table.set_index("metric").loc["deaths"]
    np.testing.assert_allclose(row["diff_mean"], (arm["deaths"] - ref["deaths"]).mean())
    assert row["diff_lo"] < -7.0 + 0.5 and row["diff_hi"] > -7.0 - 0.5
    # Pairing removes the shared noise: the interval is far narrower than the arms' spread.
    assert row["diff_hi"] - row["diff_lo"] < 0.1 * ref["deaths"].std()
    cov = table.set_index("metric").loc["coverage"]
    assert cov["diff_mean"] == pytest.approx(0.05) and cov["share_lower"] == 0.0


def test_arms_that_do_not_share_seeds_are_refused():
    ref = pd.DataFrame({"m": [1.0, 2.0]})
    with pytest.raises(ValueError, match="common random numbers"):
        paired_differences(ref, ref, np.array([1, 2]), np.array([1, 3]))
    with pytest.raises(ValueError, match="common random numbers"):
        paired_differences(ref, ref.iloc[:1], np.array([1, 2]), np.array([1]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=2, max_size=40),
       st.floats(-1e6, 1e6, allow_nan=False))
def test_summary_brackets_the_mean_and_moves_with_a_shift(d, shift):
    d = np.array(d)
    s = summarize_differences(d)
    assert s["replicates"] == len(d)
    assert s["diff_lo"] <= s["diff_mean"] + 1e-6 * (1 + abs(s["diff_mean"]))
    assert s["diff_mean"] <= s["diff_hi"] + 1e-6 * (1 + abs(s["diff_mean"]))
    assert s["diff_p2_5"] <= s["diff_p97_5"]
    moved = summarize_differences(d + shift)
    scale = 1e-9 * (1 + np.abs(d).max() + abs(shift))
    assert abs(moved["diff_mean"] - (s["diff_mean"] + shift)) <= scale
    assert abs((moved["diff_hi"] - moved["diff_lo"]) - (s["diff_hi"] - s["diff_lo"])) <= 1e3 * scale
