"""The Mesa layer: country agents and a Mesa model over the vectorized engine.

:class:`VaccineDiplomacyModel` is a ``mesa.Model`` that runs one member of the engine
(E = 1) a day per ``step()``; each :class:`Country` is a ``mesa.Agent`` whose attributes
read the engine's arrays. Mesa's tools work on it: ``model.agents`` (select, groupby,
agg), the ``DataCollector``, ``mesa.batch_run`` and SolaraViz (``vaxsim viz``).

Examples
--------
>>> from sim.agents import VaccineDiplomacyModel
>>> model = VaccineDiplomacyModel("scenarios/baseline.yaml", rng=1, days=30)  # doctest: +SKIP
>>> for _ in range(30):                                                       # doctest: +SKIP
...     model.step()
>>> model.agents.groupby("income_group").agg("coverage", max)               # doctest: +SKIP
"""

from sim.agents.country import Country
from sim.agents.model import VaccineDiplomacyModel

__all__ = ["Country", "VaccineDiplomacyModel"]
