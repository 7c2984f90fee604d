"""Checks on sim/data/uptake_by_age.csv (first-dose coverage by age in 2021) and the
default relative hesitancy of the 65+ band derived from it."""

import pandas as pd
import pytest

from sim.data import DATA_DIR
from sim.scenario.schema import HesitancyByAge


@pytest.fixture(scope="module")
def uptake() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "uptake_by_age.csv", comment="#")


def _unvaccinated(rows: pd.DataFrame) -> float:
    return float(((1 - rows["first_dose_share"]) * rows["people"]).sum() / rows["people"].sum())


def test_default_65plus_factor_is_the_england_ratio(uptake):
    england = uptake[uptake["source"] == "opensafely"]
    old = england["age_from"] >= 65
    ratio = _unvaccinated(england[old]) / _unvaccinated(england[~old])
    assert HesitancyByAge().age_65plus == pytest.approx(ratio, abs=0.005)


@pytest.mark.parametrize("source", ["opensafely", "cdc"])
def test_coverage_rises_with_age_in_each_source(source, uptake):
    # Independent sources (England in August, the United States in November 2021): the
    # 65+ over 90% and every older band at least as covered as the younger ones, up to 65.
    rows = uptake[uptake["source"] == source].sort_values("age_from")
    assert rows[rows["age_from"] >= 65]["first_dose_share"].min() > 0.9
    young = rows[rows["age_from"] < 65]["first_dose_share"].to_numpy()
    assert (young[1:] >= young[:-1]).all()
    assert young[0] < 0.7                                    # the youngest adults
