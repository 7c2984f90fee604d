"""Scenario loading: extends, --set, and one clear line for every kind of error."""

import re

import pytest
from worlds import SCENARIOS

from sim.cli.main import main
from sim.scenario import ScenarioError, dump_scenario, load_scenario
from sim.scenario.loader import deep_merge


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(path, sets=()):
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, sets)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_shipped_scenarios_load():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        s = load_scenario(path)
        assert s.name and s.days > 0


def test_extends_deep_merges(tmp_path):
    write(tmp_path, "base.yaml", "name: base\ndays: 100\nuptake:\n  hesitancy: 0.2\n"
          "  delivery_lag_days: 10\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\n"
                  "uptake:\n  hesitancy: 0.3\n")
    s = load_scenario(child)
    assert (s.name, s.days, s.uptake.hesitancy, s.uptake.delivery_lag_days) == \
        ("child", 100, 0.3, 10)


def test_nationalism_extends_baseline():
    base = load_scenario(SCENARIOS / "baseline.yaml")
    nat = load_scenario(SCENARIOS / "nationalism.yaml")
    assert nat.days == base.days and nat.start == base.start
    assert nat.export.default.policy == "domestic_first"
    assert base.pool.enabled and not nat.pool.enabled
    # Everything nationalism does not say is the baseline's, e.g. what rich countries order.
    assert nat.procurement == base.procurement and nat.uptake == base.uptake


def test_deep_merge_replaces_lists_and_scalars():
    assert deep_merge({"a": {"b": 1, "c": [1, 2]}}, {"a": {"c": [3]}}) == {"a": {"b": 1, "c": [3]}}


def test_set_overrides_any_field(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\n")
    s = load_scenario(path, ["days=30", "uptake.hesitancy=0.4",
                             "export.producers.IND.policy=ban", "countries.include=[FRA, DEU]"])
    assert s.days == 30 and s.uptake.hesitancy == 0.4
    assert s.export.producers["IND"].policy == "ban"
    assert s.countries.include == ["FRA", "DEU"]


def test_resolved_scenario_round_trips(tmp_path):
    s = load_scenario(SCENARIOS / "nationalism.yaml")
    again = load_scenario(write(tmp_path, "resolved.yaml", dump_scenario(s)))
    assert again == s


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_resolved_scenario_text_is_pyyamls_safe_dump(name):
    """libyaml's writer (when PyYAML has it) gives the text PyYAML's own safe writer gives."""
    import yaml

    s = load_scenario(SCENARIOS / name)
    data = s.model_dump(mode="json", exclude={"extends"})
    assert dump_scenario(s) == yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.mark.parametrize("text, expect", [
    ("name: x\nuptake:\n  hesitancyy: 0.2\n",
     r":3: uptake\.hesitancyy: unknown key 'hesitancyy' \(did you mean 'hesitancy'\?\)"),
    ("name: x\ndays: many\n", r":2: days: .*integer.*'many'"),
    ("name: x\ncountries:\n  overrides:\n    FRA:\n      population: -5\n",
     r":5: countries\.overrides\.FRA\.population: .*greater than or equal to 1"),
    ("name: x\nstart: 2021-13-45\n", r":2: start: .*date"),
    ("name: x\nseed: !!python/object:os.system {}\n", r":2: unsupported YAML tag"),
    ("name: x\ndays: [1,\n", r":\d+: invalid YAML"),
    ("name: x\nprocurement:\n  countries:\n    FRAA: {priority: 0}\n",
     r":4: procurement\.countries\.FRAA: unknown country 'FRAA' \(did you mean 'FRA'\?\)"),
    ("name: x\nexport:\n  producers:\n    IND: {policy: bann}\n",
     r":4: export\.producers\.IND\.policy: .*'open', 'domestic_first' or 'ban'"),
    ("name: x\nexport:\n  producers:\n    IND: {policy: ban, start: 2021-05-01, end: 2021-04-01}\n",
     r":4: export\.producers\.IND: .*end is before start"),
    ("name: x\nproducts:\n  accepted:\n    HIC: [Pfizer BioNTech Comirnaty, all]\n",
     r":4: products\.accepted\.HIC\[0\]: unknown product 'Pfizer BioNTech Comirnaty' "
     r"\(did you mean 'Pfizer-BioNTech Comirnaty'\?\)"),
    ("name: x\nproducts:\n  mix:\n    CHN: {Sinovac CoronaVac: 0.5, Sputnik: 0.5}\n",
     r":4: products\.mix\.CHN\.Sputnik: unknown product 'Sputnik'"),
    ("name: x\nproducts:\n  mix:\n    CHNN: {Sinovac CoronaVac: 1}\n",
     r":4: products\.mix\.CHNN: unknown producer 'CHNN'"),
    ("name: x\nepidemic:\n  variants:\n    - {name: O, origin: ZAF, start: 2021-11-01,\n"
     "       transmissibility: 2, generation: 0}\n",
     r":5: epidemic\.variants\[0\]\.generation: .*greater than or equal to 0.05"),
    ("name: x\nepidemic:\n  variants:\n    - {name: O, origin: ZAF, start: 2021-11-01,\n"
     "       transmissibility: 2, generation: 3.5}\n",
     r":5: epidemic\.variants\[0\]\.generation: .*less than or equal to 3"),
    ("extends: nowhere.yaml\n", r":1: extends: no such file"),
    ("- just\n- a list\n", r":1: a scenario file must be a mapping"),
])
def test_errors_name_file_line_and_key(tmp_path, text, expect):
    path = write(tmp_path, "bad.yaml", text)
    msg = error_of(path)
    assert msg.startswith(str(path))
    assert re.search(expect, msg), msg


def test_extends_cycle_is_an_error(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path, "b.yaml", "extends: a.yaml\n")
    assert "cycle" in error_of(b)


def test_error_in_parent_names_the_parent(tmp_path):
    parent = write(tmp_path, "parent.yaml", "name: p\ndays: -3\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nname: c\n")
    assert error_of(child).startswith(f"{parent}:2: days")


def test_set_errors_name_the_override(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\n")
    msg = error_of(path, ["uptake.hesitancy=2"])
    assert msg.startswith("--set uptake.hesitancy=2: uptake.hesitancy")


@pytest.mark.parametrize("text", [
    "name: x\nuptake:\n  hesitancyy: 0.2\n",
    "name: x\ndays: many\n",
    "name: x\ncountries:\n  overrides:\n    FRA:\n      population: -5\n",
    "name: x\nstart: 2021-02-30\n",
    "name: x\nseed: !!python/object/apply:os.system ['true']\n",
])
def test_validate_command_prints_one_line_and_exits_2(tmp_path, capsys, text):
    path = write(tmp_path, "bad.yaml", text)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"vaxsim: error: {path}:")


def test_validate_ok(capsys):
    assert main(["validate", str(SCENARIOS / "baseline.yaml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_contracts_and_hesitancy_changes_name_known_codes(tmp_path):
    from sim.scenario import ScenarioError

    cases = {
        "pool:\n  contracts: [{supplier: SII, deliveries: []}]\n":
            r"pool\.contracts\[0\]\.supplier.*SII",
        "contracts: [{supplier: EU, buyer: VNN, deliveries: []}]\n": r"contracts\[0\]\.buyer.*VNM",
        "contracts: [{supplier: EU, deliveries: []}]\n": r"contracts\[0\].*needs a `buyer`",
        "uptake:\n  hesitancy_changes: [{date: 2021-06-01, groups: {HIK: 0.1}}]\n":
            r"hesitancy_changes\[0\]\.groups.*HIK",
    }
    for i, (text, message) in enumerate(cases.items()):
        path = write(tmp_path, f"c{i}.yaml", "name: x\n" + text)
        with pytest.raises(ScenarioError, match=message):
            load_scenario(path)
