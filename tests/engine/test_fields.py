"""Record arrays are read by field name: the index maps and the recorder agree."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim.engine.fields import COUNTRY_FIELDS, LEDGER_FIELDS, Fields
from sim.engine.flows import FLOW_COLUMNS
from sim.engine.run import simulate


def test_fields_name_their_positions():
    f = Fields("a", "b", "c")
    assert (f.a, f.c, list(f), f.index("b")) == (0, 2, ["a", "b", "c"], 1)
    with pytest.raises(AttributeError, match="no field 'd'"):
        _ = f.d
    with pytest.raises(ValueError, match="repeated"):
        Fields("a", "a")
    assert FLOW_COLUMNS.member == 0 and LEDGER_FIELDS.stock_producers == len(LEDGER_FIELDS) - 1


def test_recorded_fields_hold_what_their_names_say():
    w = make_world([1e6, 2e6, 3e6, 4e6], ["HIC", "UMIC", "LMIC", "LIC"], home_of=[0, -1, -1, -1],
                   production=[50_000.0], days=60)
    params = params_for(w, scenario(days=60), (1,))
    traj, state = simulate(w, params, 1)
    L, C = LEDGER_FIELDS, COUNTRY_FIELDS
    last = traj.countries[:, -1]                                          # (E, N, F)
    np.testing.assert_allclose(last[..., C.doses_administered], state.administered_cum)
    np.testing.assert_allclose(last[..., C.doses_received], state.received_cum)
    np.testing.assert_allclose(last[..., C.stock], state.stock.sum(axis=0))
    np.testing.assert_allclose(traj.ledger[:, -1, L.administered_cum],
                               state.administered_cum.sum(axis=-1))
    np.testing.assert_allclose(traj.ledger[:, -1, L.produced_cum],
                               traj.produced_cum[:, -1].sum(axis=-1))
