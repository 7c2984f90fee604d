"""Country overrides reach the age bands: an overridden population or 65+ share changes the
band populations the epidemic and the dose engine use, so doses by band can never exceed the
people a scenario says a country has (a fuzz-found violation: first doses at 157% of an
overridden population)."""

import numpy as np
from worlds import SCENARIOS

from sim.scenario import load_scenario
from sim.world.world import build_world


def _world(sets):
    return build_world(load_scenario(SCENARIOS / "baseline.yaml", sets))


def test_overridden_population_keeps_band_shares_at_the_new_size():
    plain = _world([])
    half = _world(["countries.overrides.GBR.population=31464376"])
    i, j = list(plain.iso3).index("GBR"), list(half.iso3).index("GBR")
    assert np.isclose(half.band_population[j].sum(), 31464376, rtol=1e-12)
    shares = plain.band_population[i] / plain.band_population[i].sum()
    assert np.allclose(half.band_population[j] / half.band_population[j].sum(), shares,
                       rtol=1e-12)


def test_overridden_65plus_share_sets_the_oldest_band():
    w = _world(["countries.overrides.PRT.pop_65plus_share=0.05"])
    j = list(w.iso3).index("PRT")
    assert np.isclose(w.band_population[j, 2], 0.05 * w.population[j], rtol=1e-12)
    assert np.isclose(w.band_population[j].sum(), w.population[j], rtol=1e-12)


def test_countries_without_overrides_keep_the_shipped_rows_exactly():
    plain = _world([])
    other = _world(["countries.overrides.GBR.population=31464376"])
    keep = [k for k, c in enumerate(plain.iso3) if c != "GBR"]
    assert np.array_equal(plain.band_population[keep],
                          other.band_population[[list(other.iso3).index(plain.iso3[k])
                                                 for k in keep]])
