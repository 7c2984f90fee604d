"""Licences on hand-built worlds: output only after the lag, never above the bulk."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.record import DIPLOMACY_FIELDS
from sim.engine.run import simulate
from sim.outcomes.coverage import ledger_residual
from sim.outcomes.results import ledger_table

LICENSED = DIPLOMACY_FIELDS.index("licensed_output_cum")
PER_DAY_100 = 100 * 365.25 / 12  # doses a month for 100 doses a day


def _run(production, **licence):
    w = make_world([1e6, 1e6], ["UMIC", "LMIC"], home_of=[0, -1], production=[production],
                   days=60)
    lic = {"licensor": "P0", "licensee": "C01", "start": "2021-01-01", "lag_days": 10,
           "doses_per_month": PER_DAY_100, **licence}
    scen = scenario(uptake={"hesitancy": 0.0}, licences=[lic],
                    procurement={"default": {"budget_share": 1.0}})
    params = params_for(w, scen)
    traj, state = simulate(w, params)
    assert ledger_residual(ledger_table(w, traj)).max() < 1e-9
    return traj, state


def test_licence_adds_output_only_after_its_lag():
    traj, state = _run(1000.0)
    daily = np.diff(traj.diplomacy[0, :, LICENSED], prepend=0.0)
    assert (daily[:10] == 0).all()
    np.testing.assert_allclose(daily[10:], 100.0)
    assert state.licensed_cum[0, 0] == pytest.approx(50 * 100.0)


def test_licensed_output_never_exceeds_the_licensors_bulk():
    # The licensor makes 30 a day, less than the 100 a day of fill-finish capacity.
    traj, state = _run(30.0)
    licensed = traj.diplomacy[0, :, LICENSED]
    made_since_active = 30.0 * np.maximum(np.arange(1, 61) - 10, 0)
    # Bulk drawn before activation is impossible; the licensor's stock at day 10 is 330.
    assert (licensed <= 330.0 + made_since_active + 1e-9).all()
    assert state.licensed_cum[0, 0] <= state.bulk_drawn_cum[0, 0] + 1e-9
    assert state.bulk_drawn_cum[0, 0] <= traj.produced_cum[0, -1, 0] + 1e-9


def test_contract_size_caps_the_licence_and_licensee_is_served_first():
    traj, state = _run(1000.0, total_doses=1500.0)
    assert state.licensed_cum[0, 0] == pytest.approx(1500.0)
    assert state.bulk[0, 0] == pytest.approx(0.0)


def test_additional_bulk_is_counted_as_the_licensors_production():
    traj, state = _run(0.0, additional=True)
    assert state.licensed_cum[0, 0] == pytest.approx(50 * 100.0)
    assert traj.produced_cum[0, -1, 0] == pytest.approx(state.bulk_drawn_cum[0, 0])
