"""Calibration targets: observed numbers (coverage of a group, doses administered in the
world) on dates, read from a CSV file and checked; the tolerances the fit is judged by.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.data import DATA_DIR
from sim.engine.record import GROUPS
from sim.outcomes.registry import SERIES
from sim.scenario.paths import suggest


class CalibrationError(ValueError):
    """Bad calibration input (parameter path, bounds, targets); the message is one line."""


#: The shipped 2021 targets.
OBSERVED = DATA_DIR / "observed.csv"
#: Calibration target metrics: group trajectories declared in the metrics registry.
METRICS = tuple(SERIES)
#: Tolerances the loss is scaled by (and the fit is judged by).
TOLERANCE = {"coverage_first": 5.0, "doses_administered": 0.10}
ERROR_UNIT = {"coverage_first": "pp", "doses_administered": "rel"}


def load_targets(path: str | Path = OBSERVED) -> pd.DataFrame:
    """Read a targets CSV: ``date, group, metric, value`` (+ optional ``source, weight``).

    Returns
    -------
    DataFrame with ``date`` as Timestamps and ``weight`` filled with 1 where absent.

    Raises
    ------
    CalibrationError
        Missing file or column, unknown group or metric, a share outside [0, 1], a
        non-positive dose count or weight.
    """
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
    for i, row in df.iterrows():
        where = f"{path}:{int(i) + 2}"
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
        if row["metric"] == "doses_administered" and value <= 0:
            raise CalibrationError(f"{where}: value: doses must be positive")
    df["date"] = pd.to_datetime(df["date"])
    df["value"] = df["value"].astype(float)
    df["weight"] = df["weight"].astype(float)
    return df.sort_values(["date", "group", "metric"]).reset_index(drop=True)


def target_labels(targets: pd.DataFrame) -> list[str]:
    """``'2021-10-24 LIC coverage_first'`` for each target."""
    return [f"{d:%Y-%m-%d} {g} {m}" for d, g, m in
            zip(targets["date"], targets["group"], targets["metric"], strict=True)]
