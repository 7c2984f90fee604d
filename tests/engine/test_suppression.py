"""Suppression that ends at a coverage level (``epidemic.suppression.coverage``): built in
sim/engine/build/epi_params.py, applied each day by the epidemic stage
(sim/engine/epidemic.py, ``_Workspace.suppress``)."""

import dataclasses

import numpy as np
from worlds import make_world, params_for, scenario

from sim.engine.build.params import build_params
from sim.engine.epi_model import initial_epi
from sim.engine.epidemic import _Workspace
from sim.engine.run import simulate

CONTACTS = {"default": [{"start": "2020-01-01", "multiplier": 0.5}]}


def _world(days=120):
    # C00 and C01 had no 2020 epidemic (they suppress), C02 did.
    w = make_world([1e6, 1e6, 1e6], ["HIC", "HIC", "LMIC"], home_of=[0, -1, -1],
                   production=[3e4], days=days)
    return dataclasses.replace(w, prior_infected=np.array([0.0, 0.0, 0.2]))


def _suppression(**extra):
    return {"enabled": True, "multiplier": 0.2, "until": "2021-02-01", **extra}


def test_coverage_exit_replaces_the_date_for_the_countries_it_names():
    scen = scenario(epidemic={"suppression": _suppression(coverage={"C00": 0.3}),
                              "contacts": CONTACTS})
    ep = build_params(_world(), [scen], [1]).epidemic
    np.testing.assert_array_equal(ep.suppress_coverage[0], [0.3, np.inf, np.inf])
    feb = ep.contact_values[np.searchsorted(ep.contact_days, 31, side="right") - 1, 0]
    jan = ep.contact_values[0, 0]
    # C01 keeps the date rule (capped in the precomputed table until 1 February); C00's cap
    # is not in the table: the stage applies it while coverage is below 0.3.
    np.testing.assert_allclose(jan, [0.5, 0.2, 0.5])
    np.testing.assert_allclose(feb, [0.5, 0.5, 0.5])


def test_the_stage_lifts_the_cap_on_the_day_coverage_reaches_the_level():
    w = _world()
    scen = scenario(epidemic={"suppression": _suppression(coverage={"HIC": 0.3}),
                              "contacts": CONTACTS})
    params = build_params(w, [scen], [1])
    ep = params.epidemic
    ws = _Workspace(ep, initial_epi(ep, 1, params.vaccination.vaccine_peak))
    courses = np.zeros((1, 3, 3))
    ws.day(0)
    ws.suppress(0, courses)
    np.testing.assert_allclose(ws.force / ep.force, [[0.2, 0.2, 0.5]])
    courses[0, 0, 1] = 0.299e6                                  # just below 30% in C00
    ws.suppress(1, courses)
    np.testing.assert_allclose(ws.force / ep.force, [[0.2, 0.2, 0.5]])
    courses[0, 0, 2] = 0.002e6                                  # 30.1%: C00 stops
    ws.suppress(2, courses)
    np.testing.assert_allclose(ws.force / ep.force, [[0.5, 0.2, 0.5]])
    courses[:] = 0.0                                            # once ended, stays ended
    ws.day(40)
    ws.suppress(40, courses)
    np.testing.assert_allclose(ws.force / ep.force, [[0.5, 0.2, 0.5]])
    ws.suppress(ep.suppress_latest[0], courses)                 # the backstop day: all end
    np.testing.assert_allclose(ws.force / ep.force, [[0.5, 0.5, 0.5]])


def test_a_country_that_vaccinates_leaves_suppression_and_one_without_doses_does_not():
    # C00 (a producer's home) vaccinates, C01 has no doses; both on a coverage exit.
    w = _world(days=200)
    epi = {"suppression": _suppression(coverage={"HIC": 0.3}), "contacts": CONTACTS,
           "initial_prevalence": 1e-4, "prevalence_follows_prior": False}
    params = params_for(w, scenario(days=200, epidemic=epi,
                                    uptake={"hesitancy": 0.0,
                                            "capacity": {"HIC": {"start": 0.01,
                                                                 "end": 0.01}}},
                                    export={"default": {"policy": "ban"}}))
    _, state = simulate(w, params)
    assert state.courses_band[0, 0].sum() / w.population[0] >= 0.3
    assert state.courses_band[0, 1].sum() == 0
    ws = state.epi.workspace
    np.testing.assert_array_equal(ws.on_exit[0], [False, True, False])
