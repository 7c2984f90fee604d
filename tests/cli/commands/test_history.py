"""`vaxsim history`: the baseline (or a results folder) beside the observed 2021 series."""

import pandas as pd
from worlds import SCENARIOS

from sim.cli.main import main


def test_history_prints_every_series_with_its_source_and_writes_csv(tmp_path, capsys):
    out = tmp_path / "history.csv"
    assert main(["history", str(SCENARIOS / "baseline.yaml"), "--days", "365",
                 "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    for series in ("coverage_first", "covax_delivered", "india_exported", "china_donated",
                   "licensed_output", "received"):
        assert series in printed
    assert "UNICEF-2111" in printed and "(est.)" in printed
    table = pd.read_csv(out)
    assert {"observed", "model", "error", "source"} <= set(table.columns)
    assert (table["date"] <= "2021-12-31").all()       # a 365-day run stops in 2021


def test_history_of_a_results_folder_reads_its_history_csv(tmp_path, capsys):
    res = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "baseline.yaml"), "-o", str(res), "--set",
                 "days=200", "--no-plots"]) == 0
    capsys.readouterr()
    assert main(["history", str(res)]) == 0
    printed = capsys.readouterr().out
    assert "covax_delivered" in printed and "2021-11-15" not in printed   # after day 200
    report = (res / "report.html").read_text()
    assert "History check" in report and "WHO-2104" in report


def test_history_outside_the_observed_dates_is_a_clear_error(tmp_path, capsys):
    assert main(["history", str(SCENARIOS / "baseline.yaml"), "--days", "30",
                 "--set", "start=2023-01-01"]) == 2
    assert "no observed figure" in capsys.readouterr().err
