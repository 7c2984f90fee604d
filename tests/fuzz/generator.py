"""Random valid scenarios over the whole schema, named by a seed.

:func:`scenario_data` walks the pydantic models of :class:`sim.scenario.schema.Scenario`
field by field, so a field added to the schema is fuzzed without touching this file. Each
field is set with probability ``p_set`` (else its default applies) to a value drawn inside
the field's own bounds, edges included (``ge``/``le`` ends, the smallest positive value,
zero): the schema promises the engine stays finite for every accepted value, and the
edges are where it would not. Only what the schema cannot know is special-cased: which
strings are country, group or producer codes, and the size of the world (2-10 countries,
``max_days`` days) so that thousands of scenarios run in minutes.

A seeded numpy generator (not hypothesis) makes every scenario reproducible from its
number: ``python tests/fuzz/run_fuzz.py --first 4711 --scenarios 1`` replays one.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from functools import cache
from typing import Any

import annotated_types as at
import numpy as np
from pydantic import BaseModel

from sim import data
from sim.scenario.schema import GROUP_KEYS, INCOME_GROUPS, Scenario

#: Names that would be paths, links or odd file names if used as such.
NAMES = ("fuzz", "a b", "../../escape", "/tmp/abs", "javascript:alert(1)", "ünïcødé 名前",
         "x" * 100, "CON", ".", "..", "-rf", "a/b\\c", "<script>")
#: Dict-valued fields whose keys are country codes, groups or producer ids, by field name.
COUNTRY_KEYED = {"countries", "capacity_countries", "hesitancy_countries", "overrides",
                 "pairs"}
GROUP_KEYED = {"groups", "hesitancy_groups"}
PRODUCER_KEYED = {"producers", "from_output", "partner_sales"}



@cache
def codes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ISO3 codes, producer ids) of the shipped data."""
    return (tuple(data.countries()["iso3"]), tuple(data.producers()["producer"]))


class Draw:
    """The random choices of one scenario."""

    def __init__(self, seed: int, p_set: float = 0.35, max_days: int = 120) -> None:
        self.rng = np.random.default_rng(seed)
        # Each scenario sets a different share of fields: sparse ones keep defaults, dense
        # ones switch many mechanisms on at once (where they interact).
        self.p_set = float(self.rng.uniform(p_set * 0.5, min(1.0, p_set * 2.5)))
        self.max_days = max_days
        iso3, producers = codes()
        n = int(self.rng.integers(2, 11))
        self.countries = [str(c) for c in self.rng.choice(iso3, n, replace=False)]
        self.producers = list(producers)
        self.start = dt.date(2020, 12, 1) + dt.timedelta(days=int(self.rng.integers(0, 400)))
        self.days = int(self.pick([1, 2, 7, self.max_days,
                                   int(self.rng.integers(1, self.max_days + 1))]))

    # ----------------------------------------------------------------- primitives
    def pick(self, options: list[Any] | tuple[Any, ...]) -> Any:
        """One of ``options``."""
        return options[int(self.rng.integers(len(options)))]

    def number(self, lo: float, hi: float, integer: bool, open_lo: bool = False) -> Any:
        """A value in [lo, hi]: an edge, zero, a tiny or a typical value."""
        if integer:
            lo, hi = int(lo), int(min(hi, 2**63 - 1))
            options = [lo, hi, min(lo + 1, hi), int(self.rng.integers(lo, min(hi, lo + 400) + 1))]
            return int(self.pick(options))
        lo_ok = np.nextafter(lo, np.inf) if open_lo else lo
        options = [lo_ok, hi, float(self.rng.uniform(lo_ok, min(hi, max(lo_ok, 1.0) * 10)))]
        if lo_ok <= 5e-324 <= hi:
            options.append(5e-324)
        if lo_ok > 0 and np.log(hi) - np.log(lo_ok) > np.log(100):  # log-uniform
            options.append(float(np.exp(self.rng.uniform(np.log(lo_ok), np.log(hi)))))
        if lo_ok <= 0.0 <= hi:
            options.append(0.0)
        return float(self.pick(options))

    def date(self) -> dt.date:
        """A date around the run."""
        return self.start + dt.timedelta(days=int(self.rng.integers(-40, self.days + 40)))

    def code(self) -> str:
        """A country code or a group."""
        return str(self.pick(self.countries if self.rng.random() < 0.8 else GROUP_KEYS))

    # ----------------------------------------------------------------- schema walk
    def model(self, cls: type[BaseModel], path: tuple[str, ...] = ()) -> dict[str, Any]:
        """Some fields of ``cls``, each set with probability ``p_set``."""
        out: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            if name == "extends" or self.rng.random() > self.p_set:
                continue
            out[name] = self.value(field.annotation, field.metadata, (*path, name))
        return out

    def value(self, annotation: Any, metadata: list[Any], path: tuple[str, ...]) -> Any:
        """A value for a field of type ``annotation`` at ``path``."""
        name = path[-1] if path else ""
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            inner, *meta = typing.get_args(annotation)
            return self.value(inner, [*metadata, *meta], path)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) < len(typing.get_args(annotation)) and self.rng.random() < 0.2:
                return None
            if name == "include":
                return self.include()
            return self.value(self.pick(options), metadata, path)
        if origin is typing.Literal:
            return self.pick(typing.get_args(annotation))
        if path[-2:] == ("products", "mix"):  # producer -> product -> share
            return {str(self.pick(self.producers)): {self.text("product"): self.number(
                0.0, 1.0, False, open_lo=True)} for _ in range(int(self.rng.integers(0, 3)))}
        if path[-2:] == ("products", "accepted"):  # group or country -> products
            return {str(self.pick((*INCOME_GROUPS, *self.countries))):
                    [self.text("product") for _ in range(int(self.rng.integers(0, 3)))]
                    + (["all"] if self.rng.random() < 0.3 else [])
                    for _ in range(int(self.rng.integers(0, 3)))}
        if origin is dict:
            key_t, value_t = typing.get_args(annotation)
            return {self.key(key_t, name): self.value(value_t, [], (*path, "*"))
                    for _ in range(int(self.rng.integers(0, 4)))}
        if origin is list:
            (item_t,) = typing.get_args(annotation)
            if name == "countries" or name in ("include", "exclude"):
                return [self.code() for _ in range(int(self.rng.integers(1, 4)))]
            return [self.value(item_t, [], (*path, "*"))
                    for _ in range(int(self.rng.integers(0, 3)))]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = self.model(annotation, path)
            # Required fields (no default) are always given.
            for fname, field in annotation.model_fields.items():
                if field.is_required() and fname not in fields:
                    fields[fname] = self.value(field.annotation, field.metadata, (*path, fname))
            return fields
        if annotation is bool:
            return bool(self.rng.random() < 0.5)
        if annotation in (int, float):
            return self.bounded(annotation is int, metadata, path)
        if annotation is dt.date:
            return self.date()
        if annotation is str:
            return self.text(name)
        raise TypeError(f"no generator for {annotation!r} at {'.'.join(path)}")

    def bounded(self, integer: bool, metadata: list[Any], path: tuple[str, ...]) -> Any:
        """A number inside the field's bounds."""
        lo, hi, open_lo = -1e6, 1e6, False
        for m in metadata:
            for c in getattr(m, "metadata", [m]):
                if isinstance(c, at.Ge):
                    lo = c.ge
                elif isinstance(c, at.Gt):
                    lo, open_lo = c.gt, True
                elif isinstance(c, at.Le):
                    hi = c.le
                elif isinstance(c, at.Lt):
                    hi = c.lt
        name = path[-1]
        if path == ("days",):
            return self.days
        if path == ("replicates",):
            return int(self.rng.integers(1, 4))
        if integer and name.endswith("_days") and hi > self.days * 4:
            hi = max(lo, self.days * 4)  # long lags only stretch runtime (ring sizes)
        return self.number(lo, hi, integer, open_lo)

    def key(self, key_t: Any, field: str) -> str:
        """A dict key for ``field``."""
        if typing.get_origin(key_t) is typing.Literal:
            return str(self.pick(typing.get_args(key_t)))
        if field in PRODUCER_KEYED:
            return str(self.pick(self.producers))
        if field in GROUP_KEYED:
            return str(self.pick(GROUP_KEYS))
        if field in COUNTRY_KEYED or field == "*":
            return str(self.pick(self.countries))
        return str(self.pick(self.countries))

    def text(self, field: str) -> str:
        """A string for ``field``."""
        if field in ("licensor", "producer", "supplier"):
            return str(self.pick(self.producers))
        if field in ("licensee", "buyer"):
            return str(self.pick(self.countries))
        if field == "product":  # a contract's or licence's vaccine
            return str(self.pick(sorted(data.codes("products.csv", "product"))))
        return str(self.pick(NAMES))

    def include(self) -> list[str]:
        """The world: the drawn countries (the generator's world size stays small)."""
        return list(self.countries)


def repair(node: Any) -> Any:
    """Make the cross-field rules the schema states hold: date ranges in order, efficacy
    against death at least that against infection."""
    if isinstance(node, list):
        return [repair(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: repair(v) for k, v in node.items()}
    if isinstance(out.get("start"), dt.date) and isinstance(out.get("end"), dt.date) \
            and out["end"] < out["start"]:
        out["start"], out["end"] = out["end"], out["start"]
    if isinstance(out.get("death"), float) and isinstance(out.get("infection"), float):
        out["death"] = max(out["death"], out["infection"])  # immunity: {infection, death}
    for k in list(out):
        if k.endswith("_death") and isinstance(out[k], float):
            inf = out.get(k.replace("_death", "_infection"))
            if isinstance(inf, float):
                out[k] = max(out[k], inf)
    return out


def scenario_data(seed: int, p_set: float = 0.35, max_days: int = 120) -> dict[str, Any]:
    """The raw data of random scenario number ``seed`` (may still fail cross-field checks,
    such as a date range given backwards: :func:`valid_scenario` retries)."""
    d = Draw(seed, p_set, max_days)
    out = d.model(Scenario)
    out["name"] = d.pick(NAMES)
    out["start"] = d.start
    out["days"] = d.days
    out["replicates"] = int(d.rng.integers(1, 4))
    countries = dict(out.get("countries") or {})
    countries["include"] = d.include()
    # Exclusions never empty the world (that is a refused scenario, tested elsewhere).
    countries["exclude"] = [c for c in countries.get("exclude", []) if c in d.countries[1:]]
    out["countries"] = countries
    outputs = dict(out.get("outputs") or {})
    outputs["plots"] = False
    out["outputs"] = outputs
    if "donation" in out:  # only producers based in one country give from output
        gifts = out["donation"].get("from_output", {})
        iso3 = set(codes()[0])
        out["donation"]["from_output"] = {k: v for k, v in gifts.items() if k in iso3}
    # A country's own contracts name their buyer; the pool's never do (the pool buys).
    out["contracts"] = [{**c, "buyer": c.get("buyer") or d.pick(d.countries)}
                        for c in out.get("contracts") or []]
    pool = out.get("pool")
    if isinstance(pool, dict) and pool.get("contracts"):
        pool["contracts"] = [{k: v for k, v in c.items() if k != "buyer"}
                             for c in pool["contracts"]]
    epidemic = out.get("epidemic")
    if isinstance(epidemic, dict) and "efficacy" in epidemic:
        from sim.scenario.epidemic import Efficacy

        epidemic["efficacy"] = {**Efficacy().model_dump(), **epidemic["efficacy"]}
    return repair(out)


def valid_scenario(seed: int, p_set: float = 0.35, max_days: int = 120,
                   tries: int = 20) -> tuple[Scenario, int]:
    """The first valid scenario drawn from ``seed``, ``seed`` + 1e9, …; and the number of
    draws the schema refused on the way (a rejection rate that grows means the generator
    no longer matches the schema)."""
    from sim.scenario.loader import ScenarioError, validate_data

    for k in range(tries):
        raw = scenario_data(seed + k * 1_000_000_007, p_set, max_days)
        try:
            return validate_data(raw, source=f"fuzz#{seed}"), k
        except ScenarioError:
            continue
    raise RuntimeError(f"fuzz#{seed}: no valid scenario in {tries} draws")
