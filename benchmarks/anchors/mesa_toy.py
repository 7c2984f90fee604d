"""The plain-Mesa toy: the anchor workload (:mod:`benchmarks.anchors.workload`) written the
way a per-agent Mesa model usually is: one ``Country`` agent per country holding plain
floats, a ``step()`` per agent per day, the market done by the model over its agents, and
a ``DataCollector`` with world reporters.

It is the baseline vaxsim's single runs are measured against (the same session, the same
number of countries and days).

Run: ``python -m benchmarks.anchors.mesa_toy [countries] [days]``.
"""

from __future__ import annotations

import math
import sys
import time

import mesa

from benchmarks.anchors import workload as w


class Country(mesa.Agent):
    """One country: its orders, pipeline, stock, vaccinations and SEIR compartments."""

    def __init__(self, model: ToyModel, population: float) -> None:
        super().__init__(model)
        self.pop = population
        self.willing = w.WILLING * population
        self.orders = 2.0 * self.willing
        self.capacity = w.CAPACITY * population
        self.ring = [0.0] * w.LAG
        self.stock = 0.0
        self.first = 0.0
        self.I = w.SEED_SHARE * population
        self.S = population - self.I
        self.E = self.R = self.V = self.D = 0.0

    def receive(self, fill: float, slot: int) -> None:
        """Take today's allocation (``fill`` × orders) and land what was sent LAG days ago."""
        alloc = self.orders * fill
        self.orders -= alloc
        self.stock += self.ring[slot]
        self.ring[slot] = alloc

    def step(self) -> None:
        """Vaccinate, then one SEIR day."""
        m = self.model
        give = min(min(self.stock, self.capacity), max(self.willing - self.first, 0.0))
        self.stock -= give
        vacc_s = give * self.S / max(self.pop - self.first, 1.0)
        self.first += give
        lam = m.beta * ((1 - w.IMPORT) * self.I / self.pop + w.IMPORT * m.global_i / m.total_pop)
        p = 1.0 - math.exp(-lam)
        inf_s, inf_v = self.S * p, self.V * p * (1 - w.VE)
        lat, rec = self.E * m.sigma, self.I * m.gamma
        self.S -= inf_s + vacc_s
        self.V += vacc_s - inf_v
        self.E += inf_s + inf_v - lat
        self.I += lat - rec
        self.R += rec * (1 - w.IFR)
        self.D += rec * w.IFR


class ToyModel(mesa.Model):
    """The anchor workload as a per-agent Mesa model."""

    def __init__(self, n_countries: int = 200, days: int = 730, rng: int | None = 0) -> None:
        super().__init__(rng=rng)
        self.days, self.t = days, 0
        self.beta, self.sigma, self.gamma = w.R0 / w.INFECTIOUS, 1 / w.LATENT, 1 / w.INFECTIOUS
        for pop in w.populations(n_countries):
            Country(self, float(pop))
        self.total_pop = sum(a.pop for a in self.agents)
        self.global_i = 0.0
        self.datacollector = mesa.DataCollector(model_reporters={
            "first": lambda m: sum(a.first for a in m.agents),
            "deaths": lambda m: sum(a.D for a in m.agents)})

    def step(self) -> None:
        """One day: market, then every country's step, then the reporters."""
        demand = sum(a.orders for a in self.agents)
        fill = min(1.0, w.OUTPUT_PER_DAY / max(demand, 1e-300))
        slot = self.t % w.LAG
        for a in self.agents:
            a.receive(fill, slot)
        self.global_i = sum(a.I for a in self.agents)
        self.agents.do("step")
        self.datacollector.collect(self)
        self.t += 1
        self.running = self.t < self.days


def run(n_countries: int = 200, days: int = 730) -> ToyModel:
    """Run the toy to the end and return the model (reporters in its data collector)."""
    model = ToyModel(n_countries, days)
    while model.running and model.t < days:
        model.step()
    return model


def main(argv: list[str]) -> None:
    """Time one run and print country-days per second."""
    countries, days = (int(a) for a in (argv + ["200", "730"][len(argv):]))
    t0 = time.perf_counter()
    run(countries, days)
    dt = time.perf_counter() - t0
    print(f"plain-Mesa toy: N={countries} D={days}: {dt:.3f} s, "
          f"{countries * days / dt / 1e6:.2f} M country-days/s")


if __name__ == "__main__":
    main(sys.argv[1:])
