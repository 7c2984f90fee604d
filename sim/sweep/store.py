"""The sweep's folder on disk: per-batch results written atomically, so a sweep resumes.

Layout of ``results/<sweep>/<timestamp>/``::

    sweep.yaml          the resolved sweep (written first; a resume must match it)
    points.parquet      point, one column per parameter (sobol: block)
    batches/batch-NNNNN.parquet   one per finished batch (batch, point, replicate, seed,
                        metrics), each written to a temporary file and renamed
    metrics.parquet     point, replicate, seed, metrics: all batches, sorted
    sensitivity.json    sobol sweeps: S1 and ST with confidence intervals
    plots/*.png, report.html

A batch file exists only once complete (rename is atomic), so after a crash or a kill
the finished batches are exactly the files present; ``--resume DIR`` runs the others.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

BATCH_DIR = "batches"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        _fsync(tmp)  # the data is on disk before the name says the file is complete
        os.replace(tmp, path)
        _fsync(path.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _fsync(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a folder
        pass
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_parquet(path: Path, table: pd.DataFrame) -> None:
    """Write ``table`` to ``path`` atomically."""
    atomic_write(path, lambda p: table.to_parquet(p, index=False))


class ResumeMismatch(ValueError):
    """The folder to resume holds a different sweep."""


class SweepStore:
    """A sweep's results folder."""

    def __init__(self, out_dir: str | Path) -> None:
        self.dir = Path(out_dir)

    def batch_path(self, index: int) -> Path:
        """File of batch ``index``."""
        return self.dir / BATCH_DIR / f"batch-{index:05d}.parquet"

    def start(self, spec_text: str, points: pd.DataFrame, resume: bool = False) -> None:
        """Write ``sweep.yaml`` and ``points.parquet`` (or check them when resuming)."""
        yaml_path = self.dir / "sweep.yaml"
        if resume:
            if not yaml_path.exists():
                raise ResumeMismatch(f"{self.dir}: nothing to resume (no sweep.yaml)")
            if yaml_path.read_text(encoding="utf-8") != spec_text:
                raise ResumeMismatch(f"{self.dir}/sweep.yaml: a different sweep (or a "
                                     "changed base scenario) is stored there; resume with "
                                     "the same sweep file")
        elif yaml_path.exists():
            raise ResumeMismatch(f"{self.dir}: already holds a sweep (use --resume)")
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in (self.dir / BATCH_DIR).glob(".batch-*"):  # temp files of a killed run
            stale.unlink(missing_ok=True)
        write_text(yaml_path, spec_text)
        write_parquet(self.dir / "points.parquet", points)

    def finished(self) -> set[int]:
        """Indices of the batches whose file exists."""
        folder = self.dir / BATCH_DIR
        if not folder.exists():
            return set()
        done = set()
        for p in folder.glob("batch-*.parquet"):
            if p.stat().st_size == 0:  # torn by a crash before fsync existed: run it again
                p.unlink(missing_ok=True)
                continue
            done.add(int(p.stem.split("-")[1]))
        return done

    def write_batch(self, index: int, table: pd.DataFrame) -> None:
        """Store one finished batch."""
        write_parquet(self.batch_path(index), table)

    def read_batch(self, index: int) -> pd.DataFrame:
        """One stored batch."""
        return pd.read_parquet(self.batch_path(index))
