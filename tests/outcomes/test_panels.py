"""Per-country panels read from the trajectories equal those read from the countries
table, so a summary needs no countries table."""

import numpy as np
import pandas as pd
import pytest
from worlds import SCENARIOS

from sim.api import run
from sim.outcomes.coverage import country_panel, panel_of
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def results():
    return run(load_scenario(SCENARIOS / "baseline.yaml", ["production.noise_sd=0.1"]),
               replicates=3, days=60)


@pytest.mark.parametrize("column", ["coverage_first", "coverage_completed", "doses_per_100",
                                    "doses_received", "stock"])
def test_panel_equals_the_tables_panel(results, column):
    ours, table = results.panel(column), country_panel(results.countries, column)
    np.testing.assert_array_equal(ours.values, table.values)
    np.testing.assert_array_equal(ours.members, table.members)
    np.testing.assert_array_equal(ours.iso3, table.iso3)
    np.testing.assert_array_equal(ours.population, table.population)
    assert ours.dates.equals(table.dates)
    assert panel_of(results, column) is ours  # kept once built
    assert panel_of(results.countries, column).values.shape == ours.values.shape


def test_group_series_equals_the_groups_table(results):
    g = results.groups
    for column in ("coverage_first", "coverage_completed", "first_dose"):
        table = g.pivot_table(index=["member", "date"], columns="group", values=column)
        ours = results.group_series(column)                       # (E, D, G)
        got = pd.DataFrame(ours.reshape(-1, ours.shape[-1]), index=table.index,
                           columns=["World", "HIC", "UMIC", "LMIC", "LIC"])
        np.testing.assert_array_equal(got[table.columns].to_numpy(), table.to_numpy())


def test_unknown_column_is_refused(results):
    with pytest.raises(KeyError, match="no column"):
        results.panel("nonsense")
