"""Numbers for people: one module writes every value the same way everywhere."""

import math

import numpy as np
import pytest

from sim.outcomes import formatting as f


@pytest.mark.parametrize(("value", "text"), [
    (5.693e9, "5.69 bn"), (48.1e6, "48.1 M"), (40.48e6, "40.5 M"), (15.0e9, "15.0 bn"),
    (12_345.0, "12,345"), (7.0, "7"), (0.6, "0.6"), (0.3, "0"), (1.2e12, "1.20 tn"),
    (999_600_000.0, "1.00 bn"), (-2.5e6, "-2.50 M")])
def test_counts_read_like_a_briefing(value, text):
    assert f.count(value) == text


def test_shares_bands_and_the_other_units():
    assert f.share(0.481) == "48.1%"
    assert f.with_band(0.481, 0.452, 0.510, "share") == "48.1% [45.2–51.0]"
    assert f.with_band(5.69e9, 5.6e9, 5.75e9, "count") == "5.69 bn [5.60–5.75]"
    assert f.with_band(48.1e6, 9e5, 5e7, "count") == "48.1 M [0.900–50.0]"  # the median's unit
    assert f.with_band(0.481, None, None, "share") == "48.1%"
    assert f.with_band(0.481, 0.481, 0.481, "share") == "48.1%"
    assert f.index(0.41234) == "0.412" and f.signed_index(-0.045) == "−0.045"
    assert f.ratio(3.44) == "3.4×" and f.ratio(24.6) == "25×"
    assert f.per_million(1234.4) == "1,234" and f.per_million(4.25) == "4.2"
    assert f.countries(57.5) == "57.5" and f.countries(57.0) == "57"
    # a band of countries is widened to whole countries (interpolated quantiles of counts)
    assert f.with_band(112.5, 108.45, 117.4, "countries") == "112.5 [108–118]"
    assert f.with_band(50.0, 48.0, 51.0, "countries") == "50 [48–51]"
    for unit in f.UNITS:
        assert f.value(None, unit) == "n/a" and f.value(math.nan, unit) == "n/a"


def test_noise_below_the_resolution_is_zero():
    assert f.snap(1e-15, "share") == 0.0 and f.snap(0.02, "share") == 0.02
    arr = f.snap(np.array([1e-15, np.nan, 0.3, -1e-12]), "index")
    assert arr[0] == 0.0 and np.isnan(arr[1]) and arr[2] == 0.3 and arr[3] == 0.0
    assert f.share(1e-15) == "0.0%" and f.count(1e-9) == "0"


def test_tick_formatter_writes_the_same_units():
    assert f.tick_formatter("share")(0.4) == "40%"
    assert f.tick_formatter("share")(0.125) == "12.5%"
    assert f.tick_formatter("count")(2e9) == "2 bn"
    assert f.tick_formatter("count")(2.5e9) == "2.5 bn"
    assert f.tick_formatter("count")(0.0) == "0"
    assert f.tick_formatter("count")(-250_000.0) == "−250,000"   # never 2.5e+05
    assert f.tick_formatter("count")(-1.25e6) == "−1.25 M"
    assert f.tick_formatter("per_million")(5.0) == "5"            # beside 10, 15: not 5.0
    assert f.tick_formatter("per_million")(2.5) == "2.5"
    assert f.tick_formatter("index")(0.1) == "0.1"
    assert f.tick_formatter("signed_index")(0.05) == "+0.05"
    assert f.tick_formatter("signed_index")(0.0) == "0"
    assert f.tick_formatter("ratio")(2.5) == "2.5×"


def test_small_shares_keep_two_decimals():
    assert f.share(0.0008) == "0.08%" and f.share(0.0) == "0.0%"
    assert f.with_band(0.0008, 0.0007, 0.0009, "share") == "0.08% [0.07–0.09]"


@pytest.mark.parametrize(("args", "text"), [
    ((-146.2, -155.0, -137.4, "per_million"), "−146 [−155 to −137]"),
    ((0.075, 0.071, 0.079, "share"), "+7.5 pp [+7.1 to +7.9]"),
    ((-0.0025, -0.003, -0.002, "share"), "−0.25 pp [−0.30 to −0.20]"),
    ((-1.15e6, -1.2e6, 3e4, "count"), "−1.15 M [−1.20 to +0.03]"),   # ends in its scale
    ((-948_177.0, -980_432.0, -915_922.0, "count"), "−948,000 [−980,000 to −916,000]"),
    ((-12.0, -15.0, -9.0, "count"), "−12 [−15 to −9]"),
    ((23.0, 20.0, 26.0, "countries"), "+23 [+20 to +26]"),
    ((-0.035, -0.04, -0.03, "index"), "−0.035 [−0.040 to −0.030]"),
    ((-0.4, -0.5, -0.3, "ratio"), "−0.40× [−0.50 to −0.30]"),
    ((1e-17, -1e-17, 2e-17, "share"), "0 pp"),           # noise is no difference
    ((5.0, math.nan, math.nan, "countries"), "+5"),      # one replicate: no interval
    ((3.0, 3.0, 3.0, "countries"), "+3"),                # every pair the same
    ((math.nan, math.nan, math.nan, "count"), "n/a"),
])
def test_differences_carry_their_sign_and_interval(args, text):
    assert f.difference(*args) == text
