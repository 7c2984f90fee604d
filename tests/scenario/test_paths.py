"""Dotted scenario paths: one module reads, sets and checks them for --set, sweeps and
calibration."""

from sim.scenario.paths import (
    FIXED_KEYS,
    check_path,
    field_types,
    get_key,
    is_integer,
    set_key,
    with_values,
)


def test_get_set_and_with_values():
    data = {"uptake": {"capacity": {"LIC": {"end": 0.01}}}}
    assert get_key(data, ["uptake", "capacity", "LIC", "end"]) == 0.01
    assert get_key(data, ["uptake", "nope", "x"]) is None
    new = with_values(data, {"uptake.capacity.LIC.end": 0.02, "procurement.default.multiple": 2})
    assert data["uptake"]["capacity"]["LIC"]["end"] == 0.01          # the input is untouched
    assert new["uptake"]["capacity"]["LIC"]["end"] == 0.02
    assert new["procurement"] == {"default": {"multiple": 2}}
    set_key(data, ["uptake", "capacity"], 1)
    assert data["uptake"]["capacity"] == 1


def test_check_path_says_why_with_the_purpose():
    assert check_path("uptake.capacity.LIC.end", "swept") is None
    assert "did you mean 'LIC'" in check_path("uptake.capacity.LlC.end")
    assert check_path("days", "fitted").startswith("'days' cannot be fitted")
    assert all(check_path(f"{k}.x").startswith(f"'{k}'") for k in FIXED_KEYS)
    assert check_path("export.default.policy") is None                 # a choice
    assert "not a number" in check_path("export.default.policy", choices=False)
    assert "empty part" in check_path("uptake..end")


def test_field_types():
    assert is_integer("procurement.groups.HIC.priority")
    assert not is_integer("procurement.groups.HIC.multiple")
    types, err = field_types(("uptake", "hesitancy"))
    assert float in types and err is None
