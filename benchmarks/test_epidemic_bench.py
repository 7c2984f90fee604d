"""Epidemic speed on the shipped world (run with `make bench`, never by `make test`).

Targets: the whole 730-day baseline at E=1 no slower than before the age-structured
epidemic (see ``test_engine_bench.py::test_baseline_single_run``), and the epidemic stage
alone (seeding, day kernel, emergence) at E=1 for 730 days in ≤ 15 ms. The stochastic
epidemic (``epidemic.mode: stochastic``) is measured the same way.

Where the deterministic stage stands (~31 ms): about 40 µs a day of which ~8 µs is
Python around the kernel (the day's call with ~40 arrays is ~2 µs of it), and the rest
some hundred passes over the 193 countries (infection of each non-empty status, by
strain; progression; waning; force of infection), each costing tens of ns. Fusing
passes helped where a pass reads more arrays; fusing passes that write several arrays
was slower when tried (the compiler must check at run time that numba's arrays do not
overlap, and gives up vectorising past a few).

Since (~29 ms): the force and share of a status in one pass, emptiness checks as counts
(a loop that stops early is not vectorised). The day's parts at four strains, kernel on a
saved state: infection ~21 µs (of which the by-strain passes ~10), force and travellers
~6, progression ~6.6, vaccination and waning ~2.4. No gain from: by-strain passes over a
flat (V N) axis, two statuses per by-strain pass, leaving out the progression of empty
vaccinated survivors, skipping moves of empty statuses, calling the compiled entry point
without the dispatcher. Removing memory operations from a pass barely moves it, so the
passes are not bound by loads and stores; halving the stage needs fewer passes by design
(fewer immunity statuses, or infection of all bands in one pass over an (A N) axis).
"""

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from sim.engine.build.params import build_params
from sim.engine.counterfactual import without_vaccine
from sim.engine.epidemic import start_epidemic, step_epidemic
from sim.engine.run import Simulation
from sim.scenario import load_scenario
from sim.world.world import build_world

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def _epidemic_only(world, params, doses=None):
    """730 days of the epidemic stage, fed day by day the dose engine's courses and
    boosters by band (``doses``: a list of (E, N, A) pairs, one a day), or none.
    """
    E, N = params.n_members, world.n_countries
    none = (np.zeros((E, N, 3)), np.zeros((E, N, 3)))
    state = SimpleNamespace(epi=start_epidemic(world, params), courses_band=none[0],
                            boosted_band=none[1])
    for t in range(world.days):
        if doses is not None:
            state.courses_band, state.boosted_band = doses[t]
        step_epidemic(state, world, params, t)
    return state.epi


def _doses_of(world, params):
    """The courses and boosters by band (E, N, A) a real run of ``params`` gives at the
    end of each day: what its epidemic stage reads.
    """
    sim = Simulation.start(world, params)
    doses = []
    while not sim.done:
        sim.step()
        doses.append((sim.state.courses_band.copy(), sim.state.boosted_band.copy()))
    return doses


def test_epidemic_stage_alone(benchmark):
    scenario = load_scenario(BASELINE, [])
    world = build_world(scenario)
    params = build_params(world, [scenario], [1])
    _epidemic_only(world, params)  # compile
    benchmark.pedantic(_epidemic_only, args=(world, params), rounds=5, warmup_rounds=1)
    benchmark.extra_info["country_days"] = world.n_countries * world.days


def test_epidemic_stage_with_doses(benchmark):
    """The member of ``sim.run(baseline)``: its vaccinated and hybrid statuses fill up."""
    scenario = load_scenario(BASELINE, [])
    world = build_world(scenario)
    params = build_params(world, [scenario], [1])
    doses = _doses_of(world, params)
    _epidemic_only(world, params, doses)  # compile
    benchmark.pedantic(_epidemic_only, args=(world, params, doses), rounds=5,
                       warmup_rounds=1)
    benchmark.extra_info["country_days"] = world.n_countries * world.days


def test_twin_stage_with_doses(benchmark):
    """The no-vaccine twin of ``sim.run(baseline)``: the member's doses protect nobody."""
    scenario = load_scenario(BASELINE, [])
    world = build_world(scenario)
    params = build_params(world, [scenario], [1])
    doses = _doses_of(world, params)
    twin = build_params(world, [without_vaccine(scenario)], [1])
    _epidemic_only(world, twin, doses)  # compile
    benchmark.pedantic(_epidemic_only, args=(world, twin, doses), rounds=5,
                       warmup_rounds=1)
    benchmark.extra_info["country_days"] = world.n_countries * world.days


def test_stochastic_stage_alone(benchmark):
    scenario = load_scenario(BASELINE, ["epidemic.mode=stochastic"])
    world = build_world(scenario)
    params = build_params(world, [scenario], [1])
    _epidemic_only(world, params)  # compile
    benchmark.pedantic(_epidemic_only, args=(world, params), rounds=3, warmup_rounds=0)
    benchmark.extra_info["country_days"] = world.n_countries * world.days
