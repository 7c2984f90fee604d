"""Text on the plots' Agg canvas, drawn and measured with the same FreeType calls as
matplotlib but without its per-text and per-glyph overheads: the same pixels, ~3x faster.

Measured (matplotlib 3.11, DejaVu Sans, one process; docs/SPEED_FINDINGS.md, plots15):
matplotlib's Agg renderer shapes every text twice (once to measure it, once to draw it,
~0.3-1 ms each), reads the font file through Python file-object callbacks (~270 seeks
and ~120 reads per layout), sets the font size again before each glyph (which reruns
the font's hinting program, ~27 us) and renders every glyph afresh (~20-40 us). Text was
~40% of a plot's CPU. :class:`TextRenderer` (the renderer of
:class:`sim.output.plots.png.CroppingCanvas`) keeps, per process:

- one FreeType face per font file, read from memory (``FT2Font`` on the file's bytes:
  layout ~2.8x and glyph rendering ~2.5x faster than through the file);
- each text's metrics and each text's layout (glyph indices and positions), by text,
  font, size and dpi: a text measured or drawn again (tick labels are measured up to
  three times per figure; texts repeat across plots) is not shaped again;
- the font-wide height metrics ``Text._get_layout`` asks its renderer for first (the
  documented ``_get_font_height_metrics`` hook), instead of a font look-up and two
  font-table reads on every layout (~85 us);
- each glyph's bitmap, by glyph and by its sub-pixel offset (FreeType's 1/64 px): a
  glyph at the same fractional position renders to the same bitmap, only moved by
  whole pixels (the hinting happens before the offset is applied).

It draws every glyph with the same calls, arguments and order as
``RendererAgg.draw_text`` (matplotlib 3.11), so the pixels are the same; it needs three
of ``FT2Font``'s private methods (``_layout``, ``_set_transform``, ``_render_glyph``)
and the renderer's ``draw_text_image``, so it is guarded: before its first use in a
process it draws probe texts both ways and compares the pixels and the text extents
(:func:`fast_text_ok`); if anything differs or fails, or for any text it does not
handle (math text, TeX, font features or a language, several font families, a
character the font lacks, a ``text.kerning_factor``), the text goes through
matplotlib's own path. Caches are emptied past :data:`MAX_ENTRIES` entries.
tests/output/plots/test_text.py compares whole plots both ways.
"""

from __future__ import annotations

import io
import math
import threading
from typing import Any

import numpy as np
from matplotlib import rcParams
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font, RenderMode

#: Whether the fast path may be used in this process: None until checked
#: (:func:`fast_text_ok`); False turns it off (tests compare both ways).
ENABLED: bool | None = None

#: Per process: a font per (file, face index, thread); what a font property resolves to;
#: metrics, layouts and glyph bitmaps (see the module's docstring).
_FONTS: dict[tuple[str, int, int], tuple[FT2Font, frozenset[str]]] = {}
_PROPS: dict[tuple[Any, ...], tuple[Any, ...] | None] = {}
_METRICS: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_LAYOUTS: dict[tuple[Any, ...], tuple[tuple[int, float, float], ...]] = {}
_GLYPHS: dict[tuple[Any, ...], tuple[np.ndarray, int, int]] = {}
_HEIGHTS: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
#: Probe texts of :func:`fast_text_ok`: (text, size in points, angle).
PROBES = (("Afghanistan 22.0% ≥1 dose – AV Wa", 10.0, 0.0), ("million doses", 10.0, 90.0),
          ("2022-10", 10.0, 30.0), ("Lower-middle income (fi)", 7.0, 0.0),
          ("Deaths averted", 12.0, 45.0))


#: Entries a cache may hold before it is emptied (a long-lived process drawing many
#: different texts; a run's plots need ~300 texts and ~4,000 glyph bitmaps).
MAX_ENTRIES = 100_000


def _ready(font: Any) -> None:
    """``font`` as matplotlib's ``get_font`` and ``_prepare_font`` hand it out (identity
    transform, cleared) before it is measured or laid out; the caches kept in bounds.
    """
    font._set_transform([[0x10000, 0], [0, 0x10000]], [0, 0])
    font.clear()
    for cache in (_METRICS, _LAYOUTS, _GLYPHS):
        if len(cache) > MAX_ENTRIES:
            cache.clear()


def _prop_key(prop: FontProperties) -> tuple[Any, ...]:
    """What ``hash(prop)`` covers (matplotlib's own text caches key on it too)."""
    return (tuple(prop.get_family()), prop.get_slant(), prop.get_variant(),
            prop.get_weight(), prop.get_stretch(), prop.get_size_in_points(),
            prop.get_file(), prop.get_math_fontfamily())


def _font(prop: FontProperties) -> tuple[Any, ...] | None:
    """(font key, FT2Font read from memory, characters it has) for ``prop``, or None
    when matplotlib would look in several font files (several families).
    """
    key = _prop_key(prop)
    if key in _PROPS:
        found = _PROPS[key]
    else:
        found = None
        if len(prop.get_family()) == 1:
            path = findfont(prop)
            index = int(getattr(path, "face_index", 0))
            fkey = (str(path), index, threading.get_ident())
            if fkey not in _FONTS:
                with open(path, "rb") as f:
                    font = FT2Font(io.BytesIO(f.read()), face_index=index)
                chars = frozenset(map(chr, font.get_charmap()))
                _FONTS[fkey] = (font, chars)
            found = (fkey, *_FONTS[fkey])
        _PROPS[key] = found
    return found


def _fast(s: str, prop: FontProperties, ismath: Any) -> tuple[Any, ...] | None:
    """The font for drawing ``s`` the fast way, or None to leave it to matplotlib."""
    if ismath is not False or not ENABLED and not fast_text_ok():
        return None
    if rcParams.get("text.kerning_factor"):  # matplotlib's fonts then kern differently
        return None
    found = _font(prop)
    if found is None or not found[2].issuperset(s):
        return None
    return found


class TextRenderer(RendererAgg):
    """``RendererAgg`` with text measured and drawn from per-process caches (see the
    module's docstring); every picture is the same as ``RendererAgg``'s.
    """

    def get_text_width_height_descent(self, s: str, prop: FontProperties,
                                      ismath: Any) -> tuple[float, float, float]:
        """Width, height and descent of ``s`` in pixels, as ``RendererAgg``'s."""
        found = _fast(s, prop, ismath)
        if found is None:
            return super().get_text_width_height_descent(s, prop, ismath)
        return self._measure(s, found[0], found[1], prop.get_size_in_points())

    def _measure(self, s: str, fkey: Any, font: FT2Font,
                 size: float) -> tuple[float, float, float]:
        """``RendererAgg.get_text_width_height_descent`` (matplotlib 3.11), kept."""
        flags = get_hinting_flag()
        key = (s, fkey, size, self.dpi, flags)
        metrics = _METRICS.get(key)
        if metrics is None:
            _ready(font)
            font.set_size(size, self.dpi)
            font.set_text(s, 0.0, flags=flags)
            w, h = font.get_width_height()
            metrics = _METRICS[key] = (w / 64.0, h / 64.0, font.get_descent() / 64.0)
        return metrics

    def _get_font_height_metrics(self, prop: FontProperties) -> tuple[Any, Any, Any]:
        """(ascent, descent, line gap) in pixels of ``prop``'s font, as ``Text._get_layout``
        computes them (matplotlib 3.11) when its renderer does not (it asks for them
        first, once per layout: ~85 us of font look-up and font tables each time); (None,
        None, None): matplotlib works them out itself.
        """
        found = _fast("", prop, False)
        if found is None:
            return None, None, None
        key = (found[0], prop.get_size_in_points(), self.dpi)
        metrics = _HEIGHTS.get(key)
        if metrics is None:
            metrics = _HEIGHTS[key] = _height_metrics(found[1], prop.get_size_in_points(),
                                                      self.dpi)
        return metrics

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: FontProperties,
                  angle: float, ismath: Any = False, mtext: Any = None) -> None:
        """Draw ``s`` as ``RendererAgg.draw_text`` does (same glyphs, same places)."""
        found = _fast(s, prop, ismath)
        if found is None or (mtext is not None and (
                getattr(mtext, "get_fontfeatures", lambda: None)() is not None
                or getattr(mtext, "get_language", lambda: None)() is not None)):
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            return
        self._draw_glyphs(gc, x, y, s, found[0], found[1], prop.get_size_in_points(), angle)

    def _draw_glyphs(self, gc: Any, x: float, y: float, s: str, fkey: Any, font: Any,
                     size: float, angle: float) -> None:
        """The glyph loop of ``RendererAgg._draw_text_glyphs_and_boxes`` (matplotlib
        3.11) with the layout, the font size and the glyph bitmaps kept.
        """
        flags = get_hinting_flag()
        dpi = self.dpi
        x, y = float(x), float(y)  # round() of a numpy float is 10x slower
        lkey = (s, fkey, size, dpi, flags)
        items = _LAYOUTS.get(lkey)
        if items is None:
            _ready(font)
            font.set_size(size, dpi)
            items = _LAYOUTS[lkey] = tuple((item.glyph_index, item.x, item.y)
                                           for item in font._layout(s, flags=flags))
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        aa = bool(gc.get_antialiased())
        height = self.height
        base = int(height)
        matrix: Any = None
        draw = self._renderer.draw_text_image
        for glyph, dx, dy in items:  # dy is upwards
            tx = round(0x40 * (x + dx * cos - dy * sin))
            ty = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y: upwards
            gkey = (fkey, size, dpi, flags, aa, angle, glyph, tx & 63, ty & 63)
            cached = _GLYPHS.get(gkey)
            if cached is None:
                if matrix is None:
                    font.set_size(size, dpi)
                    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])
                              @ [[1, 0], [0, 1]]).round().astype(int)
                font._set_transform(matrix, [tx, ty])
                bitmap = font._render_glyph(glyph, flags,
                                            RenderMode.NORMAL if aa else RenderMode.MONO)
                buffer = bitmap.buffer
                if not aa:
                    buffer = buffer * 0xff
                cached = _GLYPHS[gkey] = (buffer, bitmap.left - (tx >> 6),
                                          bitmap.top - (ty >> 6))
            buffer, left, top = cached
            # draw_text_image's y is downwards and the bitmap's bottom side
            draw(buffer, left + (tx >> 6), base - (top + (ty >> 6)) + buffer.shape[0], 0, gc)


def _height_metrics(font: FT2Font, size: float, dpi: float) -> tuple[Any, Any, Any]:
    """The font-wide ascent, descent and line gap of ``Text._get_layout`` (matplotlib 3.11:
    the OS/2 table's typographic metrics, else the hhea table's), same arithmetic.
    """
    possible = [("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                ("hhea", "lineGap", "ascent", "descent")]
    for table_name, linegap_key, ascent_key, descent_key in possible:
        table: Any = font.get_sfnt_table(table_name)  # type: ignore[call-overload]
        if table is None:
            continue
        head: Any = font.get_sfnt_table("head")
        scale = 1 / head["unitsPerEm"] * size * dpi / 72
        return (table[ascent_key] * scale, -table[descent_key] * scale,
                table[linegap_key] * scale)
    return None, None, None


def fast_text_ok() -> bool:
    """Whether :class:`TextRenderer`'s own path draws exactly as matplotlib's (probe
    texts both ways, pixel for pixel, at fractional positions and several angles);
    checked once per process (sets :data:`ENABLED`). Any difference or error: False.
    """
    global ENABLED
    if ENABLED is not None:
        return ENABLED
    ENABLED = False
    try:
        ENABLED = _probe()
    except Exception:  # noqa: BLE001  (any failure: matplotlib's own path)
        ENABLED = False
    return ENABLED


def _probe() -> bool:
    dpi = 110.0
    stock, fast = RendererAgg(400, 400, dpi), TextRenderer(400, 400, dpi)
    for renderer in (stock, fast):
        gc = renderer.new_gc()
        gc.set_foreground((0.2, 0.4, 0.6, 0.9), isRGBA=True)
        for i, (s, size, angle) in enumerate(PROBES):
            prop = FontProperties(size=size)
            x, y = 20.37 + 13.1 * i, 300.71 - 41.3 * i
            if renderer is fast:
                found = _font(prop)
                if found is None or not found[2].issuperset(s):
                    return False
                if fast._measure(s, found[0], found[1], size) != (
                        RendererAgg.get_text_width_height_descent(stock, s, prop, False)):
                    return False
                fast._draw_glyphs(gc, x, y, s, found[0], found[1], size, angle)
                fast._draw_glyphs(gc, x + 0.5, y + 60.25, s, found[0], found[1], size, angle)
            else:
                renderer.draw_text(gc, x, y, s, prop, angle)
                renderer.draw_text(gc, x + 0.5, y + 60.25, s, prop, angle)
        gc.restore()
    return (bytes(stock.buffer_rgba()) == bytes(fast.buffer_rgba())
            and _extents(stock) == _extents(fast))


def _extents(renderer: RendererAgg) -> list[tuple[float, ...]]:
    """Bounds of the probe texts (and a two-line one) laid out by ``renderer``: the
    same with :class:`TextRenderer`'s font height metrics as with matplotlib's.
    """
    from matplotlib.figure import Figure

    fig = Figure(dpi=renderer.dpi)
    texts = [fig.text(0.1, 0.2, s, fontsize=size, rotation=angle) for s, size, angle in PROBES]
    texts.append(fig.text(0.3, 0.4, "two\nlines", fontsize=9, linespacing=1.3))
    return [tuple(t.get_window_extent(renderer).bounds) for t in texts]
