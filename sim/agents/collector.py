"""A ``mesa.DataCollector`` whose agent reporters read the engine's arrays whole.

Mesa's own collector calls every agent reporter on every agent every step: for 200
countries and 11 reporters over 730 days that is 1.6 million Python calls, several times
the cost of the simulation. Here an agent reporter is a function of the *model* returning
one (N,) array (one value per country, in agent order); a step stores those arrays, and
Mesa's per-agent rows are built only when asked for: by
:meth:`ArrayCollector.get_agent_vars_dataframe` (index ``Step``, ``AgentID``) or by
``mesa.batch_run`` reading one step's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd

ArrayReporter = Callable[[Any], np.ndarray]


class _RowsByStep(Mapping):
    """Mesa's ``_agent_records`` (step -> list of (step, agent id, values...)) made on
    demand from the stored arrays; writes are ignored (the arrays are the record).
    """

    def __init__(self, collector: ArrayCollector) -> None:
        self.c = collector

    def __getitem__(self, step: float) -> list[tuple]:
        i = self.c._steps.index(step)
        columns = [self.c._columns[name][i].tolist() for name in self.c.agent_reporters]
        return [(step, int(a), *values) for a, *values
                in zip(self.c.agent_ids, *columns, strict=True)]

    def __iter__(self) -> Iterator[float]:
        return iter(self.c._steps)

    def __len__(self) -> int:
        return len(self.c._steps)

    def __setitem__(self, step: float, rows: Any) -> None:
        pass


class ArrayCollector(mesa.DataCollector):
    """Model reporters as in Mesa; agent reporters as whole-array reads.

    Parameters
    ----------
    model_reporters : Mesa model reporters (name -> function of the model)
    agent_arrays : name -> function of the model returning an (N,) array, one value per
        agent in ``agent_ids`` order
    agent_ids : (N,) the agents' ``unique_id`` in array order
    """

    def __init__(self, model_reporters: Mapping[str, Callable] | None = None,
                 agent_arrays: Mapping[str, ArrayReporter] | None = None,
                 agent_ids: np.ndarray | None = None) -> None:
        super().__init__(model_reporters=dict(model_reporters or {}))
        self.agent_reporters = dict(agent_arrays or {})
        self.agent_ids = np.asarray(agent_ids if agent_ids is not None else [])
        self._steps: list[float] = []
        self._columns: dict[str, list[np.ndarray]] = {k: [] for k in self.agent_reporters}

    @property
    def _agent_records(self) -> _RowsByStep:
        return _RowsByStep(self)

    @_agent_records.setter
    def _agent_records(self, value: Any) -> None:
        pass  # Mesa's constructor sets an empty dict; the arrays are the record

    def _record_agents(self, model: mesa.Model) -> tuple:
        """Store a copy of every agent array for this step (Mesa calls this in collect)."""
        self._steps.append(model.time)
        for name, read in self.agent_reporters.items():
            self._columns[name].append(np.array(read(model), copy=True))
        return ()

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """Mesa's agent table: index (``Step``, ``AgentID``), one column per reporter."""
        if not self.agent_reporters:
            raise UserWarning("No agent reporters have been defined in the DataCollector, "
                              "returning empty DataFrame.")
        N = len(self.agent_ids)
        index = pd.MultiIndex.from_arrays(
            [np.repeat(np.asarray(self._steps), N), np.tile(self.agent_ids, len(self._steps))],
            names=["Step", "AgentID"])
        data = {name: np.concatenate(parts) if parts else np.zeros(0)
                for name, parts in self._columns.items()}
        return pd.DataFrame(data, index=index)
