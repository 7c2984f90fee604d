"""When each variant took over, against observation (``sim/data/variant_dominance.csv``).

A variant is *dominant* in a country from the first day it makes up more than half of
the country's current infections (latent and infectious people,
:class:`sim.engine.epi_model.EpiState` ``Ex`` and ``Ix``), the model's reading of "most
sequenced cases" or "most S-gene target failures". These are checks, never calibration
targets: nothing is fitted to them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.data import DATA_DIR
from sim.engine.build.params import build_params
from sim.engine.run import Simulation
from sim.scenario.schema import Scenario
from sim.world.world import build_world

DOMINANCE = DATA_DIR / "variant_dominance.csv"


def load_dominance() -> pd.DataFrame:
    """The shipped observations: scope (ISO3), variant (a scheduled variant's name),
    date (Timestamp: the variant's first day above half of infections), source.
    """
    df = pd.read_csv(DOMINANCE, comment="#")
    df["date"] = pd.to_datetime(df["date"])
    return df


def strain_shares(Ex: np.ndarray, Ix: np.ndarray) -> np.ndarray:
    """(N, V) share of each country's current infections by strain, member 0.

    Ex, Ix : (E, N, A, V) latent and infectious people by strain.
    """
    now = (Ex[0] + Ix[0]).sum(axis=1)                                  # (N, V)
    return now / np.maximum(now.sum(axis=1, keepdims=True), 1e-12)


def dominance_dates(scenario: Scenario, variant: str, until: dt.date
                    ) -> dict[str, dt.date | None]:
    """Run ``scenario`` (one member, its seed) to ``until`` and return, per country
    (ISO3), the first day ``variant`` made up over half of its infections (``None``:
    not by ``until``).
    """
    names = [v.name for v in scenario.epidemic.variants]
    if variant not in names:
        raise ValueError(f"no scheduled variant {variant!r} (have {names})")
    strain = 1 + names.index(variant)
    days = (until - scenario.start).days + 1
    short = scenario.model_copy(update={"days": max(days, 1), "replicates": 1})
    world = build_world(short)
    sim = Simulation.start(world, build_params(world, [short], [short.seed]),
                           country_every=world.days)
    first = np.full(world.n_countries, -1)
    while not sim.done:
        day = sim.state.day
        sim.step()
        epi = sim.state.epi
        if epi is None:
            raise ValueError("dominance needs the epidemic (epidemic.enabled: true)")
        over = (strain_shares(epi.Ex, epi.Ix)[:, strain] > 0.5) & (first < 0)
        first[over] = day
    return {str(c): (scenario.start + dt.timedelta(days=int(d)) if d >= 0 else None)
            for c, d in zip(world.iso3, first, strict=True)}


def compare_dominance(scenario: Scenario, observed: pd.DataFrame | None = None
                      ) -> pd.DataFrame:
    """The observations with the model's date beside each (``model``: Timestamp or NaT)
    and ``days_late`` (model minus observed; NaN where the model never got there).
    Runs to 60 days after the last observation, once per variant.
    """
    observed = load_dominance() if observed is None else observed
    until = (observed["date"].max() + pd.Timedelta(days=60)).date()
    model = {v: dominance_dates(scenario, v, until) for v in observed["variant"].unique()}
    dates = pd.to_datetime([model[v].get(c) for v, c in
                            zip(observed["variant"], observed["scope"], strict=True)])
    out = observed.assign(model=dates)
    return out.assign(days_late=(out["model"] - out["date"]).dt.days)
