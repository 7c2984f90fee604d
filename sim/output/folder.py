"""Results folders: write a run's files atomically, and read them back.

Files: ``scenario.yaml`` (resolved, re-runnable), ``summary.json``, ``<table>.parquet``,
``plots/*.png`` and ``report.html``. Everything goes to a temporary folder first and is
moved into place only once complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from sim.outcomes.results import Results
from sim.output.plots import PLOT_STEMS, plot_run
from sim.output.progress import Progress
from sim.output.report import write_report
from sim.scenario.loader import dump_scenario
from sim.scenario.schema import Scenario

#: Table stems a run can write (``donations`` only with a diplomacy mechanism on).
TABLES = ("groups", "ledger", "countries", "producers", "strategies", "donations")


def save_steps(scenario: Scenario, plots: bool | None = None) -> dict[str, int]:
    """Steps :func:`save_results` reports per phase, for a progress display planned
    ahead: a table each (at most), a plot each, the report.
    """
    draw = scenario.outputs.plots if plots is None else plots
    return {"tables": len(TABLES), "plots": len(PLOT_STEMS) if draw else 0, "report": 1}


def save_results(results: Results, out_dir: str | Path, plots: bool | None = None,
                 progress: Progress | None = None) -> Path:
    """Write ``results`` to ``out_dir`` atomically; return the folder.

    Files: ``scenario.yaml``, ``summary.json``, ``<table>.parquet``, ``history.csv`` (the
    history check, :mod:`sim.outcomes.history`), ``plots/*.png`` and ``report.html``.
    ``plots`` defaults to the scenario's ``outputs.plots``. ``progress`` advances its
    ``tables``, ``plots`` and ``report`` phases (see :func:`save_steps`).
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_dir(out_dir)
    try:
        (tmp / "scenario.yaml").write_text(dump_scenario(results.scenario), encoding="utf-8")
        (tmp / "summary.json").write_text(json.dumps(results.summary, indent=2) + "\n",
                                          encoding="utf-8")
        for stem, table in results.tables().items():
            table.to_parquet(tmp / f"{stem}.parquet", index=False)
            if progress is not None:
                progress.advance("tables")
        if progress is not None:
            progress.settle("tables")  # no donations table without diplomacy
        results.history.to_csv(tmp / "history.csv", index=False)  # the history check
        if results.scenario.outputs.plots if plots is None else plots:
            plot_run(results, tmp / "plots",
                     None if progress is None else lambda: progress.advance("plots"))
        write_report(tmp)
        if progress is not None:
            progress.advance("report")
        publish(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def staging_dir(out_dir: Path) -> Path:
    """A new hidden temporary folder beside ``out_dir`` to fill before :func:`publish`.

    It gets the usual folder mode (``mkdtemp`` makes it owner-only), so the published
    results are readable like any folder the user makes.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    mask = os.umask(0)
    os.umask(mask)
    tmp.chmod(0o777 & ~mask)
    return tmp


def publish(tmp: Path, out_dir: Path) -> None:
    """Move a finished temporary folder into place (rename, or file by file into an
    existing folder, each move atomic).
    """
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return
    for path in sorted(tmp.rglob("*")):
        target = out_dir / path.relative_to(tmp)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)


def load_tables(out_dir: str | Path) -> dict[str, Any]:
    """Read a results folder back: its tables as DataFrames and ``summary``."""
    out_dir = Path(out_dir)
    tables: dict[str, Any] = {p.stem: pd.read_parquet(p) for p in out_dir.glob("*.parquet")}
    tables["summary"] = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    return tables
