"""Batch groups (:mod:`sim.engine.build.batching`): members that share one run bit for bit
as they run alone."""

import numpy as np
import pytest

from sim.engine.build.batching import batch_group, own_classes
from sim.engine.build.params import Structure, build_params
from sim.engine.run import simulate
from sim.scenario.loader import validate_data
from sim.world.world import build_world

COUNTRIES = ["GBR", "IND", "ZAF", "BRA", "NGA", "VNM"]


def _scenario(alpha_escape: float | None = None, **epidemic):
    """A 200-day scenario on six countries; ``alpha_escape`` replaces Alpha's escape."""
    data = {"name": "b", "days": 200, "countries": {"include": COUNTRIES},
            "epidemic": epidemic}
    s = validate_data(data, source="test")
    if alpha_escape is not None:
        variants = [v.model_dump(mode="json") for v in s.epidemic.variants]
        variants[0]["escape"] = alpha_escape
        s = validate_data({**data, "epidemic": {**epidemic, "variants": variants}},
                          source="test")
    return s


@pytest.mark.parametrize(("scenario", "classes"), [
    (_scenario(), (0, 0, 1, 2)),                          # ancestral and Alpha share one
    (_scenario(alpha_escape=0.05), (0, 1, 2, 3)),
    (_scenario(variants=[]), (0,)),
    (_scenario(enabled=False), ()),
], ids=["default", "alpha-escapes", "no-variants", "no-epidemic"])
def test_own_classes_are_the_classes_a_member_runs_with_alone(scenario, classes):
    assert own_classes(scenario) == classes
    params = build_params(build_world(scenario), [scenario], [1])
    if classes:
        assert tuple(params.epidemic.strain_class[:len(classes)].tolist()) == classes
    else:
        assert params.epidemic is None


def test_a_member_beside_one_of_another_group_gets_other_classes():
    """Why the group holds the classes: beside a member whose Alpha escapes a little, the
    default member's ancestral and Alpha survivors fall in two classes (sums in another
    order), though both share a Structure.
    """
    a, c = _scenario(), _scenario(alpha_escape=1e-6)
    assert Structure.of(a) == Structure.of(c) and batch_group(a) != batch_group(c)
    world = build_world(a)
    batch = build_params(world, [a, c], [1, 2]).epidemic.strain_class
    assert tuple(batch[:4].tolist()) == (0, 1, 2, 3) != own_classes(a)


def test_members_of_one_group_run_bit_for_bit_as_alone():
    a, b = _scenario(), _scenario(r0=3.5, importation=0.05)
    assert batch_group(a) == batch_group(b)
    world = build_world(a)
    _, alone = simulate(world, build_params(world, [a], [7]))
    _, both = simulate(world, build_params(world, [a, b], [7, 8]))
    for name in ("S", "Ex", "Ix", "D_band", "infections_cum"):
        np.testing.assert_array_equal(getattr(both.epi, name)[:1], getattr(alone.epi, name),
                                      err_msg=name)
