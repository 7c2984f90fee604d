"""The plots' text renderer (sim.output.plots.text): the same pixels as matplotlib's own
Agg text path, texts it does not handle left to matplotlib, and matplotlib's path alone
when the probe finds any difference.
"""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from worlds import small_results

from sim.output.plots import draw, plot_jobs, text
from sim.output.plots.style import STYLE, figure, legend_outside, save


def _figure():
    """Texts of every kind the plots draw, and some they do not."""
    with plt.rc_context(STYLE):
        fig, axes = figure((8, 4), 1, 2)
        for i, ax in enumerate(axes):
            for k in range(3):
                ax.plot([0, 1, 2], [k, k + i, 2 * k], label=f"Lower-middle income {k} – ≥1 dose")
            ax.set_title(f"Panel {i}: doses per 100 (AV Wa ffi)", fontsize=9)
            ax.set_xlabel("Date")
            ax.set_ylabel("million doses")
            ax.text(0.3 + 0.011 * i, 1.27, "22.0%", fontsize=7, color=(0.1, 0.5, 0.2, 0.6))
            ax.text(0.3 + 0.011 * i, 1.77, "22.0%", fontsize=7)  # the same text elsewhere
            ax.text(1.1, 0.5, "rotated 30°", rotation=30)
            ax.text(0.5, 2.5, "not antialiased", antialiased=False)
            ax.text(0.2, 3.0, r"math: $x^2_i$")
            ax.text(0.2, 3.5, "a glyph the font lacks: 漢")
            for label in ax.get_xticklabels():
                label.set_rotation(30)
        legend_outside(axes[1])
        fig.suptitle("Title: coverage (≥1 dose) on 2022-12-31")
    return fig


def _pixels(path):
    with Image.open(path) as im:
        return np.asarray(im).copy()


@pytest.mark.filterwarnings("ignore:Glyph")  # the lacking glyph, drawn from the fallback
def test_same_pixels_as_matplotlib(tmp_path, monkeypatch):
    assert text.fast_text_ok()
    fast = _pixels(save(_figure(), tmp_path / "fast.png"))
    monkeypatch.setattr(text, "ENABLED", False)
    stock = _pixels(save(_figure(), tmp_path / "stock.png"))
    assert fast.shape == stock.shape
    assert np.array_equal(fast, stock)


def test_used_for_plain_text_only(tmp_path):
    """Plain texts are kept (measured and laid out once); math text is not."""
    assert text.fast_text_ok()
    text._LAYOUTS.clear()
    text._METRICS.clear()
    with pytest.warns(UserWarning, match="Glyph"):
        save(_figure(), tmp_path / "a.png")
    drawn = {key[0] for key in text._LAYOUTS}
    assert "22.0%" in drawn and "Date" in drawn and "rotated 30°" in drawn
    assert not any("$" in s or "漢" in s for s in drawn)
    assert {key[0] for key in text._METRICS} >= drawn - {"not antialiased"}


def test_probe_failure_falls_back(tmp_path, monkeypatch):
    def broken() -> bool:
        raise AttributeError("FT2Font._render_glyph")

    monkeypatch.setattr(text, "ENABLED", None)
    monkeypatch.setattr(text, "_probe", broken)
    assert text.fast_text_ok() is False
    layouts = len(text._LAYOUTS)
    buf = io.BytesIO()
    with plt.rc_context(STYLE):
        fig, ax = figure((3, 2))
        ax.set_title("a title never drawn before (fallback)")
    fig.savefig(buf, format="png")
    assert len(text._LAYOUTS) == layouts


def test_probe_detects_a_difference(monkeypatch):
    """A glyph drawn anywhere else than matplotlib draws it turns the fast path off."""
    real = text.TextRenderer._draw_glyphs

    def shifted(self, gc, x, y, *args):
        real(self, gc, x + 1, y, *args)

    monkeypatch.setattr(text, "ENABLED", None)
    monkeypatch.setattr(text, "_GLYPHS", {})
    monkeypatch.setattr(text.TextRenderer, "_draw_glyphs", shifted)
    assert text.fast_text_ok() is False


@pytest.mark.slow
def test_run_plots_same_pixels(tmp_path, monkeypatch):
    """Every plot of a small run: the same PNG bytes either way."""
    res = small_results(seeds=(1,), days=60)
    jobs = plot_jobs(res)
    for job in jobs:
        draw(job, tmp_path / "fast")
    monkeypatch.setattr(text, "ENABLED", False)
    for job in jobs:
        draw(job, tmp_path / "stock")
    drawn = sorted(p.name for p in (tmp_path / "fast").iterdir())
    assert drawn == sorted(p.name for p in (tmp_path / "stock").iterdir()) and drawn
    for name in drawn:
        assert (tmp_path / "fast" / name).read_bytes() == (
            tmp_path / "stock" / name).read_bytes(), name


@pytest.mark.filterwarnings("ignore:The (text.kerning_factor|_kerning_factor)")  # deprecated
def test_kerning_factor_left_to_matplotlib(tmp_path):
    """A kerning factor changes matplotlib's fonts, not the renderer's own: not used."""
    assert text.fast_text_ok()
    text._LAYOUTS.clear()
    with plt.rc_context({**STYLE, "text.kerning_factor": 6}):
        fig, ax = figure((3, 2))
        ax.set_title("kerned AV Wa")
        save(fig, tmp_path / "k.png")
    assert not text._LAYOUTS


def test_caches_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(text, "MAX_ENTRIES", 5)
    with plt.rc_context(STYLE):
        fig, ax = figure((4, 3))
        for i in range(40):
            ax.text(0.02 * i, 0.5, f"t{i}")
        save(fig, tmp_path / "b.png")
    assert len(text._LAYOUTS) <= 6 and len(text._METRICS) <= 6
