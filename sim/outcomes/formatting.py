"""Numbers for people: the one place that turns model values into text and axis ticks.

Every printed table, report cell, plot label and tick goes through these functions, so
the same quantity reads the same everywhere: ``5.69 bn`` doses, ``48.1%`` coverage,
``48.1% [45.2–51.0]`` with its 5–95% band, ``0.412`` for an index, ``3.4×`` for a ratio,
``+7.5 pp [+7.1 to +7.9]`` for a difference with its interval.

Units (the ``unit`` argument):

- ``share``: a fraction 0–1, shown as a percentage;
- ``count``: people, doses, infections (``5.69 bn``, ``48.1 M``, ``12,300``);
- ``per_million``: a rate per million people (``1,234``);
- ``countries``: a whole number of countries;
- ``index``: a unitless index such as a Gini coefficient (``0.412``);
- ``signed_index``: an index that can be negative (``+0.123``);
- ``ratio``: a multiple (``3.4×``).

Values smaller in magnitude than the unit's :data:`RESOLUTION` are floating-point noise
for a reader: :func:`snap` sets them to exactly zero before they are drawn or printed.

Examples
--------
>>> count(5.693e9)
'5.69 bn'
>>> with_band(0.481, 0.452, 0.510, "share")
'48.1% [45.2–51.0]'
>>> difference(-146.2, -155.0, -137.4, "per_million")
'−146 [−155 to −137]'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

UNITS = ("share", "count", "per_million", "countries", "index", "signed_index", "ratio")
#: Smallest magnitude that means something, per unit; anything smaller is drawn as zero.
RESOLUTION = {"share": 1e-6, "count": 0.5, "per_million": 1e-3, "countries": 0.5,
              "index": 1e-6, "signed_index": 1e-6, "ratio": 1e-6}
#: Axis-label suffix naming each unit (what the ticks count).
AXIS_UNITS = {"share": "%", "count": "", "per_million": "per million people",
              "countries": "countries", "index": "index", "signed_index": "index",
              "ratio": "×"}
DASH = "–"  # en dash, between the ends of a band
MISSING = "n/a"
_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"))


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float | np.floating) and not math.isfinite(v))


def snap(values: Any, unit: str) -> Any:
    """``values`` with every magnitude below ``RESOLUTION[unit]`` set to 0.0 (NaN kept).

    Works on a float or an array; returns the same kind.
    """
    tol = RESOLUTION[unit]
    if np.ndim(values) == 0:
        v = float(values) if values is not None else math.nan
        return 0.0 if math.isfinite(v) and abs(v) < tol else v
    arr = np.asarray(values, dtype=float).copy()
    arr[np.abs(np.nan_to_num(arr, nan=np.inf)) < tol] = 0.0
    return arr


def _sig(v: float, digits: int = 3) -> str:
    """``v`` with ``digits`` significant digits, no exponent, thousands separators."""
    if v == 0:
        return "0"
    v = float(f"{v:.{digits}g}")  # round first: 0.9996 → 1.00, not 1.000
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    return f"{v:,.{decimals}f}"


def scale_of(v: float) -> tuple[float, str]:
    """(divisor, suffix) for a count of magnitude ``v``: bn, M or none."""
    for div, suffix in _SCALES:
        if abs(v) >= div * 0.9995:
            return div, suffix
    return 1.0, ""


def count(v: Any, scale: tuple[float, str] | None = None) -> str:
    """A count for people: ``5.69 bn``, ``48.1 M``, ``12,300``, ``7``.

    ``scale`` forces the divisor and suffix (so a band reads in its median's unit).
    """
    if _missing(v):
        return MISSING
    v = float(snap(v, "count"))
    div, suffix = scale or scale_of(v)
    if not suffix:
        if abs(v) >= 100 or v == round(v):
            return f"{v:,.0f}"
        return _sig(v).rstrip("0").rstrip(".")
    return f"{_sig(v / div)} {suffix}"


def _share_decimals(v: float) -> int:
    """One decimal, two below 1% (0.08%, not 0.1%)."""
    return 2 if 0 < abs(v) < 0.01 else 1


def share(v: Any, decimals: int | None = None) -> str:
    """A fraction 0–1 as a percentage: ``48.1%``, ``0.08%``."""
    if _missing(v):
        return MISSING
    v = float(snap(v, "share"))
    return f"{100 * v:.{_share_decimals(v) if decimals is None else decimals}f}%"


def per_million(v: Any) -> str:
    """A rate per million people: ``1,234``; below 10 with one decimal."""
    if _missing(v):
        return MISSING
    v = float(snap(v, "per_million"))
    return f"{v:,.1f}" if 0 < abs(v) < 10 else f"{v:,.0f}"


def countries(v: Any) -> str:
    """A number of countries (the median can be a half): ``57`` or ``57.5``."""
    if _missing(v):
        return MISSING
    v = float(v)
    return f"{v:.0f}" if v == round(v) else f"{v:.1f}"


def index(v: Any) -> str:
    """A unitless index: ``0.412``."""
    return MISSING if _missing(v) else f"{float(snap(v, 'index')):.3f}"


def signed_index(v: Any) -> str:
    """An index that can be negative: ``+0.123``, ``−0.045``."""
    if _missing(v):
        return MISSING
    return f"{float(snap(v, 'signed_index')):+.3f}".replace("-", "−")


def ratio(v: Any) -> str:
    """A multiple: ``3.4×``."""
    return MISSING if _missing(v) else f"{_sig(float(v), 2) if v < 10 else f'{v:,.0f}'}×"


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "share": share, "count": count, "per_million": per_million, "countries": countries,
    "index": index, "signed_index": signed_index, "ratio": ratio}


def value(v: Any, unit: str) -> str:
    """``v`` in ``unit`` (one of :data:`UNITS`)."""
    return FORMATTERS[unit](v)


def with_band(mid: Any, lo: Any, hi: Any, unit: str) -> str:
    """``48.1% [45.2–51.0]``: the median, then its band in the same unit and scale,
    without repeating the unit; the median alone when the band is missing or empty. A
    band of countries is widened to whole countries (``112.5 [108–118]``).
    """
    text = value(mid, unit)
    if _missing(mid) or _missing(lo) or _missing(hi) or lo == hi == mid:
        return text
    if unit == "share":
        d = _share_decimals(float(mid))
        ends = [f"{100 * float(snap(x, 'share')):.{d}f}" for x in (lo, hi)]
    elif unit == "count":
        sc = scale_of(float(mid))
        ends = [count(x, sc).removesuffix(f" {sc[1]}") if sc[1] else count(x, sc)
                for x in (lo, hi)]
    elif unit == "ratio":
        ends = [ratio(x).removesuffix("×") for x in (lo, hi)]
    elif unit == "countries":  # whole countries, the band widened to them: 48.3 -> 48
        ends = [f"{math.floor(float(lo) + 1e-9):.0f}", f"{math.ceil(float(hi) - 1e-9):.0f}"]
    else:
        ends = [value(x, unit) for x in (lo, hi)]
    return f"{text} [{ends[0]}{DASH}{ends[1]}]"


def setting(v: Any) -> str:
    """A swept parameter's value as set: ``0.05``, ``2.5``, ``True``, ``hoard``."""
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def signed(v: Any, unit: str) -> str:
    """A difference in ``unit``, always with its sign: shares in percentage points
    (``+7.5 pp``), counts scaled (``−1.15 M``), rates per million (``−146``), countries
    (``+23``), indices (``−0.035``), multiples (``−0.40×``); ``0`` for no difference.
    """
    if _missing(v):
        return MISSING
    v = float(snap(v, unit))
    if v == 0:
        return "0 pp" if unit == "share" else "0"
    if unit == "share":
        text = f"{100 * v:+.{_share_decimals(v)}f} pp"
    elif unit == "count":
        text = count(abs(v)) if abs(v) >= 1e6 * 0.9995 else f"{_round3(abs(v)):,.0f}"
    elif unit == "ratio":
        text = f"{_sig(abs(v), 2)}×"
    elif unit in ("index", "signed_index"):
        text = f"{abs(v):.3f}"
    else:
        text = value(abs(v), unit)
    if unit != "share":
        text = ("+" if v > 0 else "-") + text
    return text.replace("-", "−")


def difference(mid: Any, lo: Any, hi: Any, unit: str) -> str:
    """A paired difference with its interval: ``−146 [−155 to −137]``, ``+7.5 pp [+7.1 to
    +7.9]``; the difference alone when the interval is missing (one replicate) or empty.
    The ends are written like the difference (same scale for counts); "to" and not a dash
    separates them, as both can be negative.
    """
    text = signed(mid, unit)
    if _missing(mid) or _missing(lo) or _missing(hi) \
            or signed(lo, unit) == signed(hi, unit) == text:
        return text
    if unit == "count":
        ends = [_signed_count(x, float(mid)) for x in (lo, hi)]
    else:
        ends = [signed(x, unit).removesuffix(" pp").removesuffix("×") for x in (lo, hi)]
    return f"{text} [{ends[0]} to {ends[1]}]"


def _third_digit(v: float) -> float:
    """The place of ``v``'s third significant digit, at least 1 (1 for 0)."""
    return 10.0 ** max(math.floor(math.log10(abs(v))) - 2, 0) if v else 1.0


def _round3(v: float) -> float:
    """``v`` rounded to three significant digits (at least to a whole number)."""
    place = _third_digit(v)
    return round(v / place) * place


def _signed_count(v: float, mid: float) -> str:
    """An end of :func:`difference`'s interval on a count, signed, in the scale of the
    difference ``mid`` and with as many decimals as it has, without the suffix: ``−1.20``
    and ``+0.03`` beside ``−1.15 M``.
    """
    div, suffix = scale_of(mid)
    if not suffix:     # to the place of the difference's third significant digit
        v = float(snap(v, "count"))
        place = _third_digit(mid)
        return f"{round(v / place) * place:+,.0f}".replace("-", "−") if v else "0"
    mid_digits = signed(mid, "count").removesuffix(f" {suffix}")
    decimals = len(mid_digits.split(".")[1]) if "." in mid_digits else 0
    v = float(snap(v, "count")) / div
    return f"{v:+,.{decimals}f}".replace("-", "−")


def tick_formatter(unit: str) -> Any:
    """A matplotlib tick formatter writing ticks the way :func:`value` writes values
    (shares as ``40%``, counts as ``1.5 bn``); tiny noise ticks read ``0``.
    """
    import matplotlib.ticker as mticker

    def fmt(x: float, _pos: int | None = None) -> str:
        if unit == "share":
            x = float(snap(x, "share"))
            return f"{100 * x:.0f}%" if abs(100 * x - round(100 * x)) < 1e-9 \
                else f"{100 * x:.1f}%"
        if unit in ("index", "signed_index", "ratio"):  # ticks: 0.1, +0.05, 2.5×
            x = float(snap(x, unit))
            text = f"{x:+.3g}" if unit == "signed_index" and x else f"{x:.3g}"
            return text.replace("-", "−") + ("×" if unit == "ratio" else "")
        if unit == "count":  # ticks: as few digits as the tick needs (2 bn, 2.5 bn)
            div, suffix = scale_of(x)
            if not suffix and abs(x) >= 1000:   # 250,000, never 2.5e+05
                return f"{x:,.0f}".replace("-", "−")
            return (f"{x / div:,.3g} {suffix}".strip() if abs(x) >= 1 or x == 0
                    else f"{x:g}").replace("-", "−")
        if unit == "per_million" and float(x).is_integer():   # ticks 0, 5, 10, not 5.0
            return f"{x:,.0f}"
        return value(x, unit)

    return mticker.FuncFormatter(fmt)
