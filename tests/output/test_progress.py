"""One progress display per command: planned phases, totals that end right, quiet."""

from sim.cli.main import main
from sim.output.progress import Progress


def test_phases_add_up_and_unused_budget_leaves_the_total():
    p = Progress("fit", {"fit": 233, "write": 2}, quiet=True)
    assert p.total == 235
    p.set("fit", 55)            # the optimizer converged after 55 of at most 233 runs
    p.settle("fit")
    p.advance("write", 2)
    assert (p.done, p.total) == (57, 57)
    p.set("write", 10)          # never more than planned
    assert p.done == p.total
    p.close()


def test_run_progress_covers_every_phase_and_ends_at_its_total(tmp_path, monkeypatch):
    seen = []
    original = Progress.close

    def record(self):
        seen.append((dict(self.planned), dict(self.counts)))
        original(self)

    monkeypatch.setattr(Progress, "close", record)
    out = tmp_path / "run"
    assert main(["run", "scenarios/baseline.yaml", "--set", "days=60", "-o", str(out),
                 "--quiet"]) == 0
    planned, counts = seen[-1]
    assert list(planned) == ["simulate", "tables", "plots", "report"]
    assert planned["simulate"] == 60 and planned["report"] == 1
    assert counts == planned                     # every phase ran to its (settled) total
    assert planned["plots"] >= len(list((out / "plots").glob("*.png")))


def test_quiet_prints_nothing_and_json_prints_only_json(tmp_path, capsys):
    import json

    assert main(["run", "scenarios/baseline.yaml", "--set", "days=30", "--no-plots",
                 "-o", str(tmp_path / "a"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert main(["run", "scenarios/baseline.yaml", "--set", "days=30", "--no-plots",
                 "-o", str(tmp_path / "b"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["results"] == str(tmp_path / "b")
    assert {"metric", "value"} == set(doc["table"][0])
    assert doc["summary"]["scenario"] == "baseline"


def test_the_bar_fills_with_the_clock_not_with_step_counts():
    p = Progress("baseline", {"simulate": 730, "tables": 6, "plots": 15, "report": 1},
                 quiet=True)
    p.set("simulate", 730)          # 730 of 752 steps, but about 1.5 s of 15 s
    assert 0.05 < p.fraction < 0.2
    p.advance("tables", 6)
    p.advance("plots", 15)
    p.advance("report")
    assert p.fraction == 1.0 and p.done == p.total
    p.close()
