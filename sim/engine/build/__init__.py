"""Builders: a scenario and its world turned into the member arrays the day stages read.

``params`` (the batch's :class:`~sim.engine.build.params.Params`), ``diplomacy_params``,
``epi_params``. Builders never import a day stage.
"""
