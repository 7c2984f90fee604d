"""Member parameters: a batch's arrays do not depend on which members share it."""

import dataclasses

import numpy as np
import pytest
from worlds import make_world, scenario

from sim.engine.build.params import build_params, member_params
from sim.engine.build.resolve import resolve
from sim.engine.counterfactual import without_vaccine


def _world():
    w = make_world([1e6, 5e6, 2e7, 3e6], ["HIC", "UMIC", "LMIC", "LIC"],
                   home_of=[0, -1, -1, -1], production=[4e4], days=90)
    return dataclasses.replace(w, continent=np.array(["Europe", "Asia", "Asia", "Africa"]))


SCEN = scenario(production={"noise_sd": 0.3},
                procurement={"groups": {"HIC": {"strategy": "hoard", "multiple": 3},
                                        "Asia": {"price_usd": 5.0}},
                             "countries": {"C02": {"priority": 0}}},
                adaptation={"default": {"rule": "threshold", "theta": 0.4}},
                epidemic={"emergence": {"enabled": True}})


#: Drawn willingness (seed-dependent) that binds where donors keep doses for their own
#: people (found by the sweep fuzz, case 2239: replicates of one scenario object kept the
#: first replicate's doses).
DRAWN = SCEN.model_copy(update={
    "uptake": SCEN.uptake.model_copy(update={"willingness_spread": 0.1}),
    "donation": SCEN.donation.model_copy(update={
        "default": SCEN.donation.default.model_copy(update={"keep_coverage": 1.0})})})


def _arrays(obj, prefix=""):
    out = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if dataclasses.is_dataclass(v):
            out.update(_arrays(v, f"{prefix}{f.name}."))
        elif isinstance(v, np.ndarray):
            out[prefix + f.name] = v
    return out


@pytest.mark.parametrize("scen", [SCEN, DRAWN], ids=["fixed-willingness", "drawn"])
def test_replicates_and_twins_in_a_batch_equal_members_built_alone(scen):
    w = _world()
    twin = without_vaccine(scen)
    members = [scen, scen, twin, scen]
    seeds = [3, 4, 3, 2**31 - 1]
    batch = _arrays(build_params(w, members, seeds))
    for e, (s, seed) in enumerate(zip(members, seeds, strict=True)):
        alone = _arrays(build_params(w, [s], [seed]))
        checked = 0
        for name, x in alone.items():
            b = batch[name]
            # The member axis: where the batch has one entry per member and x has one.
            axes = [a for a in range(x.ndim) if x.shape[a] == 1 and b.shape[a] == len(members)
                    and b.shape[:a] + b.shape[a + 1:] == x.shape[:a] + x.shape[a + 1:]]
            if axes:
                np.testing.assert_array_equal(np.take(b, [e], axis=axes[0]), x, err_msg=name)
                checked += 1
        assert checked > 40
    assert not np.array_equal(batch["production_multiplier"][0],
                              batch["production_multiplier"][1])   # seeded parts differ


def test_member_params_matches_the_batch_builder():
    w = _world()
    one = member_params(w, SCEN, 5)
    batch = build_params(w, [SCEN], [5])
    for name, x in one.items():
        np.testing.assert_array_equal(getattr(batch, name)[0], x, err_msg=name)


def test_resolve_merges_general_to_specific():
    w = _world()
    rows = resolve(w, {"a": 1, "b": 1}, {"Asia": {"a": 2}, "LMIC": {"b": 3}},
                   {"C01": {"b": 4}})
    assert [(r["a"], r["b"]) for r in rows] == [(1, 1), (2, 4), (2, 3), (1, 1)]


def test_production_noise_of_a_month_does_not_depend_on_the_run_length():
    short = make_world([1e6, 2e6], ["HIC", "LIC"], home_of=[0, -1], production=[4e4, 1e4],
                       days=365)
    long = make_world([1e6, 2e6], ["HIC", "LIC"], home_of=[0, -1], production=[4e4, 1e4],
                      days=730)
    a = build_params(short, [SCEN], [5]).production_multiplier[0]    # (P, M)
    b = build_params(long, [SCEN], [5]).production_multiplier[0]
    assert b.shape[1] > a.shape[1] >= 12
    np.testing.assert_array_equal(b[:, :a.shape[1]], a)
    assert not np.allclose(a, 1.0)                                     # noise was drawn


def test_day0_prevalence_follows_2020_attack_and_suppressors_cap_contacts():
    w = dataclasses.replace(_world(), prior_infected=np.array([0.2, 0.0, 0.1, 0.4]))
    scen = scenario(epidemic={"initial_prevalence": 0.001,
                              "suppression": {"enabled": True, "multiplier": 0.2,
                                              "until": "2021-02-01"},
                              "contacts": {"default": [{"start": "2020-01-01",
                                                        "multiplier": 0.5}]}})
    ep = build_params(w, [scen], [1]).epidemic
    mean = (w.prior_infected * w.population).sum() / w.population.sum()
    np.testing.assert_allclose(ep.initial_prevalence[0], 0.001 * w.prior_infected / mean)
    # Country 1 had no 2020 epidemic: contacts 0.2 until 1 February, then its own 0.5.
    first = ep.contact_values[np.searchsorted(ep.contact_days, 0, side="right") - 1, 0]
    feb = ep.contact_values[np.searchsorted(ep.contact_days, 31, side="right") - 1, 0]
    np.testing.assert_allclose(first, [0.5, 0.2, 0.5, 0.5])
    np.testing.assert_allclose(feb, [0.5, 0.5, 0.5, 0.5])
