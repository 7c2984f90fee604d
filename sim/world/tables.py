"""Shipped CSV tables as plain numpy columns, read once with the standard library.

Building a world reads the same few small tables on every run; as pandas frames that cost
several milliseconds a run (copies, indexes, string arrays). Here each table is a dict of
read-only column arrays: numbers as float64 (empty cells NaN), text as numpy ``str``
(empty cells ""). The values equal pandas' ``read_csv`` of the same file (tested).

Examples
--------
>>> cols = columns("countries.csv")
>>> cols["iso3"].shape == cols["population"].shape
True
"""

from __future__ import annotations

import csv
from functools import cache

import numpy as np

from sim.data import DATA_DIR


def _column(values: list[str]) -> np.ndarray:
    """float64 if every non-empty cell is a number, else str."""
    try:
        out = np.array([float(v) if v != "" else np.nan for v in values], dtype=float)
    except ValueError:
        out = np.array(values, dtype=str)
    out.flags.writeable = False
    return out


@cache
def columns(name: str) -> dict[str, np.ndarray]:
    """The columns of the shipped CSV file ``name`` (e.g. ``"countries.csv"``): each a
    read-only (rows,) array; copy before changing one.
    """
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    return {col: _column([r[j] for r in body]) for j, col in enumerate(header)}


@cache
def row_of(name: str, key: str) -> dict[str, int]:
    """Row index of each value of the key column ``key`` of ``name`` (e.g. ISO3)."""
    return {str(v): i for i, v in enumerate(columns(name)[key])}
