"""The epidemic's infections against published serosurveys (``sim/data/serosurveys.csv``).

A serosurvey measures the share of people with antibodies on its dates. The model's
matching share, on the survey's middle day, from its immunity statuses
(:mod:`sim.engine.build.epi_params`):

- ``any``: antibodies from infection or vaccination, all people: one minus the share
  still naive (never infected, never vaccinated);
- ``unvaccinated``: among people never vaccinated, the share ever infected (infection
  statuses over naive plus infection statuses);
- ``anti_n``: ever infected (infection and hybrid statuses, plus people infected now),
  all people. Anti-nucleocapsid antibodies wane, so a survey of them is a lower bound.

Waned immunity still counts as seropositive (the model has no seroreversion). A survey
of part of a country (a province, blood donors) is compared with the whole country; a
survey of the world with the world. These are checks, never calibration targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.data import DATA_DIR
from sim.engine.build.epi_params import STATUSES, STRAIN_STATUSES
from sim.engine.build.params import build_params
from sim.engine.run import Simulation
from sim.scenario.schema import Scenario
from sim.world.world import build_world

SEROSURVEYS = DATA_DIR / "serosurveys.csv"
MEASURES = ("any", "unvaccinated", "anti_n")


def load_serosurveys() -> pd.DataFrame:
    """The shipped serosurveys: scope (ISO3 or ``World``), start, end (Timestamps),
    measure (one of :data:`MEASURES`), value, low, high (shares; NaN where not
    published), population, source; plus ``mid``, the middle day.
    """
    df = pd.read_csv(SEROSURVEYS, comment="#")
    for c in ("start", "end"):
        df[c] = pd.to_datetime(df[c])
    df["mid"] = df["start"] + (df["end"] - df["start"]) / 2
    df["mid"] = df["mid"].dt.normalize()
    return df


@dataclass(frozen=True)
class Serostatus:
    """One member's shares on one day, per country (N,) and for the world (scalar).

    Attributes
    ----------
    any : (N,) share with antibodies from infection or vaccination
    unvaccinated : (N,) share ever infected among the never vaccinated
    anti_n : (N,) share ever infected
    population : (N,) people alive
    """

    any: np.ndarray
    unvaccinated: np.ndarray
    anti_n: np.ndarray
    population: np.ndarray

    def world(self, measure: str) -> float:
        """Population-weighted world share of ``measure``."""
        share = getattr(self, measure)
        if measure == "unvaccinated":  # weight by the unvaccinated, not everyone
            raise ValueError("the world share among the unvaccinated is not defined here")
        return float((share * self.population).sum() / self.population.sum())


def serostatus(S: np.ndarray, Ex: np.ndarray, Ix: np.ndarray) -> Serostatus:
    """Shares of member 0 from its compartments.

    Parameters
    ----------
    S : (E, N, A, K) people not infected by immunity status
    Ex, Ix : (E, N, A, V) latent and infectious people by strain
    """
    s = S[0].sum(axis=1)                                          # (N, K)
    now = Ex[0].sum(axis=(1, 2)) + Ix[0].sum(axis=(1, 2))         # (N,)
    alive = s.sum(axis=1) + now
    first = len(STATUSES)
    per = len(STRAIN_STATUSES)
    strain = s[:, first:].reshape(len(s), -1, per)                # (N, V, 4)
    infection_only = strain[:, :, :2].sum(axis=(1, 2))
    hybrid = strain[:, :, 2:].sum(axis=(1, 2))
    naive = s[:, 0]
    safe = np.maximum(alive, 1e-12)
    return Serostatus(
        any=1.0 - naive / safe,
        unvaccinated=infection_only / np.maximum(naive + infection_only, 1e-12),
        anti_n=(infection_only + hybrid + now) / safe,
        population=alive,
    )


def compare_serosurveys(scenario: Scenario, surveys: pd.DataFrame | None = None
                        ) -> pd.DataFrame:
    """Run ``scenario`` (one member, its seed) to the last survey and set the model's
    share beside each survey.

    Surveys whose middle day falls before the run's start are compared with day 0 (the
    prior immunity data). Returns the survey table with ``model`` added.
    """
    surveys = load_serosurveys() if surveys is None else surveys
    start = pd.Timestamp(scenario.start)
    day = ((surveys["mid"] - start).dt.days).clip(lower=0).to_numpy()
    days = int(day.max()) + 1
    short = scenario.model_copy(update={"days": max(days, 1), "replicates": 1})
    world = build_world(short)
    sim = Simulation.start(world, build_params(world, [short], [short.seed]),
                           country_every=world.days)
    at: dict[int, Serostatus] = {}
    wanted = set(int(d) for d in day)
    while True:
        d = sim.state.day
        if d in wanted:
            epi = sim.state.epi
            if epi is None:
                raise ValueError("serosurveys need the epidemic (epidemic.enabled: true)")
            at[d] = serostatus(epi.S, epi.Ex, epi.Ix)
        if d >= max(wanted) or sim.done:
            break
        sim.step()
    position = {c: i for i, c in enumerate(world.iso3)}
    model = []
    for scope, measure, when in zip(surveys["scope"], surveys["measure"], day, strict=True):
        status = at[int(when)]
        if scope == "World":
            model.append(status.world(measure))
        elif scope in position:
            model.append(float(getattr(status, measure)[position[scope]]))
        else:
            model.append(np.nan)
    return surveys.assign(model=model)
