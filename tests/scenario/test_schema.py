"""The JSON schema command and the schema's defaults."""

import json

from sim.cli.main import main
from sim.scenario.schema import INCOME_GROUPS, Scenario


def test_schema_command_prints_json(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "uptake" in schema["properties"] and schema["additionalProperties"] is False


def test_capacity_defaults_cover_every_group():
    s = Scenario.model_validate({"name": "x", "uptake": {"capacity": {"LIC": {
        "start": 0.0, "end": 0.001}}}})
    assert set(s.uptake.capacity) == set(INCOME_GROUPS)
    assert s.uptake.capacity["LIC"].end == 0.001
