"""Expiry by product shelf life (sim/engine/product_expiry.py): bought doses land in their
product's shelf-life bucket (sim/data/products.csv), expire from it and are booked as
expired by product; the compiled and numpy days agree."""

import numpy as np
import pytest
from worlds import make_world, params_for, scenario

from sim import data
from sim.engine.run import Simulation

JANSSEN, BBIBP, CORONAVAC = "Janssen Ad26.COV2.S", "Sinopharm BBIBP", "Sinovac CoronaVac"
BAN = {"policy": "ban", "start": "2021-01-01", "end": "2022-12-31"}
NO_CAPACITY = {"capacity": {g: {"start": 0.0, "end": 0.0}
                            for g in ("HIC", "UMIC", "LMIC", "LIC")}}


def _hoarders(mix0: dict, mix1: dict, days: int = 300, backend: str | None = None,
              monkeypatch=None):
    """Two countries that buy their home producer's output and never give a dose."""
    if backend:
        monkeypatch.setenv("VAXSIM_BACKEND", backend)
    world = make_world([1e6, 1e6], ["HIC", "HIC"], home_of=[0, 1],
                       production=[10_000.0, 10_000.0], days=days)
    scen = scenario(days=days, uptake=NO_CAPACITY,
                    procurement={"default": {"strategy": "hoard", "multiple": 50.0,
                                             "budget_share": 1.0}},
                    products={"enabled": True, "mix": {"P0": mix0, "P1": mix1}},
                    export={"producers": {"P0": BAN, "P1": BAN}})
    sim = Simulation.start(world, params_for(world, scen))
    while not sim.done:
        sim.step()
    return sim


def _shelf(product: str) -> int:
    table = data.products().set_index("product")
    return int(table.loc[product, "shelf_life_days"])


def test_each_product_expires_after_its_own_shelf_life():
    assert _shelf(JANSSEN) == 90 and _shelf(BBIBP) == 730
    sim = _hoarders({JANSSEN: 1.0}, {BBIBP: 1.0})
    s, ps = sim.state, sim.state.products
    names = list(sim.params.products.names)
    j, b = names.index(JANSSEN), names.index(BBIBP)
    assert s.administered_cum.sum() == 0 and s.received_cum[0, 0] > 1e6
    # Janssen: nothing older than its 90 days (3 buckets of 30) is left; all expired
    # doses are Janssen. BBIBP: 300 days is well inside 730, nothing expired.
    assert s.expired_cum[0, 0] > 0.5 * s.received_cum[0, 0]
    assert s.stock[:, 0, 0].sum() <= 90 * 5_000.0 + 1e-6    # 5,000 Janssen doses a day
    assert ps.expired[0, 0, j] == pytest.approx(s.expired_cum[0, 0], rel=1e-9)
    assert s.expired_cum[0, 1] == 0 and ps.expired[0, 1].sum() == 0
    assert ps.aged[:, 0, 1, b].sum() == pytest.approx(s.stock[:, 0, 1].sum(), rel=1e-9)


def test_a_mixed_stock_books_its_short_lived_product_as_expired():
    # Half Janssen (90 days), half CoronaVac (365 days) as production.csv counts them:
    # in 300 days only Janssen expires, though the holdings are mostly CoronaVac.
    sim = _hoarders({JANSSEN: 0.5, CORONAVAC: 0.5}, {BBIBP: 1.0})
    s, ps = sim.state, sim.state.products
    names = list(sim.params.products.names)
    j, c = names.index(JANSSEN), names.index(CORONAVAC)
    assert s.expired_cum[0, 0] > 0
    assert ps.expired[0, 0, j] == pytest.approx(s.expired_cum[0, 0], rel=1e-9)
    assert ps.expired[0, 0, c] == pytest.approx(0.0, abs=1e-6)
    assert ps.holding[0, 0, c] > 4 * ps.holding[0, 0, j]   # 300 vs at most 120 days
    # The ledger adds up: received = administered + expired + held, by product.
    np.testing.assert_allclose(ps.received[0, 0], ps.expired[0, 0] + ps.holding[0, 0],
                               rtol=1e-9)


def test_compiled_and_numpy_days_land_and_expire_alike(monkeypatch):
    runs = [_hoarders({JANSSEN: 0.5, CORONAVAC: 0.5}, {BBIBP: 1.0}, 200, b, monkeypatch)
            for b in ("numpy", "numba")]
    a, b = (r.state for r in runs)
    np.testing.assert_array_equal(a.stock, b.stock)
    np.testing.assert_array_equal(a.expired_cum, b.expired_cum)
    np.testing.assert_array_equal(a.products.expired, b.products.expired)


@pytest.mark.slow
def test_compiled_ledger_matches_its_numpy_reference_on_the_baseline(monkeypatch):
    # Every channel acts in the baseline's first 240 days (licences, contracts, partner
    # sales, the market, the pool, gifts); the product ledgers agree bit for bit (without
    # the epidemic, whose compiled and numpy runs agree to 1e-10 only).
    from worlds import SCENARIOS

    from sim.engine.build.params import build_params
    from sim.scenario import load_scenario
    from sim.world.world import build_world

    scen = load_scenario(SCENARIOS / "baseline.yaml", ["days=240", "epidemic.enabled=false"])
    world = build_world(scen)
    states = []
    for b in ("numpy", "numba"):
        monkeypatch.setenv("VAXSIM_BACKEND", b)
        sim = Simulation.start(world, build_params(world, [scen], [scen.seed]))
        while not sim.done:
            sim.step()
        states.append(sim.state)
    a, b = (s.products for s in states)
    for name in ("received", "holding", "administered", "expired", "given", "pool",
                 "aged", "land", "land_mix", "arriving", "one_dose"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
        # bit for bit, signed zeros too: a -0.0 where the reference has +0.0 made a
        # member's state depend on its batch (fuzz case 10300978)
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name
    np.testing.assert_array_equal(states[0].stock, states[1].stock)
    assert a.aged.sum() > 0 and a.land[..., :-1].sum() > 0


def test_new_shipments_land_by_their_own_product_not_the_stock_they_join():
    # A country sitting on long-lived BBIBP stock starts receiving Janssen on day 120
    # (a contract, then the market): the Janssen doses expire 90 days on, booked as
    # Janssen, though the country's holdings are mostly BBIBP.
    days = 300
    world = make_world([1e6, 1e6], ["HIC", "HIC"], home_of=[0, 1],
                       production=[10_000.0, 10_000.0], days=days)
    scen = scenario(days=days, uptake=NO_CAPACITY,
                    procurement={"default": {"strategy": "hoard", "multiple": 50.0,
                                             "budget_share": 1.0}},
                    products={"enabled": True, "mix": {"P0": {BBIBP: 1.0},
                                                       "P1": {JANSSEN: 1.0}}},
                    export={"producers": {"P0": BAN}},
                    contracts=[{"supplier": "P1", "buyer": "C00", "product": JANSSEN,
                                "deliveries": [{"start": "2021-05-01", "end": "2021-06-30",
                                                "doses": 600_000.0}]}])
    sim = Simulation.start(world, params_for(world, scen))
    names = list(sim.params.products.names)
    j, b = names.index(JANSSEN), names.index(BBIBP)
    while not sim.done:
        sim.step()
        if sim.state.day == days - 120:
            janssen_early = sim.state.products.received[0, 0, j]
    s, ps = sim.state, sim.state.products
    assert ps.received[0, 0, j] > 1e5 and ps.holding[0, 0, b] > 2 * ps.received[0, 0, j]
    # Every Janssen dose allocated 120 days before the end has expired (90 days' shelf
    # life, 30-day buckets, a 14-day lag); landing by the holdings' mix instead put most
    # of them in BBIBP's bucket (548 k of 1.03 M expired, 579 k due).
    assert s.expired_cum[0, 0] >= janssen_early > 5e5
    assert ps.expired[0, 0, j] == pytest.approx(s.expired_cum[0, 0], rel=1e-9)
    assert ps.expired[0, 0, b] == pytest.approx(0.0, abs=1e-6)


def test_closing_a_day_stores_positive_zeros_like_the_reference():
    # A rounding residue of -1e-20 doses in a row whose every dose left today: keep is 0,
    # and -1e-20 * 0 is -0.0. numba's max(-0.0, 0.0) keeps -0.0, numpy's maximum gives
    # +0.0; a zero added later only on some batches' days (gifts, sales) turned -0.0 to
    # +0.0, so a member's holdings depended on its batch in their sign bits (fuzz case
    # 10300978). The kernel now stores the reference's +0.0.
    from types import SimpleNamespace

    from sim.engine.kernels.product_expiry import close_day
    from sim.engine.product_expiry import close_reference

    holding = np.array([[[5.0, -1e-20, 2.0, 0.0]]])
    out = np.array([[7.0]])
    one = np.array([0.0, 1.0, 0.0, 0.0])
    ref = SimpleNamespace(holding=holding.copy(), course=np.array([2, 1, 2, 2]),
                          one_dose=np.zeros((1, 1)))
    close_reference(ref, out)
    compiled = holding.copy()
    close_day(compiled, out, one, np.zeros((1, 1)), np.ones((1, 1), dtype=bool))
    assert compiled.tobytes() == ref.holding.tobytes()
    assert not np.signbit(compiled).any()
