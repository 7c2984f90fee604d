"""Vaccine products as arrays: what each producer, contract and licence delivers, and how
well each product's course protects against each strain (:mod:`sim.engine.products` uses
them).

Shapes: E members, P producers, Q products, K contracts and C licences (padded as in
:mod:`sim.engine.build.contract_params` and :mod:`sim.engine.build.diplomacy_params`),
V strain slots of the epidemic, G = 3 variant classes (ancestral/Alpha, Delta, Omicron).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim import data
from sim.scenario.products import OTHER, product_index
from sim.scenario.schema import INCOME_GROUPS, Scenario
from sim.world.tables import columns
from sim.world.world import World

#: Variant classes with their own column in products.csv, and the name that marks a
#: scheduled variant as one of them (case-insensitive substring).
VARIANT_CLASSES = ("ancestral", "delta", "omicron")


@dataclass(frozen=True)
class ProductParams:
    """Per-batch product arrays.

    Attributes
    ----------
    names : (Q,) product names (products.csv order)
    course : (Q,) doses in a full course (1 or 2)
    bucket : (Q,) int shelf-life bucket a product's bought doses land in (its shelf life
        from products.csv in buckets, at most the batch's B - 1)
    protection : (2, Q, G) protection of a course against [infection, death] by variant class
    producer_mix : (E, P, Q) share of each producer's output by product, in physical doses
        (rows sum to 1)
    output_factor : (E, P) physical doses per dose of ``production.csv``, which counts a
        one-dose product's dose twice (two-dose equivalents): 1 minus half the one-dose
        products' share of the counted output; 1 for members that do not track products
    contract_product : (E, K) int product a contract delivers, -1: its supplier's mix
    licence_product : (E, C) int product a licence fills, -1: its licensor's mix
    strain_class : (E, V) int variant class of each strain slot, -1: none (protection is
        the ancestral class's times one minus the strain's escape)
    accept : (E, N, Q) bool, products a country takes from the world market
    enabled : (E,) bool members that track products
    refresh_days : (E,) int days between updates of the epidemic's vaccine protection
    """

    names: np.ndarray
    course: np.ndarray
    bucket: np.ndarray
    protection: np.ndarray
    producer_mix: np.ndarray
    output_factor: np.ndarray
    contract_product: np.ndarray
    licence_product: np.ndarray
    strain_class: np.ndarray
    accept: np.ndarray
    enabled: np.ndarray
    refresh_days: np.ndarray

    @property
    def n_products(self) -> int:
        """Q."""
        return len(self.names)


def _strain_classes(s: Scenario, V: int) -> list[int]:
    """Variant class of each strain slot: the ancestral strain, then scheduled variants by
    name (Alpha counts as ancestral: LB21 measured it so), emergent slots -1.
    """
    out = [0]
    for v in s.epidemic.variants:
        name = v.name.lower()
        out.append(next((g for g, c in enumerate(VARIANT_CLASSES) if c in name),
                        0 if "alpha" in name else OTHER))
    return (out + [OTHER] * V)[:V]


def _producer_mix(world: World, s: Scenario, names: np.ndarray) -> np.ndarray:
    """(P, Q) output shares of one member: its ``products.mix``, else product_mix.csv (a
    member that does not track products: every product alike where neither has a row).
    """
    rows: dict[str, dict[str, float]] = {}
    shipped = columns("product_mix.csv")
    for producer, product, share in zip(shipped["producer"].tolist(),
                                        shipped["product"].tolist(),
                                        shipped["share"].tolist(), strict=True):
        rows.setdefault(producer, {})[product] = share
    rows.update({p: dict(m) for p, m in s.products.mix.items()})
    mix = np.zeros((world.n_producers, len(names)))
    for i, p in enumerate(world.producers):
        for text, share in rows.get(str(p), {}).items():
            q = product_index(names, text)
            if q < 0:
                raise ValueError(f"products.mix.{p}: unknown product {text!r} (products: "
                                 f"{', '.join(names)})")
            mix[i, q] += share
        if mix[i].sum() <= 0:
            if s.products.enabled:
                raise ValueError(f"producer {p} has no product mix: give products.mix.{p}")
            mix[i] = 1.0
    return mix / mix.sum(axis=1, keepdims=True)


def _accepted(world: World, s: Scenario, names: np.ndarray) -> np.ndarray:
    """(N, Q) bool: products each country takes from the world market (``accepted``)."""
    out = np.ones((world.n_countries, len(names)), dtype=bool)
    where = world.position
    groups = sorted(s.products.accepted.items(), key=lambda kv: kv[0] in where)
    for key, products in groups:  # income groups first, then countries
        rows = world.iso3 == key if key in where else world.income_group == key
        if key not in INCOME_GROUPS and key not in data.codes("countries.csv", "iso3"):
            raise ValueError(f"products.accepted.{key}: not an income group or a country")
        ok = np.zeros(len(names), dtype=bool)
        for text in products:
            if text.strip().lower() == "all":
                ok[:] = True
                continue
            q = product_index(names, text)
            if q < 0:
                raise ValueError(f"products.accepted.{key}: unknown product {text!r}")
            ok[q] = True
        out[rows] = ok
    return out


def longest_shelf_life() -> int:
    """Days of the longest shelf life in products.csv (the buckets a tracking batch needs)."""
    return int(columns("products.csv")["shelf_life_days"].max())


def build_products(world: World, scenarios: Sequence[Scenario], n_contracts: int,
                   n_licences: int, n_strains: int, buckets: int,
                   bucket_days: int) -> ProductParams | None:
    """Product arrays of a batch, or None when no member tracks products; ``buckets``
    shelf-life buckets of ``bucket_days`` days each.
    """
    if not any(s.products.enabled for s in scenarios):
        return None
    table = columns("products.csv")
    shelf = table["shelf_life_days"].astype(int)
    bucket = np.clip(-(-shelf // bucket_days), 1, buckets) - 1
    names = np.array(table["product"].tolist(), dtype=object)
    prot = np.zeros((2, len(names), 3))
    prot[0] = np.stack([table[c] for c in ("efficacy_infection", "infection_delta",
                                           "infection_omicron")], axis=1)
    prot[1] = np.stack([table[c] for c in ("efficacy_death", "death_delta",
                                           "death_omicron")], axis=1)
    counted = np.stack([_producer_mix(world, s, names) for s in scenarios])    # (E, P, Q)
    course = table["doses_per_course"].copy()
    # production.csv (and so product_mix.csv and products.mix) counts a one-dose
    # product's dose twice; a dose of it is one course here, so count it once.
    physical = counted * (course / 2.0)
    factor = physical.sum(axis=2)                                              # (E, P)
    mix = physical / factor[..., None]
    enabled = np.array([s.products.enabled for s in scenarios])
    E = len(scenarios)
    contract = np.full((E, n_contracts), OTHER)
    licence = np.full((E, n_licences), OTHER)
    strain = np.full((E, n_strains), OTHER)
    accept = np.ones((E, world.n_countries, len(names)), dtype=bool)
    iso3 = world.position
    for e, s in enumerate(scenarios):
        # The same order as sim.engine.build.contract_params.contract_arrays.
        texts = [c.product for c in s.pool.contracts if s.pool.enabled]
        texts += [c.product for c in s.contracts if c.buyer in iso3]
        contract[e, :len(texts)] = [product_index(names, x) for x in texts]
        lic = [x.product for x in s.licences if x.licensee in iso3]
        licence[e, :len(lic)] = [product_index(names, x) for x in lic]
        strain[e] = _strain_classes(s, n_strains)
        accept[e] = _accepted(world, s, names)
    return ProductParams(
        names=names, course=course, bucket=bucket, protection=prot, producer_mix=mix,
        output_factor=np.where(enabled[:, None], factor, 1.0), contract_product=contract,
        licence_product=licence, strain_class=strain, accept=accept,
        enabled=enabled,
        refresh_days=np.array([s.products.refresh_days for s in scenarios]))
