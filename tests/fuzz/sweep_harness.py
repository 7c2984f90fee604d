"""A sweep fuzz case: a random valid base scenario run for 150 days, two of its numeric
fields swept over
``[v, v / 2]`` (a grid of four points, two replicates), run with batches of ``k`` members
and with batches of one: the two metric tables must be equal, bit for bit. A sweep point's
results must not depend on which points share its batch (outcome definitions, immunity
classes and Structure decide the batches: :func:`sim.sweep.runner.point_groups`).
One case in three is a sampled contrast instead: the first field is the arm (its two
values), the second a range between them sampled by a Latin hypercube of three worlds;
its contrast's summary over the worlds and drivers must come out as well.

``python tests/fuzz/sweep_harness.py FIRST LAST`` runs cases FIRST..LAST-1 and prints
every failure and a count of outcomes (``invalid``: a swept value the schema refuses).
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))

from fuzz.generator import valid_scenario  # noqa: E402

#: Fields never swept: they change the run's length or the members, not a parameter.
FIXED = ("seed", "days", "replicates")

#: Days of every case (random bases draw 1-90: too short for variants or targets to act).
DAYS = 150

#: Every this many cases the sweep's folder is written too (tables, plots, report).
FILES_EVERY = 5

#: Fields that a batch once took from one member (and now batches by): swept half the time.
SHARED = ("outcomes.", "epidemic.variants.")


def numeric_leaves(node: Any, prefix: str = "") -> Iterator[tuple[str, int | float]]:
    """(dotted path, value) of every number in a scenario's JSON dump."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from numeric_leaves(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from numeric_leaves(v, f"{prefix}.{i}")
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield prefix, node


def _half(v: int | float) -> int | float:
    if v == 0:
        return 1 if isinstance(v, int) else 0.5
    return v // 2 if isinstance(v, int) else v / 2


def check_sweep_case(case: int, sampled: bool | None = None, files: bool = False) -> str:
    """Run sweep case ``case``: ``"ok"``, ``"invalid"`` (a swept value is refused),
    ``"skip"`` (fewer than two numbers to sweep) or a description of the difference.
    ``sampled`` forces a grid (False) or a sampled contrast (True); by default one case in
    three, drawn from the case number, is sampled. ``files``: the batched sweep also
    writes its folder (tables, plots, report), which must hold them all.
    """
    import pandas as pd
    from pydantic import ValidationError

    from sim.scenario.loader import ScenarioError, validate_data
    from sim.sweep.runner import run_sweep
    from sim.sweep.spec import SweepSpec
    from sim.world.world import build_world

    rng = np.random.default_rng(case)
    base, _ = valid_scenario(case, 0.35, 90)
    data = {**base.model_dump(mode="json", exclude={"extends"}), "days": DAYS}
    try:
        base = validate_data(data, source=f"sweep fuzz #{case}")
    except ScenarioError:
        return "invalid"
    leaves = [(p, v) for p, v in numeric_leaves(data)
              if p not in FIXED and not p.startswith("outputs.")]
    if len(leaves) < 2:
        return "skip"
    # One field anywhere; the other, half the time, among those a batch has shared or
    # read from one member before (outcome definitions, scheduled variants).
    first = int(rng.integers(len(leaves)))
    shared = [i for i, (p, _) in enumerate(leaves) if p.startswith(SHARED) and i != first]
    rest = [i for i in range(len(leaves)) if i != first]
    second = int(rng.choice(shared if shared and rng.random() < 0.5 else rest))
    swept = {leaves[i][0]: {"values": [leaves[i][1], _half(leaves[i][1])]}
             for i in (first, second)}
    # Its own stream: the grid cases keep the draws (batch size k) they always had.
    if sampled is None:
        sampled = bool(np.random.default_rng([case, 1]).random() < 1 / 3)
    if sampled:  # the first field is the arm; the second is sampled between its values
        arm, other = leaves[first][0], leaves[second][0]
        swept[other] = {"low": min(swept[other]["values"]), "high": max(swept[other]["values"])}
    metrics = ["coverage_final.World", "deaths", "gini_coverage", "doses_expired"]
    if base.outcomes.targets:
        metrics.append("targets.0.countries_met")
    if base.epidemic.enabled and base.epidemic.vaccine_effect:
        metrics.append("deaths_averted")
    spec = {"name": "fuzz", "base": data, "parameters": swept, "method": "grid",
            "replicates": 2, "metrics": metrics}
    if sampled:
        spec |= {"method": "lhs", "samples": 3, "contrast": {
            "parameter": arm, "control": swept[arm]["values"][0],
            "treatment": swept[arm]["values"][1]}}
    world = build_world(base)
    k = int(rng.integers(2, 9))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep" if files else None
        try:
            res = run_sweep(SweepSpec.model_validate({**spec, "batch_size": k}), world=world,
                            plots=files, out_dir=out)
        except (ScenarioError, ValidationError):  # a swept value (or range) refused
            return "invalid"
        if out is not None:
            missing = [name for name in ("metrics.parquet", "report.html")
                       if not (out / name).is_file()]
            if missing or not any((out / "plots").glob("*.png")):
                return f"sweep folder without {missing or 'plots'}"
    batched = res.metrics
    if sampled:
        summary, drivers = res.contrast_summary(), res.contrast_drivers()
        if summary is None or drivers is None or len(summary) != len(metrics):
            return "sampled contrast: no summary over the worlds"
    alone = run_sweep(SweepSpec.model_validate({**spec, "batch_size": 1}), world=world,
                      plots=False).metrics
    try:
        pd.testing.assert_frame_equal(batched, alone, check_exact=True)
    except AssertionError as exc:
        return f"batches of {k} != batches of 1, sweeping {list(swept)}: {str(exc)[:300]}"
    return "ok"


def main(argv: list[str]) -> int:
    """Run cases ``argv[0]`` .. ``argv[1] - 1``; exit 1 if any differs or crashes."""
    warnings.simplefilter("ignore")
    counts: Counter[str] = Counter()
    for case in range(int(argv[0]), int(argv[1])):
        try:
            outcome = check_sweep_case(case, files=case % FILES_EVERY == 0)
        except Exception as exc:  # a crash is a finding too
            outcome = f"crash {type(exc).__name__}: {str(exc)[:300]}"
        counts[outcome if outcome in ("ok", "invalid", "skip") else "failed"] += 1
        if outcome not in ("ok", "invalid", "skip"):
            print(f"sweep case {case}: {outcome}", flush=True)
    print(dict(counts))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
