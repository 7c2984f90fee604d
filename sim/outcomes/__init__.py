"""Outcomes of a run: results tables and the metrics computed from them (coverage,
inequality, deaths, diplomacy). Nothing here writes files or draws.
"""
