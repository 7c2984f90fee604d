"""Results build their tables lazily."""

from worlds import SCENARIOS

from sim import load_scenario, run


def test_tables_are_built_on_first_use_and_kept():
    res = run(load_scenario(SCENARIOS / "baseline.yaml"), days=30, deaths_averted=False)
    built = {"groups", "ledger", "countries", "producers", "strategies", "donations",
             "summary"} & set(vars(res))
    assert built == set()
    first = res.countries
    assert res.countries is first and "countries" in vars(res) and "groups" not in vars(res)
