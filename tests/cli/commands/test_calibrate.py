"""`vaxsim calibrate` end to end on the shipped world (a few countries, a short horizon)."""

import pandas as pd
import pytest
import yaml
from worlds import SCENARIOS

from sim import calibrate as cal
from sim import load_scenario, run
from sim.cli.main import main

BASELINE = SCENARIOS / "baseline.yaml"
SMALL = ["countries.include=[USA, DEU, JPN, CHN, BRA, IND, IDN, NGA, ETH, COD, UGA]",
         "days=365"]
TRUTH = {"uptake.capacity.HIC.end": 0.006, "uptake.hesitancy": 0.25}


def _synthetic_targets(path):
    """Targets the model itself produces with TRUTH set (monthly, every group + doses)."""
    res = run(cal.with_values(load_scenario(BASELINE, SMALL), TRUTH))
    g = res.groups
    dates = pd.date_range("2021-02-15", "2021-12-15", freq="MS") + pd.Timedelta(days=14)
    rows = []
    for d in dates:
        day = g[g["date"] == d].set_index("group")
        rows += [(d.date(), grp, "coverage_first", day.loc[grp, "coverage_first"])
                 for grp in day.index]
        rows.append((d.date(), "World", "doses_administered",
                     day.loc["World", "doses_administered"]))
    pd.DataFrame(rows, columns=["date", "group", "metric", "value"]).to_csv(path, index=False)


def test_cli_recovers_known_parameters_and_writes_the_fit(tmp_path, capsys, monkeypatch):
    from sim.output.progress import Progress

    seen = []
    close = Progress.close
    monkeypatch.setattr(Progress, "close", lambda self: (seen.append(
        (dict(self.planned), dict(self.counts))), close(self)))
    targets, out = tmp_path / "targets.csv", tmp_path / "fit"
    _synthetic_targets(targets)
    args = ["calibrate", str(BASELINE), "--targets", str(targets),
            "--params", ",".join(TRUTH), "--design", "12", "-o", str(out)]
    for s in SMALL:
        args += ["--set", s]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "loss" in printed and "fitted scenario:" in printed
    for name in ("baseline_calibrated.yaml", "fit.csv", "params.csv", "fit.png"):
        assert (out / name).is_file(), name
    fitted = load_scenario(out / "baseline_calibrated.yaml")   # extends the input
    assert fitted.uptake.capacity["HIC"].end == pytest.approx(TRUTH[
        "uptake.capacity.HIC.end"], rel=0.05)
    assert fitted.uptake.hesitancy == pytest.approx(TRUTH["uptake.hesitancy"], rel=0.05)
    assert len(fitted.countries.include) == 11          # the --set values are kept
    doc = yaml.safe_load((out / "baseline_calibrated.yaml").read_text())
    assert set(doc) == {"extends", "name", "countries", "days", "uptake"}
    table = pd.read_csv(out / "fit.csv")
    assert {"target", "observed", "simulated", "error"} <= set(table.columns)
    assert table["within"].all()
    # One progress display; the optimizer's unused budget left the total: it ends full.
    planned, counts = seen[-1]
    assert planned == counts and planned["write"] == 2
    assert planned["fit"] < 12 + 1 + 200 * len(TRUTH)


@pytest.mark.parametrize("extra, message", [
    (["--params", "uptake.capacty.LIC.end"], "did you mean 'capacity'"),
    (["--params", "uptake.hesitancy", "--bounds", "uptake.hesitancy=0.4:0.1"],
     "need lo < hi"),
    (["--params", "uptake.hesitancy", "--bounds", "uptake.hesitancyy=0:0.5"],
     "not one of the --params"),
    (["--params", "procurement.groups.HICC.multiple"], "unknown group 'HICC'"),
    (["--params", "market.clearing_days"], "no default bounds"),
    (["--params", "uptake.hesitancy", "--targets", "missing.csv"], "no such targets file"),
    (["--params", "epidemic.ifr_multiplier", "--deaths", "--set", "epidemic.enabled=false"],
     "need the epidemic"),
])
def test_bad_input_is_one_line_and_exit_2(extra, message, capsys, tmp_path):
    code = main(["calibrate", str(BASELINE), *extra, "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("vaxsim: error:") and err.count("\n") == 1 and message in err
    assert not (tmp_path / "o").exists()


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["calibrate", "--help"])
    assert "examples:" in capsys.readouterr().out


def test_cli_fits_coverage_and_deaths_together(tmp_path, capsys):
    """--deaths adds the shipped 2021 excess deaths by group to the coverage targets; the
    fit table and plot carry both (a few runs only: this checks the plumbing)."""
    out = tmp_path / "fit"
    args = ["calibrate", str(BASELINE), "--deaths", "--params", "epidemic.ifr_multiplier",
            "--design", "2", "--maxfev", "3", "--rescale-severity", "-o", str(out),
            # China holds zero-COVID, so UMIC needs more than Brazil to meet its deaths
            "--set", SMALL[0].replace("BRA,", "BRA, RUS, MEX, ZAF, TUR, COL,")]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "2021-12-31 LIC deaths" in printed and "observed_deaths.csv" in (
        out / "baseline_calibrated.yaml").read_text()
    table = pd.read_csv(out / "fit.csv")
    assert set(table["metric"]) == {"coverage_first", "doses_administered", "deaths"}
    deaths = table[table["metric"] == "deaths"]
    assert len(deaths) == 8 and (deaths["low"] < deaths["high"]).all()
    assert (out / "fit.png").stat().st_size > 10_000
    # --rescale-severity: each group's factor written, so its year deaths meet the estimate
    doc = yaml.safe_load((out / "baseline_calibrated.yaml").read_text())
    assert set(doc["epidemic"]["ifr_multiplier_groups"]) == {"HIC", "UMIC", "LMIC", "LIC"}
    year = deaths[deaths["date"] == "2021-12-31"]
    assert ((year["simulated"] - year["observed"]).abs() < 0.01 * year["observed"]).all()


def test_cli_rescales_severity_alone_without_params(tmp_path, capsys):
    """--rescale-severity with no --params: the scenario's other values stay, only the
    severity factors are written (the refit of the shipped scenario after a model change)."""
    out = tmp_path / "sev"
    args = ["calibrate", str(BASELINE), "--deaths", "--rescale-severity", "-o", str(out),
            "--set", SMALL[0].replace("BRA,", "BRA, RUS, MEX, ZAF, TUR, COL,")]
    assert main(args) == 0
    text = (out / "baseline_calibrated.yaml").read_text()
    assert "severity rescaled" in " ".join(text.replace("#", " ").split())
    doc = yaml.safe_load(text)
    assert set(doc["epidemic"]) == {"ifr_multiplier_groups"}
    table = pd.read_csv(out / "fit.csv")
    year = table[(table["metric"] == "deaths") & (table["date"] == "2021-12-31")]
    assert ((year["simulated"] - year["observed"]).abs() < 0.01 * year["observed"]).all()
    assert capsys.readouterr().out
