"""Selling with strings: partners' orders are served first."""

import numpy as np
from worlds import make_world, params_for, scenario

from sim.engine.partners import sell_to_partners
from sim.engine.state import initial_state


def test_partners_are_served_before_others_of_the_same_tier():
    w = make_world([100, 100, 100], ["UMIC", "LMIC", "LMIC"], home_of=[0, -1, -1],
                   production=[0])
    scen = scenario(uptake={"hesitancy": 0.0}, procurement={"default": {"budget_share": 1.0}},
                    affinity={"base": 0.1, "same_region": 0.0, "C00": {"C01": 2.0}},
                    partner_sales={"P0": {"min_affinity": 1.5, "share": 1.0}})
    params = params_for(w, scen)
    assert params.diplomacy.partner_mask[0].tolist() == [False, True, False]
    state = initial_state(w, params)
    state.inventory[:] = 150.0
    alloc = sell_to_partners(state, params, 0)
    np.testing.assert_allclose(alloc[0], [0, 150, 0])
    assert state.exported_cum[0, 0] == 150.0 and state.inventory[0, 0] == 0.0


def test_no_partner_sales_without_the_section():
    w = make_world([100, 100], ["UMIC", "LMIC"], home_of=[0, -1], production=[0])
    params = params_for(w, scenario())
    assert sell_to_partners(initial_state(w, params), params, 0) is None
