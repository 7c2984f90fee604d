"""The checks of the fuzz: one *case* is a batch of random valid scenarios that share a
world and a batch group (:func:`sim.engine.build.batching.batch_group`), run together,
then checked.

Per member of the batch (each counts as one scenario):

- ledger identity: produced = administered + expired + stocks + in transit (rel. 1e-9);
- every state array >= 0 exactly, every trajectory finite;
- coverage (first dose, completed) in [0, 1] of each country's population;
- member alone = member in the batch: one member, rerun on its own, gives bit-identical
  trajectories, donation ledger and final state.

Per case, through the public API (``sim.api.run``: validation, the no-vaccine twins,
tables and summary):

- every number in every table and in the summary finite; coverage columns in [0, 1] or
  null (null only where a group holds no one);
- same seed -> identical bytes: a second run gives byte-identical parquet tables and
  summary JSON (every ``det_every``-th case);
- the results folder: ``save_results`` with plots writes the summary, the tables, its
  plots and the report without an error (every ``--files-every``-th case of
  ``run_fuzz.py``).

The engine is whatever is on the branch: these checks name no module of the epidemic.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
from typing import Any

import numpy as np
from fuzz.generator import Draw, scenario_data, valid_scenario

#: Fields of a scenario a batch's members must share (the world and the Structure).
SHARED_TOP = ("countries", "start", "days", "affinity", "partner_sales", "market")
SHARED_UPTAKE = ("delivery_lag_days", "shelf_life_days", "shelf_bucket_days",
                 "dose_interval_days", "doses_per_course")
SHARED_EPIDEMIC = ("enabled", "mode", "substeps")


def members_of(base, case_seed: int, k: int, p_set: float, max_days: int) -> list:
    """``base`` and up to ``k - 1`` other random scenarios made to share its world and
    batch group (:func:`sim.engine.build.batching.batch_group`: Structure and immunity
    classes; one with other classes takes ``base``'s scheduled variants); a variant the
    schema refuses, or still in another group, is replaced by ``base`` itself."""
    from sim.engine.build.batching import batch_group
    from sim.scenario.loader import ScenarioError, validate_data

    shared = base.model_dump(mode="python", exclude={"extends"})
    out = [base]
    for j in range(1, k):
        raw = scenario_data(case_seed * 7919 + j, p_set, max_days)
        for key in SHARED_TOP:
            raw[key] = shared[key]
        raw["uptake"] = {**raw.get("uptake", {}),
                         **{f: shared["uptake"][f] for f in SHARED_UPTAKE}}
        raw["adaptation"] = {**raw.get("adaptation", {}),
                             "review_days": shared["adaptation"]["review_days"]}
        raw["epidemic"] = {**raw.get("epidemic", {}),
                           **{f: shared["epidemic"][f] for f in SHARED_EPIDEMIC}}
        try:
            s = validate_data(raw, source=f"fuzz#{case_seed}/{j}")
            if batch_group(s) != batch_group(base):   # other immunity classes: base's variants
                raw["epidemic"]["variants"] = shared["epidemic"]["variants"]
                s = validate_data(raw, source=f"fuzz#{case_seed}/{j}")
        except ScenarioError:
            s = base
        out.append(s if batch_group(s) == batch_group(base) else base)
    return out


def _finite(name: str, a: np.ndarray, problems: list[str]) -> None:
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        problems.append(f"{name}: {np.count_nonzero(~np.isfinite(a))} non-finite values")


#: State arrays that are signed by definition (not stocks or counts): ``orders_extra`` is
#: negative after a switch away from hoarding (see :class:`sim.engine.state.State`).
SIGNED = {"orders_extra"}


def state_checks(state, problems: list[str]) -> None:
    """No negative stock, count or compartment anywhere in a batch's final state."""
    for name, value in _state_arrays(state):
        if value.dtype.kind == "f" and name not in SIGNED and (value < 0).any():
            problems.append(f"state.{name} has negatives (min {value.min():.3g})")
        _finite(f"state.{name}", value, problems)


def member_checks(world, params, traj, e: int, problems: list[str]) -> None:
    """Invariants of member ``e`` of a finished batch."""
    from sim.outcomes.coverage import ledger_residual
    from sim.outcomes.results import ledger_table

    one = _member_traj(traj, e)
    for f in dataclasses.fields(one):
        v = getattr(one, f.name)
        if isinstance(v, np.ndarray):
            _finite(f"member {e} trajectories.{f.name}", v, problems)
    resid = ledger_residual(ledger_table(world, one))
    if len(resid) and not (resid.max() < 1e-9):
        problems.append(f"member {e}: ledger identity off by {resid.max():.3g} (relative)")
    people = one.countries[..., :2]  # first_dose, completed per country
    pop = world.population[None, None, :, None]
    if (people > pop * (1 + 1e-12)).any() or (people < 0).any():
        problems.append(f"member {e}: coverage outside [0, 1]")


def _state_arrays(state) -> list[tuple[str, np.ndarray]]:
    out = []
    for f in dataclasses.fields(state):
        v = getattr(state, f.name)
        if isinstance(v, np.ndarray):
            out.append((f.name, v))
        elif dataclasses.is_dataclass(v):
            out += [(f"{f.name}.{g.name}", getattr(v, g.name)) for g in dataclasses.fields(v)
                    if isinstance(getattr(v, g.name), np.ndarray)]
    return out


def _member_traj(traj, e: int):
    from sim.engine.counterfactual import split_members

    rest = split_members(traj, e)[1] if e else traj
    return split_members(rest, 1)[0]


def same_member(traj_batch, state_batch, e: int, traj_alone, state_alone,
                n_members: int) -> list[str]:
    """Differences between member ``e`` of a batch and the same member run alone."""
    problems = []
    a, b = _member_traj(traj_batch, e), traj_alone
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x is None or y is None:
            # Optional records (products) exist when some member of the batch asks for
            # them: a member that does not is compared on what both runs record.
            continue
        if isinstance(x, np.ndarray) and (x.shape != y.shape or x.tobytes() != y.tobytes()):
            diff = (np.nanmax(np.abs(x - y)) if x.shape == y.shape and x.size else "shape")
            problems.append(f"member {e} alone != in batch: trajectories.{f.name} ({diff})")
    alone = dict(_state_arrays(state_alone))
    for name, value in _state_arrays(state_batch):
        if name not in alone:
            continue  # optional state (products) kept only for a batch that asks for it
        one = alone[name]
        axes = [i for i in range(value.ndim) if value.shape[i] == n_members
                and one.shape[i] == 1 and value.shape[:i] + value.shape[i + 1:]
                == one.shape[:i] + one.shape[i + 1:]]
        if not axes:
            continue  # not a per-member array (shared by the batch)
        part = np.take(value, [e], axis=axes[0])
        if part.tobytes() != one.tobytes():
            problems.append(f"member {e} alone != in batch: state.{name} "
                            f"(max diff {np.abs(part - one).max():.3g})")
    return problems


def _walk_numbers(obj: Any, path: str = ""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_numbers(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk_numbers(v, f"{path}[{i}]")
    elif isinstance(obj, float):
        yield path, obj


def output_checks(res, problems: list[str]) -> bytes:
    """Finite tables and summary, coverage bounds; returns the bytes of everything."""
    blob = io.BytesIO()
    for name, table in res.tables().items():
        for col in table.columns:
            values = table[col].to_numpy()
            if values.dtype.kind != "f":
                continue
            bad = ~np.isfinite(values)
            if col.startswith("coverage"):
                empty = (table["population"].to_numpy() == 0) if "population" in table else bad
                if (bad & ~empty).any():
                    problems.append(f"{name}.{col}: null coverage for a group with people")
                ok = values[~bad]
                if ((ok < 0) | (ok > 1 + 1e-12)).any():
                    problems.append(f"{name}.{col}: coverage outside [0, 1]")
            elif bad.any():
                problems.append(f"{name}.{col}: {bad.sum()} non-finite values")
        for col in ("stock_countries", "stock_pool", "in_transit", "stock_producers",
                    "stock"):
            if col in table and (table[col].to_numpy() < 0).any():
                problems.append(f"{name}.{col}: negative stock (min {table[col].min():.3g})")
        table.to_parquet(blob, index=False)
    for path, x in _walk_numbers(res.summary):
        if not math.isfinite(x):
            problems.append(f"summary{path}: {x}")
    text = json.dumps(res.summary, sort_keys=True, default=str)
    return blob.getvalue() + text.encode()


def files_checks(res, problems: list[str]) -> None:
    """Save ``res`` with plots and report into a temporary folder: what a ``vaxsim run`` of
    the scenario writes; a missing file or an error is a violation.
    """
    import tempfile
    from pathlib import Path

    from sim.output.folder import save_results

    with tempfile.TemporaryDirectory() as tmp:
        out = save_results(res, Path(tmp) / "out", plots=True)
        for name in ("summary.json", "groups.parquet", "ledger.parquet", "report.html"):
            if not (out / name).is_file():
                problems.append(f"results folder: no {name}")
        if not any((out / "plots").glob("*.png")):
            problems.append("results folder: no plot")


def check_case(case_seed: int, k: int = 4, det: bool = True, p_set: float = 0.35,
               max_days: int = 120, files: bool = False) -> tuple[int, int, list[str]]:
    """Run and check one case (``files``: also save its results with plots and report).

    Returns
    -------
    (scenarios checked, draws refused by the schema on the way, violations)
    """
    from sim.api import run
    from sim.engine.build.params import build_params
    from sim.engine.run import simulate
    from sim.world.world import build_world

    base, refused = valid_scenario(case_seed, p_set, max_days)
    members = members_of(base, case_seed, k, p_set, max_days)
    rng = np.random.default_rng(case_seed)
    seeds = [int(s) for s in rng.integers(0, 2**63 - 1, size=len(members), dtype=np.int64)]
    problems: list[str] = []
    tag = f"case {case_seed}"
    try:
        world = build_world(base)
        params = build_params(world, members, seeds)
        traj, state = simulate(world, params, base.outputs.country_every_days)
        state_checks(state, problems)
        for e in range(len(members)):
            member_checks(world, params, traj, e, problems)
        e = int(rng.integers(len(members)))
        alone = build_params(world, [members[e]], [seeds[e]])
        traj1, state1 = simulate(world, alone, base.outputs.country_every_days)
        problems += same_member(traj, state, e, traj1, state1, len(members))
        res = run(base)
        first = output_checks(res, problems)
        if files:
            files_checks(res, problems)
        if det:
            again = output_checks(run(base), [])
            if again != first:
                problems.append("same seed, different bytes (tables or summary)")
    except Exception as exc:  # a crash is a violation too, with its scenario
        problems.append(f"crash {type(exc).__name__}: {str(exc)[:300]}")
    return len(members), refused, [f"{tag}: {p}" for p in problems]


__all__ = ["Draw", "check_case", "files_checks", "members_of"]
