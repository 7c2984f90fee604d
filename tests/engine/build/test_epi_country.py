"""The share infected before 2021 read through the severity factor, and its use in the
epidemic's build."""

import dataclasses

import numpy as np
from worlds import make_world, scenario

from sim.engine.build.epi_country import PRIOR_CAP, prior_share
from sim.engine.build.epi_params import build_epi_params


def _world():
    w = make_world([1e6, 3e6, 2e6, 2e6], ["HIC", "HIC", "LMIC", "LMIC"], days=30)
    return dataclasses.replace(w, prior_infected=np.array([0.1, 0.3, 0.0, 0.4]))


def test_prior_follows_severity_divides_and_caps():
    prior = np.array([0.2, 0.4, 0.45])
    severity = np.array([2.0, 4.0, 0.5])
    assert prior_share(prior, severity, False) is prior
    # A factor below 1 leaves 2020 as the data say (never above them nor the cap).
    np.testing.assert_allclose(prior_share(prior, severity, True), [0.1, 0.1, 0.45])
    assert prior_share(np.array([0.4]), np.array([0.1]), True)[0] <= PRIOR_CAP


def test_build_reads_the_prior_through_the_severity_factor():
    w = _world()
    base = {"epidemic": {"contacts": {"default": [{"start": "2020-01-01",
                                                   "multiplier": 0.5}],
                                      "countries": {}},
                         "ifr_multiplier_groups": {"LMIC": 2.0}}}
    plain = build_epi_params(w, [scenario(**base)], [1])
    both = build_epi_params(w, [scenario(**{"epidemic": {
        **base["epidemic"], "prior_follows_severity": True}})], [1])
    np.testing.assert_allclose(plain.prior_infected[0], [0.1, 0.3, 0.0, 0.4])
    np.testing.assert_allclose(both.prior_infected[0], [0.1, 0.3, 0.0, 0.2])
