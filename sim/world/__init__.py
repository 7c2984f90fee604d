"""The world: shipped data read into static arrays (countries, producers, affinity).

Layer: imports only ``sim.scenario`` and ``sim.data``.
"""
