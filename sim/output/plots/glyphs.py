"""Agg text drawing at half the cost, same pixels.

Matplotlib 3.11's Agg renderer draws text glyph by glyph in Python, and before each
glyph it sets the font's size again and rebuilds the same rotation matrix with numpy.
Setting a TrueType font's size makes FreeType run the font's hinting program again on
the next glyph, so each glyph costs ~145 us instead of ~70 us; text is a third of the
drawing time of vaxsim's figures (tick labels, country names, value labels).
:class:`GlyphRenderer` draws the glyphs of one text with the same FreeType calls, but
sets a font's size only when the font or size changes and builds the matrix once per
text. The pixels are the same (tests/output/plots/test_glyphs.py compares them).

Used only where matplotlib has the per-glyph loop it replaces (:data:`FAST`); elsewhere
:class:`GlyphRenderer` is matplotlib's own renderer.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag

try:
    from matplotlib.ft2font import FT2Font, RenderMode

    _LOOP = (hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")
             and hasattr(FT2Font, "_render_glyph") and hasattr(FT2Font, "_set_transform"))
except ImportError:  # pragma: no cover - matplotlib before 3.10
    _LOOP = False

#: The per-glyph loop this module replaces exists in this matplotlib.
FAST = _LOOP


class GlyphRenderer(RendererAgg):
    """:class:`RendererAgg` drawing text glyphs without re-setting the font size per
    glyph (see the module's docstring).
    """

    def _draw_text_glyphs_and_boxes(self, gc: Any, x: float, y: float, angle: float,
                                    glyphs: Any, boxes: Any) -> None:
        if not FAST or boxes:  # boxes: mathtext's rules, left to matplotlib
            super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
            return
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        rotation = 0x10000 * np.array([[cos, -sin], [sin, cos]])
        load_flags = get_hinting_flag()
        mode = RenderMode.NORMAL if gc.get_antialiased() else RenderMode.MONO
        height, top = self.height, int(self.height)
        draw = self._renderer.draw_text_image
        matrices: dict[tuple[float, float], np.ndarray] = {}
        sized: tuple[Any, float] | None = None
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:  # dy is upwards
            if sized is None or sized[0] is not font or sized[1] != size:
                font.set_size(size, self.dpi)
                sized = (font, size)
            matrix = matrices.get((slant, extend))
            if matrix is None:
                matrix = matrices[(slant, extend)] = (
                    rotation @ [[extend, extend * slant], [0, 1]]).round().astype(int)
            font._set_transform(matrix, [round(0x40 * (x + dx * cos - dy * sin)),
                                         round(0x40 * (height - y + dx * sin + dy * cos))])
            bitmap = font._render_glyph(glyph_index, load_flags, mode)
            buffer = bitmap.buffer
            if mode is RenderMode.MONO:
                buffer *= 0xff
            draw(buffer, bitmap.left, top - bitmap.top + buffer.shape[0], 0, gc)
