"""Results folders: write a run's files atomically, and read them back.

Files: ``scenario.yaml`` (resolved, re-runnable), ``summary.json``, ``<table>.parquet``,
``plots/*.png`` and ``report.html``. Everything goes to a temporary folder first and is
moved into place only once complete.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.output.names import OutputError
from sim.output.plots import PLOT_STEMS, finish_plots, fsync_file, start_plots
from sim.output.report import write_report
from sim.scenario.loader import dump_scenario

if TYPE_CHECKING:
    from sim.outcomes.results import Results
    from sim.output.progress import Progress
    from sim.output.workers import Server
    from sim.scenario.schema import Scenario

#: Table stems a run can write (``donations`` and ``donations_by_day`` only with a
#: diplomacy mechanism on).
TABLES = ("groups", "ledger", "countries", "producers", "strategies", "donations",
          "donations_by_day")


def save_steps(scenario: Scenario, plots: bool | None = None) -> dict[str, int]:
    """Steps :func:`save_results` reports per phase, for a progress display planned
    ahead: a table each (at most), a plot each, the report.
    """
    draw = scenario.outputs.plots if plots is None else plots
    return {"tables": len(TABLES), "plots": len(PLOT_STEMS) if draw else 0, "report": 1}


def save_results(results: Results, out_dir: str | Path, plots: bool | None = None,
                 progress: Progress | None = None, replace: bool = False,
                 server: Server | None = None) -> Path:
    """Write ``results`` to ``out_dir`` atomically; return the folder.

    Files: ``scenario.yaml``, ``summary.json``, ``<table>.parquet``, ``history.csv`` (the
    history check, :mod:`sim.outcomes.history`), ``plots/*.png`` and ``report.html``.
    ``plots`` defaults to the scenario's ``outputs.plots``. ``progress`` advances its
    ``tables``, ``plots`` and ``report`` phases (see :func:`save_steps`); ``replace``
    allows replacing a finished results folder (see :func:`publish`). ``server``: a
    process forked ahead to draw the plots (:func:`sim.output.workers.server_ahead`),
    else their workers are forked from this process.
    """
    return _staged(out_dir, replace,
                   lambda tmp: write_results(results, tmp, plots, progress, server))


def write_results(results: Results, folder: Path, plots: bool | None = None,
                  progress: Progress | None = None, server: Server | None = None) -> None:
    """Every file of :func:`save_results` but the marker, written into ``folder`` (a
    staging folder: :func:`staging_dir`); arguments as there.
    """
    draw = results.scenario.outputs.plots if plots is None else plots
    # Plots are drawn in worker processes while this one writes everything else; the
    # files are flushed to disk as they are written (publish() flushes them again, at
    # ~1 ms for the lot, instead of ~25 ms after the last plot).
    with start_plots(results, folder / "plots", enabled=draw, server=server,
                     sync=True) as pending:
        (folder / "scenario.yaml").write_text(dump_scenario(results.scenario),
                                              encoding="utf-8")
        (folder / "summary.json").write_text(json.dumps(results.summary, indent=2) + "\n",
                                             encoding="utf-8")
        write_tables(results, folder, progress)
        for path in folder.iterdir():
            if path.is_file():
                fsync_file(path)
        finish_plots(pending, None if progress is None
                     else lambda: progress.advance("plots"))
    write_report(folder)
    if progress is not None:
        progress.advance("report")


def _staged(out_dir: str | Path, replace: bool, write: Callable[[Path], None]) -> Path:
    """``write(tmp)`` into a new staging folder beside ``out_dir``, then :func:`publish`
    it there (the staging folder is removed if anything fails); return the folder.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_dir(out_dir)
    try:
        write(tmp)
        publish(tmp, out_dir, "run", replace)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


#: Largest run (bytes of recorded arrays) whose results are sent to a server to save
#: (:func:`save_results_in`); a larger one is saved here, where its arrays already are.
MAX_SENT_BYTES = 256 * 2**20


def warm_up(plots: bool = True) -> Iterator[None] | None:
    """Import what :func:`save_results` needs (pandas, the parquet writer, the metric
    modules; matplotlib and the plot modules with ``plots``: :func:`sim.output.plots.warm_up`),
    so that a server forked ahead (:func:`sim.output.workers.server_ahead`) does it on the
    idle core while the run simulates. With ``plots``, return the idle work the server
    then takes while the run goes on: the plots' preparations
    (:func:`sim.output.plots.ahead.idle_steps`), then forking the pool that will draw
    them (:func:`sim.output.pool.pool_ahead`), so it inherits them.
    """
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    from sim.outcomes import history, registry, results  # noqa: F401

    if not plots:
        return None
    from sim.output.plots import warm_up as plots_warm_up

    plots_warm_up()
    return _plots_ahead()


def _plots_ahead() -> Iterator[None]:
    """The idle work of :func:`warm_up` with plots."""
    from sim.output.plots.ahead import idle_steps
    from sim.output.pool import pool_ahead

    yield from idle_steps()
    pool_ahead()
    yield


def save_results_in(server: Server | None, results: Results, out_dir: str | Path,
                    plots: bool | None = None, progress: Progress | None = None,
                    replace: bool = False) -> Path:
    """:func:`save_results` with the files written by ``server`` (forked ahead with
    :func:`warm_up`), so that this process never imports pandas or matplotlib: the server
    has them loaded by the time the run ends. The staging folder is made and published
    here (a killed run leaves nothing that looks finished, and the next run removes its
    staging folder); ``results.summary`` is the one the server computed (the same code on
    the same arrays). Saved here when ``server`` is None, when the run recorded more than
    :data:`MAX_SENT_BYTES`, or when the server is gone (its warm-up failed, it was killed).
    """
    from sim.output.workers import ServerGone

    if server is None or _recorded_bytes(results) > MAX_SENT_BYTES:
        return save_results(results, out_dir, plots, progress, replace)

    def write(tmp: Path) -> None:
        summary = server.call(_write_there, (results, tmp, plots), progress)
        results.__dict__["summary"] = summary  # the cached property, filled as there

    try:
        return _staged(out_dir, replace, write)
    except ServerGone:
        return save_results(results, out_dir, plots, progress, replace)


def _write_there(results: Results, folder: Path, plots: bool | None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """The server's half of :func:`save_results_in`: write the files, return the summary."""
    write_results(results, folder, plots, progress)
    return results.summary


def _recorded_bytes(results: Results) -> int:
    """Bytes of the arrays a run recorded (its trajectories and its twins')."""
    import numpy as np

    total = 0
    for traj in (results.trajectories, results.counterfactual):
        for value in vars(traj).values() if traj is not None else ():
            total += value.nbytes if isinstance(value, np.ndarray) else 0
    return total


def write_tables(results: Results, folder: Path, progress: Progress | None = None) -> None:
    """Write ``<table>.parquet`` of every table and ``history.csv`` (the history check)."""
    for stem, table in results.tables().items():
        table.to_parquet(folder / f"{stem}.parquet", index=False)
        if progress is not None:
            progress.advance("tables")
    if progress is not None:
        progress.settle("tables")  # no donations table without diplomacy
    results.history.to_csv(folder / "history.csv", index=False)


#: Written last into every folder vaxsim publishes: what it holds (kind) and by which
#: version. A folder without it (or the legacy summary.json + scenario.yaml) is not ours.
MARKER = ".vaxsim-results"
#: Hidden staging folders are named ``.<name>.staging-<pid>-<random>``.
_STAGING = re.compile(r"^\..*\.staging-(\d+)-[^/]*$")


def is_results_folder(path: Path) -> bool:
    """True for a folder vaxsim published (its marker, or a legacy run's files); never
    for a staging folder.
    """
    if _STAGING.match(path.name):
        return False
    return (path / MARKER).is_file() or ((path / "summary.json").is_file()
                                          and (path / "scenario.yaml").is_file())


def check_target(path: Path, force: bool = False) -> None:
    """Refuse ``-o path`` unless it is new, an empty folder, or (with ``force``) a
    finished vaxsim results folder to replace. Nothing is ever mixed into a folder.
    """
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise OutputError(f"{path}: exists and is not a folder")
    if not path.exists() or not any(path.iterdir()):
        return
    if not is_results_folder(path):
        raise OutputError(f"{path}: folder is not empty and is not a vaxsim results folder; "
                          "give a new or empty folder")
    if not force:
        raise OutputError(f"{path}: already holds finished results; pass --force to replace "
                          "them, or give another folder")


def new_results_dir(name: str, root: Path = Path("results")) -> Path:
    """Reserve ``<root>/<slug>/<YYYYmmdd-HHMMSS>[-k]/`` for a run and return it.

    The folder is created here with an exclusive ``mkdir``, so two runs started in the
    same second get different folders and a folder is never reused; it stays empty until
    :func:`publish` swaps the finished results in. Stale staging folders of killed runs
    beside it are removed on the way.
    """
    from sim.output.names import slug

    base = root / slug(name)
    base.mkdir(parents=True, exist_ok=True)
    clean_stale_staging(base)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for k in range(1, 100_000):
        candidate = base / (stamp if k == 1 else f"{stamp}-{k}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise OutputError(f"{base}: no free results folder name for {stamp}")


def clean_stale_staging(parent: Path) -> list[Path]:
    """Remove staging folders in ``parent`` whose process is gone (a killed run); return
    them.
    """
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _STAGING.match(entry.name)
        if m and entry.is_dir() and not _alive(int(m.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def staging_dir(out_dir: Path) -> Path:
    """A new hidden temporary folder beside ``out_dir`` to fill before :func:`publish`
    (named with this process id, so a later run can tell a killed run's leftovers).

    It gets the usual folder mode (``mkdtemp`` makes it owner-only), so the published
    results are readable like any folder the user makes.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_staging(out_dir.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name[:60]}.staging-{os.getpid()}-",
                                dir=out_dir.parent))
    mask = os.umask(0)
    os.umask(mask)
    tmp.chmod(0o777 & ~mask)
    return tmp


def publish(tmp: Path, out_dir: Path, kind: str = "run", replace: bool = False) -> None:
    """Move a finished staging folder into place in one rename.

    ``out_dir`` may be missing or an empty folder (one :func:`new_results_dir` reserved);
    a finished vaxsim results folder is replaced only with ``replace`` (moved aside, then
    removed once the new one is in place). Anything else is refused: files are never
    mixed into a folder.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        made_by = version("vaxsim")
    except PackageNotFoundError:  # run from a source tree without installing
        made_by = "unknown"
    (tmp / MARKER).write_text(json.dumps({"kind": kind, "vaxsim": made_by}) + "\n",
                              encoding="utf-8")
    _fsync_tree(tmp)
    if out_dir.is_dir() and not out_dir.is_symlink() and any(out_dir.iterdir()):
        check_target(out_dir, force=replace)
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name[:60]}.staging-{os.getpid()}-",
                                    dir=out_dir.parent))
        os.replace(out_dir, old / "old")
        os.replace(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(tmp, out_dir)  # atomic; replaces an empty folder
    _fsync_dir(out_dir.parent)


def _fsync_tree(folder: Path) -> None:
    """Flush every file of ``folder`` to disk before it is renamed into place."""
    for path in folder.rglob("*"):
        if path.is_file():
            fsync_file(path)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_tables(out_dir: str | Path) -> dict[str, Any]:
    """Read a results folder back: its tables as DataFrames and ``summary``."""
    import pandas as pd

    out_dir = Path(out_dir)
    tables: dict[str, Any] = {p.stem: pd.read_parquet(p) for p in out_dir.glob("*.parquet")}
    tables["summary"] = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    return tables
