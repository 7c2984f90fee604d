"""Epidemic speed on the shipped world (run with `make bench`, never by `make test`).

Targets: the whole 730-day baseline at E=1 no slower than before the age-structured
epidemic (see ``test_engine_bench.py::test_baseline_single_run``), and the epidemic stage
alone (seeding, day kernel, emergence) at E=1 for 730 days in ≤ 15 ms. The stochastic
epidemic (``epidemic.mode: stochastic``) is measured the same way. Three deterministic
cases: no doses (``test_epidemic_stage_alone``), the member of ``sim.run(baseline)`` fed
the doses a real run gives day by day (``test_epidemic_stage_with_doses``: its vaccinated
and hybrid statuses fill up, all 19 statuses of every band hold people), and its
no-vaccine twin (``test_twin_stage_with_doses``: its doses move nobody, so it costs about
what no doses cost).

Where the deterministic stage stands (thread CPU, min of 9): no doses ~27.5 ms, member
with doses ~39.5 ms (was ~45.5 before infections by strain were added five statuses per
pass and vaccination and waning one pass per group of statuses), twin ~28 ms. Inside
``sim.run`` the member's stage costs more than alone (~45 ms: the dose engine's stages
evict its tables from the caches between days).

Session 10 (epi13), this machine, stage alone without doses, a saved day-500 state (four
strains, 7 statuses a band held), one process, µs a day, min of 15 rounds of 20 days:
``step_epidemic`` 55.6, of which the compiled member's day 39.2 (three bands' sub-steps
24.3, travellers 5.7, vaccination and waning 3.0, forces 2.9, country totals 0.9) and
16.4 outside it: the Python of the stage ~6.5 (state views, tables' key check, suppression,
regime, the argument tuple), ``run_day`` 1.8, the call's dispatch (51 arrays: the
41-argument tuple and 10 scratch arrays, ~0.09 µs an array; a no-op kernel with the same
arguments costs 5.1) and ``_prepare`` 0.85. So about 30% of a day at E=1 is spent around
the compiled day. Kept: one argument tuple built by the stage and handed to
``epidemic_driver.run_day`` (before: unpacked into ``epidemic_day(*args, scratch=)``,
repacked, and a compiled call for the scratch's slot count): whole stage in one process,
old and new call paths alternating 15 rounds, min 44.1 -> 42.1 ms, median ratio 0.92.
Not kept: the ten scratch arrays as one buffer carved into views in ``_prepare`` (the
dispatch 5.0 -> 4.1 µs, but ``_prepare`` 0.85 -> 1.74: no net gain).
Per day over the 730 days (no doses, min of 7 runs): ~51-56 µs while two strains and 3
statuses a band are held (days 0-59), ~45-47 with three strains and 5 statuses (60-269),
~54-57 with four and 7 (from day 300): the day's cost hardly depends on what is held.
Skipping strains or statuses that hold nobody is already done (strains above the highest
active one, statuses empty in every country); no active strain is ever exactly empty
(0 of the 2,590 strain-days up to the highest active strain have every Ex, Ix and
fresh zero), so a by-strain skip would never fire. Of the band-status-days up to the
held classes, 13,347 of 28,893 hold someone without doses and 27,757 with (the rest
are skipped already).

A member's day at four strains, all statuses held (kernel on a saved state, ~52 µs):
infections by strain ~19 µs, the force and share of each status ~15, progression ~6,
travellers ~4, force ~2, vaccination and waning ~1.5-8 (no new doses / new doses). A
twin's day (9 statuses a band held): ~36 µs, of which by strain ~11, force and share ~8,
progression ~6. (Figures above: last session's machine, AVX-512.)

This session's machine (AMD EPYC, AVX2, no AVX-512, 2 cores shared with six other jobs:
thread CPU still varies by ±20-40% between runs). Stage alone on main, min/median of 7:
no doses ~48-54 / 56-62 ms, member with doses ~66-77 / 68-90 ms. The member's day on a
saved state (day 500, four strains, 19 statuses held in every band) is ~63.5 µs: by
strain ~22, force and share of each status ~19.5, progression ~6.4, travellers ~4.5,
vaccination and waning ~2.3, force ~1.7 (each piece's share: the day without it, min of
9 rounds of 20 days).

What bounds the passes, measured on isolated loops (193 countries, AVX-512 on last
session's machine): a by-strain pass costs ~0.41 ns per element whatever its length (64
to 1158 lanes), and is bound by its loads and stores (six loads and two stores an
element at the L1 cache's rate): longer passes (bands or strains along one axis) do not
help, fewer loads and stores an element do. Hence five statuses per pass (the three sums
read and written once for several: one status a pass 24 µs a day on the isolated loop,
two 18, four 14.5). The force and share
of a status (a polynomial of ~25 operations an element) is bound by arithmetic: fusing
its two passes into one (when no country's force is large) did not help.

No gain from (measured): by-strain passes over a flat (V N) or (A N) axis, skipping the
progression of vaccinated survivors when there are none (a branch in its loop: 1-2 µs
a day slower), explicit zeroing, bypassing the dispatcher,
pre-taken row views, pre-multiplied tables, LLVM runtime-check limits; computing
travellers' prevalence with per-country people hoisted out of the strain loop and the
regional sums country by country (-1.7 µs on the isolated call, not measurable in the
stage).

The death sums factorised (kept; the last bits change: goldens regenerated, largest
relative change 1.2e-14): ``fatal`` = min(IFR × severity, 1) of the band × a band-free
ratio of the status (``kernels/immunity.py`` writes the two factors, (E, K + A, V, N));
statuses are summed in two groups (not vaccinated, vaccinated), a pass adds ``Σ sus p``
and ``Σ sus ratio p`` of five statuses, and the force and the band's factor are applied
once per strain in the progression pass. On this machine it pays far less than on the
old one (19 -> 11.5 µs there): isolated by-strain loop 0.40 -> 0.35 ns per
status-band-strain-country (min of 15); the member's day on the saved state, old and new
alternating in one process, 67.7/71.8 -> 65.9/69.3 µs (min/median of 31); the stage
alone (``cpu_run.py``, three alternating A/B pairs against main, thread CPU min/median
of 7) is within this machine's noise: no doses 53.7/77.6, 48.1/62.3, 45.5/47.6 ->
58.1/70.4, 46.8/47.4, 43.5/46.5 ms; with doses 77.1/101.9, 67.7/90.9, 95.3/105.4 ->
80.0/93.2, 71.2/104.3, 73.2/90.0 ms. The tables the passes read no
longer fit the L1 cache (sus and the ratios of five statuses, ~62 kB a pass), so fewer
operations an element help little here. Not kept: the three bands in one by-strain pass
sharing the band-free tables' loads (P as (GROUP, A, N), sums (A, V, N), the band loop
unrolled by hand): slower, 0.58 ns per status-band-strain-country on the isolated loop
and +20-40 µs on the member's day (it does not seem to vectorise: too many streams for
LLVM's runtime alias checks is the likely cause; not verified, numba's cached code
cannot be inspected). Not tried: contracting multiply-adds (FMA; results would then
differ between machines with and without FMA). Halving the stage needs fewer immunity
statuses or tables a pass can keep in L1.

Large E (session 9, epi12). From E~64 a member-day is bound by memory bandwidth (~430 kB
read, ~213 kB written a member-day, see docs/SPEED_FINDINGS.md). The statuses not
vaccinated (naive, infection, infection waned: their protection does not depend on the
country) now read one number a strain (``sus[e, k, :, 0]``) instead of (V, N) rows:
86 kB less a member-day. One source serves both through a helper that numba specialises
by the table's rank (``kernels/epidemic.py::at``), no loop per pattern. In one process,
rows (as before) and scalars alternating round by round on saved day-500 states (doses
of a real run tiled over E), thread CPU µs per member-day min/median: E=1 87.5/95.5 ->
85.2/93.9 (median ratio 0.97), E=64 110.3/117.6 -> 100.9/109.1 (0.92), E=256
108.8/134.1 -> 104.1/109.1 (0.87), no-vaccine twin E=1 63.1/65.7 -> 57.9/60.9 (0.92).
Upper bound of every table lever: all members reading member 0's tables (valid only
with numba's cache cleared) gave E=64 ~110 -> ~89 µs (-19%), E=256 ~105 -> ~90 (min).
Not done yet (sized in docs/SPEED_FINDINGS.md, epi12): the six hybrid susceptibility
rows as ``min(own scalar, vaccine row)`` (-37 kB) and the band's IFR × severity computed
from an (A, N) IFR row (-14 kB), together maybe ~5% at E ≥ 64.

Also measured and not kept:

- Country-free statuses read as scalars, as a separate compiled loop per status pattern
  (branch ``epik8``, session 7, ~150 lines): member with doses 37.2-38.6 -> 35.1-35.7 ms,
  twin 26.5-27.2 -> 25.7-26.7, no doses 25.7-26.6 -> 25.3-25.8, inside ``sim.run`` no
  change. Measured only at E=1, where the tables stay in the caches. Kept since session
  9 in a smaller form (above).
- The sub-step's force, infection and progression in blocks of 256 or 1,024 countries
  (travellers' sums first over all countries), bit-identical. Fed a real run's doses,
  synthetic worlds, min of 3: 3,000 regions 0.142 -> 0.162 (256) / 0.146 s (1,024),
  10,000 regions 0.476 -> 0.521 / 0.482 s. The stage alone does not outgrow the caches
  within a day (exponent ~1.0); inside ``simulate`` at 10,000 regions it costs ~0.86 s
  against ~0.48 s alone because the dose engine's stages evict its state between days,
  which blocking within a day cannot help. Trap: numba loops over ``range(n0, n1)`` with
  a variable signed start keep a negative-index check and stop vectorising (2.4x
  slower); unsigned bounds avoid it.
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


def _measure(benchmark, world, params, doses=None, rounds=5, warmup_rounds=1):
    """Compile, then time :func:`_epidemic_only` and record the country-days."""
    _epidemic_only(world, params, doses)  # compile
    benchmark.pedantic(_epidemic_only, args=(world, params, doses), rounds=rounds,
                       warmup_rounds=warmup_rounds)
    benchmark.extra_info["country_days"] = world.n_countries * world.days


def _baseline(overrides=()):
    """The baseline scenario (with ``overrides``), its world and one member's parameters."""
    scenario = load_scenario(BASELINE, list(overrides))
    world = build_world(scenario)
    return scenario, world, build_params(world, [scenario], [1])


def test_epidemic_stage_alone(benchmark):
    _, world, params = _baseline()
    _measure(benchmark, world, params)


def test_epidemic_stage_with_doses(benchmark):
    """The member of ``sim.run(baseline)``: its vaccinated and hybrid statuses fill up."""
    _, world, params = _baseline()
    _measure(benchmark, world, params, _doses_of(world, params))


def test_twin_stage_with_doses(benchmark):
    """The no-vaccine twin of ``sim.run(baseline)``: the member's doses protect nobody."""
    scenario, world, params = _baseline()
    twin = build_params(world, [without_vaccine(scenario)], [1])
    _measure(benchmark, world, twin, _doses_of(world, params))


def test_stochastic_stage_alone(benchmark):
    _, world, params = _baseline(["epidemic.mode=stochastic"])
    _measure(benchmark, world, params, rounds=3, warmup_rounds=0)
