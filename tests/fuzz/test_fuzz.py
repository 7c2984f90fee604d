"""The short fuzz (part of ``make test``): random valid scenarios over the whole schema,
in batches, checked for the invariants of :mod:`harness`. ``make fuzz`` runs the long one
(``run_fuzz.py``, 10,000 scenarios by default)."""

from pathlib import Path

import pytest
from fuzz.generator import scenario_data, valid_scenario
from fuzz.harness import check_case, output_checks

from sim.scenario.loader import ScenarioError, validate_data

#: Cases of the short fuzz (4 scenarios each); different ones every day would make a
#: failure hard to replay, so they are fixed: the long fuzz explores further.
SHORT_CASES = range(24)


@pytest.mark.slow
@pytest.mark.parametrize("case", SHORT_CASES)
def test_short_fuzz_case_is_clean(case):
    n, _, problems = check_case(case, det=case % 4 == 0, files=case % 4 == 1)
    assert n >= 1
    assert not problems, "\n".join(problems)


#: Cases the long fuzz once failed (member alone != in batch through market clearing with
#: a pool in another member, or through another member's record_flows; IFR multiplier
#: above 1/IFR making negative compartments; rounding of a fractional population at the
#: stochastic start; importation × travel multiplier above 1 weighing home prevalence
#: negatively; a huge force infecting slightly more than a status held): kept as
#: regression tests.
REGRESSIONS = [100027, 100042, 100047, 100058, 100115, 100215, 100337, 9100034, 9100300]


@pytest.mark.slow
@pytest.mark.parametrize("case", REGRESSIONS)
def test_fuzz_regression_case_is_clean(case):
    _, _, problems = check_case(case, det=False, max_days=240)
    assert not problems, "\n".join(problems)


#: Cases the 10,000-scenario fuzz of the age-structured epidemic failed (drawn with runs of
#: at most 150 days): doses by age band above an overridden population, an emptied
#: immunity status or a shadow count rounded below zero, and a member that got more emergent
#: variants (or got them earlier) because its batch had room or started earlier, and a
#: one-country member whose stock numpy summed pairwise alone but in order in a batch.
REGRESSIONS_150 = [2000759, 2000556, 2000859, 2000543, 2000053, 2001049, 3000058, 4000884,
                   5000784]


@pytest.mark.slow
@pytest.mark.parametrize("case", REGRESSIONS_150)
def test_fuzz_regression_case_of_short_runs_is_clean(case):
    _, _, problems = check_case(case, det=False, max_days=150)
    assert not problems, "\n".join(problems)


REGRESSION_FILES = sorted((Path(__file__).parent / "regressions").glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", REGRESSION_FILES, ids=lambda p: p.stem)
def test_fuzz_regression_file_is_clean(path):
    """Scenarios the fuzz once broke, kept as files (a case number draws another scenario
    once the schema grows)."""
    from sim.api import run
    from sim.scenario import load_scenario

    problems: list[str] = []
    output_checks(run(load_scenario(path)), problems)
    assert not problems, "\n".join(problems)


def test_generator_mostly_draws_valid_scenarios():
    """A generator that no longer matches the schema would test nothing: most of its
    draws must validate."""
    ok = 0
    for seed in range(100):
        try:
            validate_data(scenario_data(seed))
            ok += 1
        except ScenarioError:
            pass
    assert ok >= 60


def test_generator_covers_every_top_level_section():
    from sim.scenario.schema import Scenario

    seen = set()
    for seed in range(200):
        seen |= set(scenario_data(seed))
    assert set(Scenario.model_fields) - {"extends"} <= seen


def test_generator_reaches_the_bounds():
    """Edges of the schema's bounds are drawn (that is where the engine would break)."""
    values = []
    for seed in range(150):
        s, _ = valid_scenario(seed)
        values.append(s.production.noise_sd)
    assert 0.0 in values and 3.0 in values


def test_harness_catches_a_member_that_depends_on_its_batch(monkeypatch):
    """The check has teeth: an engine that leaks one member's state into another fails."""
    import sim.engine.dose_day as dose_day

    monkeypatch.setenv("VAXSIM_BACKEND", "numpy")  # the numpy stages, where the leak is put
    real = dose_day.administer

    def leaky(state, world, params, t):
        real(state, world, params, t)
        if state.first.shape[0] > 1:
            state.first[0] += 1e-9 * state.first[-1]

    monkeypatch.setattr(dose_day, "administer", leaky)
    found = [p for c in range(6) for p in check_case(c, det=False)[2]]
    assert any("alone != in batch" in p for p in found)
