"""The historical scenario's 2021 deaths against The Economist's 2021 excess-death
estimates (needs shipped data).

In-sample (severity refitted by `vaxsim calibrate --deaths --rescale-severity`, so these
check that the shipped fit holds): each income group's 2021 deaths inside the source's 95%
range, and the World within ±15% of its 12.5 M. Out of sample (not targets of the
refit): the first half of 2021 by group; 2021 deaths by WHO region; 2022 deaths (world,
and rich countries' fall from
2021; ``sim/data/excess_deaths_2022.csv``); the share infected against serosurveys
dated in 2021 (``sim/data/serosurveys.csv``). Tolerances are what the model achieves,
stated and justified beside each test; a check the shipped fit still fails is an
``xfail`` whose reason gives the measured numbers.
"""

import pandas as pd
import pytest
from worlds import SCENARIOS

from sim import run
from sim.calibrate import OBSERVED_DEATHS
from sim.calibrate.serology import compare_serosurveys, load_serosurveys
from sim.data import DATA_DIR, excess_deaths
from sim.data import countries as country_table
from sim.scenario import load_scenario

HISTORICAL = SCENARIOS / "baseline.yaml"
WORLD_2021 = 12.5e6  # issue: "about 12.5 M excess deaths estimated for 2021"

# Measured with the shipped fit (730-day baseline, one replicate); see each test.
FIRST_HALF_GROUPS = [
    "LMIC", "LIC",
    pytest.param("HIC", marks=pytest.mark.xfail(
        strict=True, reason="shipped fit: HIC 0.62 M vs 0.43-0.45 M to 2021-06-28: the "
        "severity refit to the whole year (1.21 M) falls on a first half that India's "
        "earlier Delta wave and travel now reach sooner (H1 was a fit target before)")),
    pytest.param("UMIC", marks=pytest.mark.xfail(
        strict=True, reason="shipped fit: UMIC 1.81 M vs 1.19-1.59 M to 2021-06-28 "
        "(Delta exported from India's March-April wave)")),
]
#: Shipped fit: 2022 World 2.47 M (HIC 0.91, UMIC 0.96, LMIC 0.51, LIC 0.09 M) against
#: 2.8-3.0 M estimated, inside the factor (1.87-4.5 M). It was 4.13 M while Omicron
#: arrived two to three months late (seeded on 1 Nov with 0.6 of the model's 9.5-day
#: generation time): Delta then still met 2022's higher contacts. Omicron is now seeded on
#: its common ancestor's date with its observed generation time
#: (tests/test_historical_variants.py checks when it took over).
WORLD_2022_FACTOR = 1.5
#: Shipped fit: HIC 2022/2021 = 0.75 (0.91 / 1.21 M) against 0.64 (it was 1.02 before
#: Omicron arrived on time).
HIC_RATIO_TOLERANCE = 0.25
#: National surveys against the whole country (blood donors, one province, ages 6+),
#: and the model keeps antibodies for life: 15 percentage points.
SERO_TOLERANCE = 0.15
#: Serosurveys (scope, measure, middle day) the shipped fit misses: strict, so a miss
#: that is mended fails until it is taken off this list.
SERO_XFAIL: dict[tuple[str, str, str], str] = {
    ("IND", "any", "2021-06-25"): "shipped fit: India 0.93 vs 0.676 (the Delta wave now "
    "comes in March-April, on time, but burns through 93% of a homogeneously mixing "
    "population; the previous fit had 0.52, the wave too late)",
    ("IND", "unvaccinated", "2021-06-25"): "shipped fit: India 0.92 vs 0.623 unvaccinated",
    ("ZAF", "unvaccinated", "2021-11-15"): "shipped fit: South Africa 0.93 vs 0.684 "
    "(Gauteng only)",
    ("IDN", "unvaccinated", "2021-12-01"): "shipped fit: Indonesia 0.98 vs 0.739",
    ("World", "any", "2021-09-15"): "shipped fit: World 0.81 vs 0.592 (Bergeri et al.)",
}


def excess_deaths_2022() -> pd.DataFrame:
    """2022 excess-death estimates: scope, year, value, kind, source."""
    return pd.read_csv(DATA_DIR / "excess_deaths_2022.csv", comment="#")


@pytest.fixture(scope="module")
def two_years():
    """The shipped 730-day baseline (the run users make): its 2021 must hold the fit."""
    return run(load_scenario(HISTORICAL, ["days=730", "replicates=1"]))


def _deaths_on(res, date: str) -> pd.Series:
    g = res.groups
    return g[g["date"] == pd.Timestamp(date)].groupby("group")["deaths_cum"].mean()


def _observed(by: str) -> pd.DataFrame:
    """2021 excess deaths (central, low, high) by ``by`` (a countries.csv column)."""
    ex = excess_deaths().merge(country_table()[["iso3", by]], on="iso3")
    wide = ex.pivot_table(index=by, columns="date", aggfunc="sum",
                          values=["excess_cum", "excess_cum_lo95", "excess_cum_hi95"])
    return pd.DataFrame({
        name: wide[(col, "2022-01-03")] - wide[(col, "2021-01-04")]
        for name, col in (("value", "excess_cum"), ("low", "excess_cum_lo95"),
                          ("high", "excess_cum_hi95"))})


@pytest.mark.slow
def test_2021_deaths_by_income_group_inside_the_95_percent_range(two_years):
    end = _deaths_on(two_years, "2021-12-31")
    observed = _observed("income_group")
    for group, row in observed.iterrows():
        assert row["low"] <= end[group] <= row["high"], (group, end[group], dict(row))
    assert end["World"] == pytest.approx(WORLD_2021, rel=0.15)


@pytest.mark.slow
def test_2021_deaths_by_who_region_out_of_sample(two_years):
    """Never fitted: regional totals. Each WHO region within a factor of 1.5 of the
    central estimate or inside its 95% range, and the largest region the same. As shipped
    the model/estimate ratios are AFR 0.83, AMR 1.04, EMR 0.86, EUR 1.26, SEAR 1.03, WPR
    0.66: the Western Pacific's estimate holds China's 413 k, whose own 95% range runs
    from -2 k to 866 k, against a zero-COVID China near 0 in the model; Hong Kong's 48 k
    Delta deaths (1.2 k estimated) left the region when it got its zero-COVID contacts
    (WPR was 0.70). An earlier fit, whose UMIC severity of 3.36 fell on Thailand's and
    Malaysia's Delta waves, had WPR 2.89 and EMR 0.42."""
    region = country_table().set_index("iso3")["who_region"]
    res = run(load_scenario(HISTORICAL, ["days=365", "replicates=1"]))
    deaths = res.trajectories.epi_countries_end[0, :, 1]
    model = pd.Series(deaths, index=res.world.iso3).groupby(region).sum()
    observed = _observed("who_region")
    model = model.reindex(observed.index)
    ratio = model / observed["value"]
    inside = (observed["low"] <= model) & (model <= observed["high"])
    assert (ratio.between(1 / 1.5, 1.5) | inside).all(), ratio.round(2).to_dict()
    observed = observed["value"]
    assert model.idxmax() == observed.idxmax()  # South-East Asia (India's Delta wave)


# --- Out of sample: 2021 deaths of the largest countries (never fitted) -----------------

#: Countries of more than this many people (23 in the shipped data): chosen by size, not
#: by how the model does.
LARGE = 60e6
#: Within a factor 2 of the central estimate, or inside its 95% range (wide where deaths
#: are not registered: China -2 k to 866 k, Ethiopia 44 k to 233 k). A group shares one
#: contact level and one severity, so inside a group a country's deaths differ only by
#: its age structure, its 2020 immunity, suppression and when variants reach it: a factor
#: 2 is the precision a user may expect where the check holds.
COUNTRY_FACTOR = 2.0
#: Strict: the large countries the shipped fit misses (model / central estimate, 2021).
#: The cause is the same for the rich ones: within an income group every country has the
#: same contacts and severity, so 2021 infections follow susceptibility. Countries with
#: little epidemic in 2020 (Germany 6% infected, France 10%, Canada 6%) meet Alpha and
#: Delta before their people are vaccinated and are infected several times over their
#: real 2021 attack (Canada: 49% in June 2021 alone), while the United States (25%
#: infected in 2020) has 22% infected in 2021 (45% ever by mid-December, 33.5% with
#: anti-N antibodies, a lower bound), but dies
#: at the group's fitted fatality ratio, 0.56 of the age-based one: the fit spreads the
#: group's 1.21 M over the wrong countries. Observed 2020 and 2021 excess per person
#: correlate across countries (r = 0.61 over the 122 countries of over 5 M people, 0.65
#: over the 32 high-income ones; this file's data), the model's 2021 deaths barely (0.18
#: and 0.20): what persisted from
#: 2020 to 2021 (distancing, compliance, health systems) is not per country in the model.
#: Tried and not shipped: 2021 travel at 28% of 2019 (UNWTO) moves Delta two weeks and
#: not the split; contacts scaled by OxCGRT stringency (log-contacts proportional to the
#: index, anchored at each group's fitted level) moves Canada from 13.7x to 8x (1.4x with
#: twice that elasticity) but Britain from 3x to 4.5-5x and Italy to 0.2x; contacts
#: scaled by the 2020 attack rate is knife-edge (exponent 0.3: Canada 6x; 0.6: Canada
#: 0.45x, Germany 0.08x), a per-country fit in disguise.
COUNTRY_XFAIL = {
    "USA": "0.23 (118 k vs 515 k): the high-income severity (0.56 of age-based) fitted to "
           "a group total inflated by Canada, Germany, France, Britain",
    "RUS": "0.46 (319 k vs 697 k): upper-middle-income contacts and severity",
    "GBR": "3.0 (172 k vs 57 k): Alpha meets the group's contacts in March-July, after "
           "Britain's January-March lockdown, and before its early vaccination",
    "DEU": "2.1 (143 k vs 68 k): 6% infected in 2020, Delta in May-June",
    "FRA": "2.2 (91 k vs 41 k): 10% infected in 2020, Delta in May-June",
    "TUR": "2.7 (330 k vs 123 k): upper-middle-income contacts and severity",
    "VNM": "2.2 (242 k vs 108 k; 95% range 83-175 k): its suppression ends on "
           "2021-10-01 and Delta then infects most of a population that had none in 2020",
    "THA": "4.8 (288 k vs 60 k): as Viet Nam, suppression ending 2021-10-01",
}


def _observed_by_country() -> pd.DataFrame:
    """2021 excess deaths per country (value, low, high) and population."""
    ex = excess_deaths()
    wide = ex.pivot_table(index="iso3", columns="date", aggfunc="sum",
                          values=["excess_cum", "excess_cum_lo95", "excess_cum_hi95"])
    out = pd.DataFrame({
        name: wide[(col, "2022-01-03")] - wide[(col, "2021-01-04")]
        for name, col in (("value", "excess_cum"), ("low", "excess_cum_lo95"),
                          ("high", "excess_cum_hi95"))})
    return out.join(country_table().set_index("iso3")["population"])


LARGE_COUNTRIES = sorted(_observed_by_country().query("population > @LARGE").index)


@pytest.fixture(scope="module")
def one_year_by_country() -> pd.Series:
    """The historical scenario's deaths by country on 2021-12-31 (365 days)."""
    res = run(load_scenario(HISTORICAL, ["days=365", "replicates=1"]))
    return pd.Series(res.trajectories.epi_countries_end[0, :, 1], index=res.world.iso3)


@pytest.mark.slow
@pytest.mark.parametrize("iso3", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=f"shipped fit: {COUNTRY_XFAIL[c]}"))
    if c in COUNTRY_XFAIL else c for c in LARGE_COUNTRIES])
def test_2021_deaths_of_large_countries_out_of_sample(one_year_by_country, iso3):
    """Never fitted (the fit meets income-group totals): each country of more than
    ``LARGE`` people within ``COUNTRY_FACTOR`` of The Economist's central 2021 estimate,
    or inside its 95% range."""
    row = _observed_by_country().loc[iso3]
    model = one_year_by_country[iso3]
    inside = row["low"] <= model <= row["high"]
    near = row["value"] / COUNTRY_FACTOR <= model <= row["value"] * COUNTRY_FACTOR
    assert inside or near, (iso3, round(model), dict(row.round()))


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="shipped fit: United States 118 k, Canada 197 k (the "
                   "estimates: 515 k and 14 k); see COUNTRY_XFAIL")
def test_united_states_loses_more_than_canada(one_year_by_country):
    """The headline a user checks first: about 36 times more excess deaths in the United
    States than in Canada in 2021 (8.7 times the people)."""
    assert one_year_by_country["USA"] > 5 * one_year_by_country["CAN"]


# --- Out of sample: never fitted (2022, serosurveys) and the first half of 2021 ---------

FIRST_HALF = "2021-06-28"
END_2021, END_2022 = "2021-12-31", "2022-12-31"


def _targets(date: str) -> pd.DataFrame:
    """Death targets of ``observed_deaths.csv`` on ``date`` (value, low, high by group)."""
    t = pd.read_csv(OBSERVED_DEATHS)
    return t[t["date"] == date].set_index("group")[["value", "low", "high"]]


@pytest.mark.slow
@pytest.mark.parametrize("group", FIRST_HALF_GROUPS)
def test_first_half_2021_deaths_inside_the_95_percent_range(two_years, group):
    """First half of 2021: out of sample since the severity refit, which meets the
    whole-year estimates only (the contacts of an earlier fit had it as a target); the
    timing of the Alpha, Gamma and Delta waves. India's dated contacts bring its Delta
    wave into March-May (LMIC 3.85 M, was 0.75 M)."""
    model = _deaths_on(two_years, FIRST_HALF)[group]
    row = _targets(FIRST_HALF).loc[group]
    assert row["low"] <= model <= row["high"], (group, round(model), dict(row))


def _year_2022(res) -> pd.Series:
    return _deaths_on(res, END_2022) - _deaths_on(res, END_2021)


@pytest.mark.slow
def test_2022_world_deaths_against_excess_estimates_out_of_sample(two_years):
    """Never fitted. The Economist's model gives about 2.8-3 M excess deaths in 2022
    (sim/data/excess_deaths_2022.csv); the model must stay within a factor of
    ``WORLD_2022_FACTOR`` of that range: 2022 has no fitted parameter at all (contacts
    after March 2022, Omicron's severity and escape, waning are all from the
    literature or assumptions), so a factor, not a percentage, is the honest scale."""
    world = _year_2022(two_years)["World"]
    ex = excess_deaths_2022()
    est = ex[(ex["scope"] == "World") & (ex["year"] == 2022)]["value"]
    lo, hi = est.min() / WORLD_2022_FACTOR, est.max() * WORLD_2022_FACTOR
    assert lo <= world <= hi, (round(world), lo, hi)


@pytest.mark.slow
def test_2022_over_2021_in_rich_countries_out_of_sample(two_years):
    """Never fitted. Excess deaths fell from 2021 to 2022 in 47 Western countries by a
    ratio of 0.64 (Mostert et al. 2024); high-income countries in the model must fall
    too, to a ratio within ``HIC_RATIO_TOLERANCE`` of it (HIC is not the same set of
    countries: Japan, Korea, the Gulf states are in it, Eastern Europe partly not)."""
    ratio = _year_2022(two_years)["HIC"] / _deaths_on(two_years, END_2021)["HIC"]
    west = excess_deaths_2022().query("scope.str.startswith('Western')",
                                      engine="python").set_index("year")["value"]
    observed = west[2022] / west[2021]
    assert abs(ratio - observed) <= HIC_RATIO_TOLERANCE, (round(ratio, 3), observed)


@pytest.fixture(scope="module")
def serosurveys():
    """Each shipped serosurvey beside the historical scenario's share on its middle day."""
    return compare_serosurveys(load_scenario(HISTORICAL, ["replicates=1"]))


@pytest.mark.slow
@pytest.mark.parametrize("row", range(len(load_serosurveys())))
def test_infections_against_serosurveys_out_of_sample(serosurveys, row):
    """Never fitted: the share with antibodies (or ever infected among the unvaccinated)
    on each survey's middle day within ``SERO_TOLERANCE`` of the survey (national
    surveys of a subgroup — blood donors, one province — against the whole country);
    an anti-nucleocapsid survey is a lower bound (those antibodies wane)."""
    r = serosurveys.iloc[row]
    key = (r["scope"], r["measure"], str(r["mid"].date()))
    if r["measure"] == "anti_n":
        ok = r["model"] >= r["value"] - SERO_TOLERANCE
    else:
        ok = abs(r["model"] - r["value"]) <= SERO_TOLERANCE
    if key in SERO_XFAIL:
        assert not ok, f"{key} now holds: take it off SERO_XFAIL"
        pytest.xfail(SERO_XFAIL[key])
    assert ok, (*key, round(float(r["model"]), 3), r["value"])


@pytest.mark.slow
def test_high_income_old_are_vaccinated_as_observed():
    """Never fitted: the share of high-income people aged 65+ with a first dose at the end
    of 2021 against England's 93.5-96.4% by band in August 2021 (OpenSAFELY) and the
    United States' 98.5% in November 2021 (CDC), and the 20-64 band well below it
    (``sim/data/uptake_by_age.csv``). Hesitancy spread over ages by
    ``uptake.hesitancy_by_age``: 0.94 (20-64: 0.70); with the same hesitancy in every band
    every band had 0.745."""
    from sim.engine.build.params import build_params
    from sim.engine.run import Simulation
    from sim.world.world import build_world

    scenario = load_scenario(HISTORICAL, ["days=365", "replicates=1"])
    world = build_world(scenario)
    sim = Simulation.start(world, build_params(world, [scenario], [scenario.seed]),
                           country_every=world.days)
    while not sim.done:
        sim.step()
    hic = world.income_group == "HIC"
    first = sim.state.first_band[0, hic].sum(axis=0) / world.band_population[hic].sum(axis=0)
    uptake = pd.read_csv(DATA_DIR / "uptake_by_age.csv", comment="#")
    old = uptake[uptake["age_from"] >= 65]["first_dose_share"]
    assert old.min() - 0.05 <= first[2] <= 1.0, first.round(3)
    assert first[1] < first[2] - 0.1, first.round(3)
