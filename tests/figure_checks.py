"""Checks every vaxsim figure must pass, on matplotlib's own objects (not pixels): a
sensible PNG size, a title, labelled axes with units, no empty panel.
"""

import re

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from sim.output.plots.style import save

#: An axis label says its unit (or what a category axis holds) with one of these.
UNITS = re.compile(r"\(.+\)|%|\bdate\b|\bcountry\b|\bdonor\b|\bscenario\b|income group|"
                   r"parameter|longitude|latitude|index|×", re.IGNORECASE)
MAX_PX, MIN_PX, MAX_ASPECT = 2600, 300, 4.0


def panels(fig):
    """Visible axes that are not colour bars."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def has_data(ax) -> bool:
    lines = any(len(np.atleast_1d(ln.get_xdata())) > 0 for ln in ax.get_lines())
    patches = any(p.get_visible() for p in ax.patches)
    collections = any(len(c.get_paths()) or len(getattr(c, "get_offsets", list)())
                      for c in ax.collections)
    return lines or patches or collections or bool(ax.images)


def check_figure(fig, tmp_path, name="plot"):
    """Assert the figure's checks; return the PNG path written through sim's save()."""
    assert isinstance(fig, Figure)
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    assert title or all(ax.get_title() for ax in panels(fig)), "figure has no title"
    assert panels(fig), "no panel"
    for ax in panels(fig):
        where = f"panel {ax.get_title()!r}"
        assert has_data(ax), f"{where} is empty"
        for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
            if not label.strip():  # a shared axis may be labelled once, on a sibling
                shared = ax.get_shared_y_axes() if axis == "y" else ax.get_shared_x_axes()
                label = " ".join((a.get_ylabel() if axis == "y" else a.get_xlabel())
                                 for a in shared.get_siblings(ax))
            assert label.strip(), f"{where}: {axis} axis has no label"
            assert UNITS.search(label), f"{where}: {axis} label {label!r} names no unit"
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            assert (ax.get_xlabel() + ax.get_ylabel()).strip(), "colour bar has no label"
    path = save(fig, tmp_path / f"{name}.png")
    with Image.open(path) as im:
        w, h = im.size
    assert MIN_PX <= w <= MAX_PX and MIN_PX <= h <= MAX_PX, (w, h)
    assert max(w / h, h / w) <= MAX_ASPECT, (w, h)
    return path


def bar_heights(ax):
    """Heights of the bars (vertical) or widths (horizontal) on ``ax``."""
    from matplotlib.patches import Rectangle

    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    return np.array([r.get_height() if r.get_width() < 1 else r.get_width() for r in rects])
