"""The glyph renderer draws text with exactly matplotlib's pixels, faster."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from sim.output.plots import glyphs
from sim.output.plots.png import CroppingCanvas
from sim.output.plots.style import STYLE, figure


def _text_figure():
    with plt.rc_context(STYLE):
        fig, ax = figure((5, 4))
        ax.plot([0, 1], [0, 1], label="line ≥ 40% – √doses × 2")
        for i, (size, angle) in enumerate([(7, 0), (8, 30), (10, 90), (12, 0), (9, -15)]):
            ax.text(0.1, 0.15 * i + 0.05, f"Central African Republic {i}: 22.1%",
                    fontsize=size, rotation=angle)
        ax.text(0.5, 0.5, r"$\sqrt{x^2} \geq \alpha$ and plain", fontsize=9)  # mathtext
        ax.set_title("Côte d'Ivoire, São Tomé: 1.5 bn doses")
        ax.set_xlabel("longitude (°)")
        ax.legend(loc="lower right")
    return fig


def _pixels(canvas_class):
    fig = _text_figure()
    canvas = canvas_class(fig, 11) if canvas_class is CroppingCanvas else canvas_class(fig)
    with plt.rc_context(STYLE):
        canvas.draw()
    assert isinstance(canvas.get_renderer(), glyphs.GlyphRenderer) == (
        canvas_class is CroppingCanvas)
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("fast", [True, False])
def test_same_pixels_as_matplotlib(fast, monkeypatch):
    monkeypatch.setattr(glyphs, "FAST", fast and glyphs.FAST)
    want = _pixels(FigureCanvasAgg)
    got = _pixels(CroppingCanvas)
    assert (want != 255).any()
    assert np.array_equal(got, want)
