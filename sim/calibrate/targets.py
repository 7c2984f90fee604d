"""Calibration targets: observed numbers (coverage of a group, doses administered in the
world, a group's deaths with their 95% range) on dates, read from CSV files and checked;
the tolerances the fit is judged by.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data import DATA_DIR
from sim.engine.record import GROUPS
from sim.outcomes.registry import SERIES
from sim.scenario.paths import suggest


class CalibrationError(ValueError):
    """Bad calibration input (parameter path, bounds, targets); the message is one line."""


#: The shipped 2021 targets: coverage and doses, and deaths (2021 excess deaths by group).
OBSERVED = DATA_DIR / "observed.csv"
OBSERVED_DEATHS = DATA_DIR / "observed_deaths.csv"
#: Calibration target metrics: group trajectories declared in the metrics registry, and
#: a group's deaths since the start (the epidemic's record).
METRICS = (*SERIES, "deaths")
#: Tolerances the loss is scaled by (and the fit is judged by); deaths use each row's
#: 95% range (``low``, ``high``) and this relative one only where a row gives none.
TOLERANCE = {"coverage_first": 5.0, "doses_administered": 0.10, "deaths": 0.15}
ERROR_UNIT = {"coverage_first": "pp", "doses_administered": "rel", "deaths": "rel"}


def load_targets(path: str | Path | Sequence[str | Path] = OBSERVED) -> pd.DataFrame:
    """Read targets CSV file(s): ``date, group, metric, value`` (+ optional ``source,
    weight``, and ``low, high`` — the 95% range of a death target).

    Parameters
    ----------
    path : one file, or several whose targets are fitted together (e.g.
        ``[OBSERVED, OBSERVED_DEATHS]``)

    Returns
    -------
    DataFrame with ``date`` as Timestamps, ``weight`` filled with 1 and ``low`` / ``high``
    with NaN where absent.

    Raises
    ------
    CalibrationError
        Missing file or column, unknown group or metric, a share outside [0, 1], a
        non-positive dose count, death count or weight, a range that does not hold the
        value.
    """
    if not isinstance(path, str | Path):
        frames = [load_targets(p) for p in path]
        if not frames:
            raise CalibrationError("--targets: name at least one file")
        return (pd.concat(frames, ignore_index=True)
                .sort_values(["date", "group", "metric"]).reset_index(drop=True))
    path = Path(path)
    try:
        df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise CalibrationError(f"{path}: no such targets file") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"{path}: cannot read targets ({exc})") from None
    missing = [c for c in ("date", "group", "metric", "value") if c not in df.columns]
    if missing:
        raise CalibrationError(f"{path}: missing column(s) {', '.join(missing)}")
    if df.empty:
        raise CalibrationError(f"{path}: no targets")
    if "weight" not in df.columns:
        df["weight"] = 1.0
    for column in ("low", "high"):
        if column not in df.columns:
            df[column] = np.nan
    for i, row in df.iterrows():
        where = f"{path}:{int(str(i)) + 2}"
        if row["group"] not in GROUPS:
            raise CalibrationError(f"{where}: group: unknown group '{row['group']}'"
                                   + suggest(str(row["group"]), GROUPS))
        if row["metric"] not in METRICS:
            raise CalibrationError(f"{where}: metric: unknown metric '{row['metric']}'"
                                   + suggest(str(row["metric"]), METRICS))
        if row["metric"] == "doses_administered" and row["group"] != "World":
            raise CalibrationError(f"{where}: doses_administered is a World target")
        try:
            value, weight = float(row["value"]), float(row["weight"])
            date = pd.Timestamp(row["date"])
        except (TypeError, ValueError):
            raise CalibrationError(f"{where}: bad date, value or weight") from None
        if pd.isna(date) or not math.isfinite(value) or not weight > 0:
            raise CalibrationError(f"{where}: bad date, value or weight")
        if row["metric"] == "coverage_first" and not 0.0 <= value <= 1.0:
            raise CalibrationError(f"{where}: value: a coverage share must be in [0, 1]")
        if row["metric"] in ("doses_administered", "deaths") and value <= 0:
            raise CalibrationError(f"{where}: value: {row['metric']} must be positive")
        low, high = (float(row[c]) if pd.notna(row[c]) else math.nan for c in ("low", "high"))
        if (math.isnan(low) != math.isnan(high)
                or (not math.isnan(low) and not low <= value <= high)):
            raise CalibrationError(f"{where}: low, high: give both, with low <= value <= high")
    df["date"] = pd.to_datetime(df["date"])
    for column in ("value", "weight", "low", "high"):
        df[column] = df[column].astype(float)
    return df.sort_values(["date", "group", "metric"]).reset_index(drop=True)


def target_labels(targets: pd.DataFrame) -> list[str]:
    """``'2021-10-24 LIC coverage_first'`` for each target."""
    return [f"{d:%Y-%m-%d} {g} {m}" for d, g, m in
            zip(targets["date"], targets["group"], targets["metric"], strict=True)]


def tolerances(targets: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(below, above): how far under / over each target's value the simulation may fall
    and still meet it, in the target's own units (shares, doses, deaths).

    Coverage: 5 percentage points either side; doses: 10% either side; deaths: down to
    ``low`` and up to ``high`` (the source's 95% range), else 15% either side.
    """
    value = targets["value"].to_numpy(dtype=float)
    metric = targets["metric"].to_numpy()
    rel = np.array([TOLERANCE[m] for m in metric]) * value
    cov = np.full(len(value), TOLERANCE["coverage_first"] / 100.0)
    below = np.where(metric == "coverage_first", cov, rel)
    above = below.copy()
    low = targets.get("low", pd.Series(np.nan, index=targets.index)).to_numpy(dtype=float)
    high = targets.get("high", pd.Series(np.nan, index=targets.index)).to_numpy(dtype=float)
    ranged = (metric == "deaths") & ~np.isnan(low)
    below[ranged] = (value - low)[ranged]
    above[ranged] = (high - value)[ranged]
    # A degenerate range (low == value) still needs a finite scale: 1% of the value.
    floor = 0.01 * np.abs(value)
    return np.maximum(below, floor), np.maximum(above, floor)
