"""The README's model numbers are the shipped model's.

Users quote the README's tables. Each table below is recomputed from the shipped 730-day
baseline (one replicate, its seed) and compared cell by cell, as printed: the history
check, 2021 and 2022 deaths by income group, the deaths vaccines averted in 2021 and the
serosurveys. A model change that moves a printed figure fails here until the README says
what the model now gives (``vaxsim history``, ``python scripts/lives_numbers.py``).

Observed figures in the same tables are checked against the shipped data too, so a table
cannot drift from ``sim/data`` either. Figures of earlier fits (the "before" columns) are
history and are not checked.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from build_scripts import SCRIPTS_DIR, load_script
from worlds import SCENARIOS

from sim import run
from sim.calibrate.serology import compare_serosurveys
from sim.outcomes.history import history_rows
from sim.scenario import load_scenario

ROOT = SCENARIOS.parent
README = ROOT / "README.md"
BASELINE = SCENARIOS / "baseline.yaml"
GROUPS = ("HIC", "UMIC", "LMIC", "LIC", "World")
FIRST_HALF = pd.Timestamp("2021-06-28")


def readme_table(header_start: str, text: str | None = None) -> list[list[str]]:
    """Rows (cells stripped, header and rule dropped) of the one README table whose header
    row starts with ``| header_start``."""
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(f"| {header_start}")]
    assert len(starts) == 1, f"{len(starts)} README tables start with '| {header_start}'"
    rows = []
    for line in lines[starts[0] + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def test_readme_table_reads_cells_and_stops_at_the_table_end():
    text = "intro\n| a | b |\n|---|---|\n| 1 | 2 M |\n|  x | y |\nafter\n| a | c |\n"
    assert readme_table("a | b", text) == [["1", "2 M"], ["x", "y"]]
    with pytest.raises(AssertionError, match="2 README tables"):
        readme_table("a", text)


def _lives_numbers():
    return load_script(SCRIPTS_DIR / "lives_numbers.py")


@pytest.fixture(scope="module")
def baseline():
    """The 730-day baseline as shipped (what `make run` and `vaxsim history` run)."""
    return run(load_scenario(BASELINE, ["replicates=1"]))


@pytest.fixture(scope="module")
def yearly(baseline):
    """scripts/lives_numbers.py's deaths by group and year (the README's source)."""
    return _lives_numbers().yearly_deaths(baseline)


def _millions(x: float) -> str:
    return f"{x / 1e6:.2f} M"


def test_history_table_is_what_vaxsim_history_prints(baseline):
    readme = readme_table("date | group | series")
    model = [[date, group, series, observed, value, error, source]
             for series, group, date, observed, value, error, source
             in history_rows(baseline.history)]
    assert readme == model


def test_2021_deaths_table_is_the_baseline(baseline, yearly):
    """`| 730-day baseline | model | excess estimate (95% range) | first half 2021 ... |`."""
    observed = _lives_numbers().observed_2021()
    deaths = pd.read_csv(ROOT / "sim" / "data" / "observed_deaths.csv")
    first_obs = deaths[deaths["date"] == str(FIRST_HALF.date())].set_index("group")["value"]
    first_obs["World"] = first_obs.sum()
    g = baseline.groups
    first = g[g["date"] == FIRST_HALF].groupby("group")["deaths_cum"].mean()
    rows = {r[0]: r for r in readme_table("730-day baseline")}
    assert list(rows) == list(GROUPS)
    for group in GROUPS:
        _, model, estimate, half, y2022 = rows[group]
        assert model == _millions(yearly[group]["deaths_2021"]), group
        o = observed.loc[group]
        central = _millions(o["value"])
        assert estimate == (central if group == "World" else
                            f"{central} ({o['low'] / 1e6:.2f}–{o['high'] / 1e6:.2f})"), group
        assert half.startswith(f"{first[group] / 1e6:.2f} vs "
                               f"{first_obs[group] / 1e6:.2f} M"), group
        assert y2022.split(" (")[0] == _millions(yearly[group]["deaths_2022"]), group


def test_deaths_averted_table_is_the_baseline(yearly):
    """`| baseline, 2021 | World | HIC | ...`: deaths, averted, share averted."""
    rows = {r[0]: r[1:] for r in readme_table("baseline, 2021")}
    header = ("World", "HIC", "UMIC", "LMIC", "LIC")
    expect = {
        "deaths": [_millions(yearly[g]["deaths_2021"]) for g in header],
        "averted by vaccines": [_millions(yearly[g]["averted_2021"]) for g in header],
        "share of no-vaccine deaths averted": [f"{yearly[g]['averted_share_2021']:.1%}"
                                               for g in header],
    }
    assert rows == expect


def test_serosurvey_table_is_the_baseline():
    """`| survey (middle day) | measure | survey | model (before) |`, rows in the order of
    sim/data/serosurveys.csv; "missed" where the model is more than 15 points off
    (below, for an anti-nucleocapsid survey: a lower bound), as tests/test_historical_deaths.py
    judges it."""
    table = compare_serosurveys(load_scenario(BASELINE, ["replicates=1"]))
    rows = readme_table("survey (middle day)")
    assert len(rows) == len(table)
    for row, (_, r) in zip(rows, table.iterrows(), strict=True):
        survey, model = row[2], row[3].split(" (")[0]
        assert float(survey) == pytest.approx(r["value"]), row
        missed = (r["model"] < r["value"] - 0.15 if r["measure"] == "anti_n"  # lower bound
                  else abs(r["model"] - r["value"]) > 0.15)
        assert model == f"{r['model']:.2f}" + (", missed" if missed else ""), row


def test_prose_numbers_beside_the_tables_match(yearly):
    """Figures quoted in the sentences around the tables (2022's world total, the
    high-income 2022/2021 ratio, lower-middle-income deaths averted in 2021)."""
    text = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    world_2022 = _millions(yearly["World"]["deaths_2022"])
    assert f"2022, {world_2022} against" in text
    ratio = yearly["HIC"]["deaths_2022"] / yearly["HIC"]["deaths_2021"]
    assert f"high-income 2022/2021 = {ratio:.2f}" in text
    lmic = f"{yearly['LMIC']['averted_2021'] / 1e6:.2f}"
    assert f"lower-middle-income deaths in 2021 than before: {lmic} against" in text
