"""The one-pass cropped PNG writer: same crop as matplotlib's "tight" (to a few pixels),
nothing cut when the drawing sticks out past the margin, opaque figures as RGB.
"""

import io

import numpy as np
import pytest
from PIL import Image

from sim.output.plots import png
from sim.output.plots.style import STYLE, figure, legend_outside, new_figure, save


def _tight_size(fig) -> tuple[int, int]:
    """Pixel size matplotlib's own savefig(bbox_inches="tight") gives ``fig``."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    with plt.rc_context(STYLE):
        fig.savefig(buf, format="png", bbox_inches="tight")
    return Image.open(buf).size


def _fig(legend_far: float = 1.01):
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE):
        fig, ax = figure((6, 3))
        for i in range(3):
            ax.plot([0, 1, 2], [i, i + 1, i * 2], label=f"a long legend entry number {i}")
        ax.set_title("title")
        ax.set_xlabel("x (unit)")
        ax.set_ylabel("y (unit)")
        ax.legend(loc="upper left", bbox_to_anchor=(legend_far, 1.0))
    return fig


def test_crop_matches_tight_bbox(tmp_path):
    want = _tight_size(_fig())
    with Image.open(save(_fig(), tmp_path / "a.png")) as im:
        assert im.mode == "RGB"
        assert abs(im.size[0] - want[0]) <= 12 and abs(im.size[1] - want[1]) <= 12, (
            im.size, want)


def test_outside_legend_kept(tmp_path):
    """A legend outside the axes (vaxsim's legend_outside) widens the margin."""
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE):
        fig, ax = figure((4, 3))
        for i in range(6):
            ax.plot([0, 1], [i, i], label=f"a rather long legend label, entry {i}")
        ax.set_xlabel("x (unit)")
        legend_outside(ax)
    want = _tight_size(fig)
    with Image.open(save(fig, tmp_path / "b.png")) as im:
        assert im.size[0] >= want[0] - 12
        right = np.asarray(im)[:, -8:]
        assert (right == 255).all(), "the margin on the right is blank (nothing cut)"


def test_spill_falls_back_to_exact_crop(tmp_path, monkeypatch):
    """A line far out of the figure (not clipped) reaches the canvas' edge: saved the
    exact way. A text far out is measured first and drawn on a wider canvas.
    """
    import matplotlib.pyplot as plt

    calls = []
    real = png.CroppingCanvas.print_png

    def spy(self, *a, **k):
        calls.append(self.crop)
        return real(self, *a, **k)

    monkeypatch.setattr(png.CroppingCanvas, "print_png", spy)
    with plt.rc_context(STYLE):
        fig, ax = figure((4, 3))
        ax.plot([0, 1], [0, 1])
        ax.text(3.0, 0.5, "far out on the right", transform=ax.transAxes)
    want = _tight_size(fig)
    calls.clear()  # the figure is on a CroppingCanvas already: savefig went through it
    with Image.open(save(fig, tmp_path / "c.png")) as im:
        assert calls == [True]
        assert abs(im.size[0] - want[0]) <= 12 and abs(im.size[1] - want[1]) <= 12
    calls.clear()
    with plt.rc_context(STYLE):
        fig, ax = figure((4, 3))
        ax.plot([0, 4], [0, 1], clip_on=False, lw=3)
        ax.set_xlim(0, 1)
    want = _tight_size(fig)
    calls.clear()
    with Image.open(save(fig, tmp_path / "d.png")) as im:
        assert calls == [True, False]
        assert abs(im.size[0] - want[0]) <= 2 and abs(im.size[1] - want[1]) <= 2


@pytest.mark.parametrize("alpha", [255, 0])
def test_write_png_rgb_when_opaque(tmp_path, alpha):
    rgba = np.full((5, 7, 4), 200, np.uint8)
    rgba[..., 3] = 255
    rgba[0, 0, 3] = alpha
    png.write_png(rgba, tmp_path / "d.png", 100)
    with Image.open(tmp_path / "d.png") as im:
        assert im.mode == ("RGB" if alpha == 255 else "RGBA")
        assert np.array_equal(np.asarray(im), rgba[..., :3] if alpha == 255 else rgba)


def test_rgb_png_reads_back_with_its_resolution_and_note(tmp_path):
    """The hand-written RGB PNG: PIL reads the same pixels, the dpi and the note."""
    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    png.write_png(rgba[3:, 5:], tmp_path / "e.png", 110)  # a crop: not contiguous
    buf = io.BytesIO()
    png.write_png(rgba, buf, 110)
    with Image.open(tmp_path / "e.png") as im, Image.open(io.BytesIO(buf.getvalue())) as whole:
        im.load()
        assert im.mode == "RGB" and im.size == (48, 34)
        assert np.array_equal(np.asarray(im), rgba[3:, 5:, :3])
        assert np.array_equal(np.asarray(whole), rgba[..., :3])
        assert im.info["dpi"] == pytest.approx((110, 110), abs=0.01)
        assert im.info["Software"].startswith("Matplotlib version")


def test_ink_box():
    rgba = np.full((10, 12, 4), 255, np.uint8)
    assert png.ink_box(rgba) is None
    rgba[3:6, 4, :3] = 0
    rgba[8, 9, 0] = 254
    assert png.ink_box(rgba) == ((3, 9), (4, 10))


def _ranked_fig(fig):
    """A two-panel figure with a suptitle, a legend outside and tight_layout, on ``fig``."""
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE):
        a1, a2 = fig.subplots(1, 2)
        for ax in (a1, a2):
            ax.plot([0, 1, 2], [3, 1, 2], label="a line")
            ax.set_yticks([1, 2, 3], ["Côte d'Ivoire", "Bosnia and Herzegovina", "Chad"])
            ax.set_xlabel("x (unit)")
        legend_outside(a2)
        fig.suptitle("a title")
        fig.tight_layout()
    return fig


def test_shared_renderer_draws_the_same_pixels(tmp_path):
    """A figure on the shared-renderer canvas (``new_figure``) is written pixel for pixel as
    the same figure on a fresh canvas of its own size.
    """
    from matplotlib.figure import Figure

    shared = _ranked_fig(new_figure((6, 3)))
    fresh = Figure(figsize=(6, 3))
    _ranked_fig(fresh)
    assert isinstance(shared.canvas, png.CroppingCanvas)
    assert not isinstance(fresh.canvas, png.CroppingCanvas)
    with Image.open(save(shared, tmp_path / "a.png")) as a, \
            Image.open(save(fresh, tmp_path / "b.png")) as b:
        assert a.size == b.size
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_texts_measured_once_per_figure(monkeypatch, tmp_path):
    """Layout, legend extents and the draw share one renderer: no text is measured twice."""
    renderer = type(new_figure((1, 1)).canvas.get_renderer())  # the text renderer
    seen: list[tuple] = []
    real = renderer.get_text_width_height_descent

    def spy(self, s, prop, ismath):
        seen.append((id(self), s, prop.get_size_in_points(), ismath))
        return real(self, s, prop, ismath)

    monkeypatch.setattr(renderer, "get_text_width_height_descent", spy)
    save(_ranked_fig(new_figure((6, 3))), tmp_path / "a.png")
    assert seen and len({k[0] for k in seen}) == 1
    assert len(seen) == len(set(seen))


def test_shared_renderer_grows_when_the_figure_does_not_fit():
    fig, _ = figure((2, 1))
    canvas = fig.canvas
    small = canvas.get_renderer()
    assert canvas.get_renderer() is small
    assert small.width >= fig.bbox.width + png.SLACK_IN[0] * fig.dpi - 1
    fig.set_size_inches(2 + 2 * png.SLACK_IN[0], 1)
    big = canvas.get_renderer()
    assert big is not small and big.width >= fig.bbox.width
