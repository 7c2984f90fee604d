"""The memory-ceiling anchor: the bytes it counts and the shares ``make bench`` prints."""

import ast
import inspect

import numpy as np
import pytest

from benchmarks.anchors import ceiling, numpy_floor
from benchmarks.anchors.report import ceiling_lines, ratio_lines


def _day_loop() -> ast.For:
    tree = ast.parse(inspect.getsource(numpy_floor.run))
    return next(node for node in ast.walk(tree)
                if isinstance(node, ast.For) and ast.unparse(node.target) == "t")


def _base(node: ast.expr) -> str:
    while isinstance(node, ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def test_floor_arrays_are_those_its_day_updates_and_reads():
    loop = _day_loop()
    updated = {_base(n.target) for n in ast.walk(loop) if isinstance(n, ast.AugAssign)}
    updated |= {_base(t) for n in ast.walk(loop) if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Subscript)}
    updated -= {"out_first", "out_deaths"}      # the recorded (E, days) totals
    assert updated == set(ceiling.FLOOR_UPDATED)
    loaded = {n.id for n in ast.walk(loop) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Load)}
    assigned = {n.id for n in ast.walk(loop) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Store)}
    assert set(ceiling.FLOOR_READ) <= loaded - assigned - updated
    assert ceiling.floor_bytes_per_country_day() == 8 * (2 * 10 + 3)


def test_compartment_bytes_are_one_members_whatever_the_batch():
    from sim import load_scenario
    from sim.engine.build.params import build_params
    from sim.engine.state import initial_state
    from sim.world.world import build_world

    scenario = load_scenario("baseline").model_copy(update={"days": 30})
    world = build_world(scenario)
    one, three = (initial_state(world, build_params(world, [scenario] * e, list(range(1, e + 1))))
                  for e in (1, 3))
    by_hand = sum(getattr(one.epi, name).nbytes for name in ceiling.COMPARTMENTS)
    assert ceiling.compartment_bytes(one.epi) == by_hand == ceiling.compartment_bytes(three.epi)
    # 3 bands x 15 statuses, and 4 strains' latent, infectious, fated and vaccinated
    # survivors (4 a strain), newly infected: 45 + 4 * (1 + 1 + 4 + 1) = 73 a band-country
    A, K, V = one.epi.S.shape[2], one.epi.S.shape[3], one.epi.Ix.shape[3]
    assert by_hand == 8 * world.n_countries * (A * K + A * V * 7)
    per_cd = ceiling.vaxsim_bytes_per_country_day(scenario, twins=False)
    assert per_cd == pytest.approx(2 * by_hand / world.n_countries)
    assert ceiling.vaxsim_bytes_per_country_day(scenario) == pytest.approx(2 * per_cd)


def test_stream_reads_and_writes_every_element():
    x = np.linspace(0.0, 1.0, 1001)
    ceiling.stream(x)
    np.testing.assert_array_equal(x, np.linspace(0.0, 1.0, 1001) * 0.999999 + 1e-12)
    assert ceiling.stream_bandwidth(1 << 16, rounds=2, seconds=0.001) > 1e8
    assert ceiling.ceiling(100e9, 2000.0) == pytest.approx(50e6)


def test_shares_of_the_ceiling_by_hand():
    # 1 GB/s at the minimum, 0.5 GB/s at the median; the floor moves 100 B a country-day
    # and vaxsim 1,000 (2,000 with twins)
    figures = {"stream_cache": {"min": 1.0, "median": 2.0, "bytes": 1e9, "floor_bytes": 100.0,
                                "vaxsim_bytes": 1000.0},
               "floor_e256": {"min": 1.0, "median": 1.0, "country_days": 2e6},
               "vaxsim_run_e256": {"min": 1.0, "median": 2.0, "country_days": 1e5}}
    lines = ceiling_lines(figures)
    assert lines[0].split()[-4:] == ["1.0", "/", "0.5", "GB/s"]
    # floor: 2e6 / (1e9 / 100) = 0.2 at the min; 2e6 / (0.5e9 / 100) = 0.4 at the median
    assert lines[1].split()[-5:-2] == ["0.200", "/", "0.400"]
    # vaxsim with twins: 1e5 / (1e9 / 2000) = 0.2; 0.5e5 / (0.5e9 / 2000) = 0.2; 1x / 0.5x
    run = next(x for x in lines if "vaxsim_run_e256," in x)
    assert run.split()[5:8] == ["0.200", "/", "0.200"]
    assert "2000 B/country-day" in run and "1.00 / 0.50x the floor's share" in run
    assert ceiling_lines({}) == []
    assert lines[1] in ratio_lines(figures)
