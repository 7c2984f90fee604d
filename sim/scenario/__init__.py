"""Scenario files: schema, loading (extends, --set) and validation."""

from sim.scenario.loader import ScenarioError, dump_scenario, load_scenario, validate_data
from sim.scenario.schema import Scenario, json_schema

__all__ = ["Scenario", "ScenarioError", "dump_scenario", "json_schema", "load_scenario",
           "validate_data"]
