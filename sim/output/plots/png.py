"""Writing a figure as a cropped PNG in one drawing pass.

``savefig(bbox_inches="tight")`` lays the whole figure out twice before it draws it
(once to measure the tight box, once more inside the draw), and every layout pass runs
every axis' tick locator and formatter and measures every tick label: on vaxsim's
figures a pass costs as much as half a draw. :func:`save_png` draws once instead, on a
canvas larger than the figure by :data:`MARGIN_IN` on each side (and wide enough for
every legend and free text, which vaxsim places outside its axes), and crops the pixels to what was
drawn (the "ink") plus ``savefig.pad_inches``. When the ink reaches the canvas' edge
(something sticks out further than the margin), the figure is saved the exact way
instead: measured tight box, then drawn, so nothing is ever cut.

The PNG is written as RGB when every pixel is opaque (vaxsim's figures have a white
background) at zlib level 1, without PNG row filters, by :func:`rgb_png`: the same
pixels, a file ~5% smaller than matplotlib's RGBA at level 6, in a sixth of its
encoding time.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from sim.output.plots.text import TextRenderer

#: Blank border (inches) drawn around the figure and its legends before cropping.
MARGIN_IN = 0.5
#: Room (inches: width, height) the shared renderer has beyond the figure it is made
#: for: both margins and a legend or two placed outside the axes.
SLACK_IN = (2 * MARGIN_IN + 4.0, 2 * MARGIN_IN + 1.5)
#: The PNGs' "Software" note, as matplotlib writes it.
SOFTWARE = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
#: zlib level of the PNGs (1: fastest; 6, matplotlib's, is ~2x slower for ~5% less).
COMPRESS_LEVEL = 1


class Spill(Exception):
    """The drawing reached the canvas' edge: the margin was too small to crop by ink."""


class CroppingCanvas(FigureCanvasAgg):
    """Agg canvas whose PNG output is written by :func:`write_png` and, when ``crop``
    (:func:`save_png` sets it), cropped to the drawn pixels plus ``pad_px`` (raises
    :class:`Spill` when the drawing touches the canvas' edge).

    Its renderer is made once, :data:`SLACK_IN` larger than the figure, and serves every
    later size up to that: the layout (``tight_layout``), the legends' extents and the
    draw on the wider cropping canvas all measure their texts with one renderer, and
    matplotlib keeps text metrics per renderer, so each text is measured once, not up to
    three times (~-0.25 s over a run's plots). A figure of size (w, h) pixels is drawn
    in the renderer's bottom-left (w, h) corner (matplotlib's y axis points up).
    """

    def __init__(self, figure: Figure, pad_px: int = 0):
        super().__init__(figure)
        self.pad_px, self.crop = pad_px, False  # save_png crops; a plain savefig not
        self.shared: RendererAgg | None = None

    def get_renderer(self) -> RendererAgg:
        """The shared renderer, made (again) when the figure no longer fits in it."""
        w, h = self.figure.bbox.size
        dpi = self.figure.dpi
        r = self.shared
        if r is None or r.dpi != dpi or w > r.width or h > r.height:
            self.shared = r = TextRenderer(int(w + SLACK_IN[0] * dpi),
                                          int(h + SLACK_IN[1] * dpi), dpi)
        return r

    def figure_rgba(self) -> np.ndarray:
        """(H, W, 4) pixels of the figure as drawn (the renderer's bottom-left corner)."""
        w, h = (int(v) for v in self.figure.bbox.size)
        rgba = np.asarray(self.buffer_rgba())
        return rgba[rgba.shape[0] - h:, :w]

    def print_png(self, filename_or_obj: Any, **kwargs: Any) -> None:
        """Draw, crop and write (``savefig``'s other arguments are not used)."""
        FigureCanvasAgg.draw(self)
        rgba = self.figure_rgba()
        if self.crop:
            box = ink_box(rgba)
            if box is not None:
                (y0, y1), (x0, x1) = box
                h, w = rgba.shape[:2]
                if y0 == 0 or x0 == 0 or y1 == h or x1 == w:
                    raise Spill
                p = self.pad_px
                rgba = rgba[max(y0 - p, 0):y1 + p, max(x0 - p, 0):x1 + p]
        write_png(rgba, filename_or_obj, self.figure.dpi)


def canvas_of(fig: Figure) -> CroppingCanvas:
    """``fig``'s :class:`CroppingCanvas`, attached now if it has another canvas."""
    canvas = fig.canvas
    return canvas if isinstance(canvas, CroppingCanvas) else CroppingCanvas(fig)


def ink_box(rgba: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """((row start, row end), (column start, column end)) of the pixels of ``rgba``
    (H, W, 4 bytes) that differ from its top-left pixel (the background); None if none do.
    """
    flat = np.ascontiguousarray(rgba).view(np.uint32)[..., 0]
    ink = flat != flat[0, 0]
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    return (int(rows[0]), int(rows[-1]) + 1), (int(cols[0]), int(cols[-1]) + 1)


def write_png(rgba: np.ndarray, file: Any, dpi: float) -> None:
    """Write ``rgba`` (H, W, 4 bytes) as PNG: RGB when it is opaque, zlib level
    :data:`COMPRESS_LEVEL`, with matplotlib's "Software" note and ``dpi``.

    An opaque picture is written by :func:`rgb_png` (no PNG row filter); one with
    transparent pixels by PIL.
    """
    from PIL import Image, PngImagePlugin

    h, w = rgba.shape[:2]
    image = Image.frombuffer("RGBA", (w, h), np.ascontiguousarray(rgba), "raw", "RGBA", 0, 1)
    if bool((rgba[..., 3] == 255).all()):
        # RGB by PIL in C: 7x faster than numpy's strided rgba[..., :3]
        rgb = np.frombuffer(image.convert("RGB").tobytes(), np.uint8).reshape(h, w * 3)
        data = rgb_png(rgb, dpi)
        if isinstance(file, (str, Path)):
            Path(file).write_bytes(data)
        else:
            file.write(data)
        return
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", SOFTWARE)
    image.save(file, format="png", compress_level=COMPRESS_LEVEL, dpi=(dpi, dpi),
               pnginfo=info)


def rgb_png(rgb: np.ndarray, dpi: float) -> bytes:
    """The bytes of a PNG file of ``rgb`` ((H, 3 W) bytes: rows of R, G, B): 8-bit RGB,
    no row filter, zlib level :data:`COMPRESS_LEVEL`, resolution ``dpi`` and
    matplotlib's "Software" note.

    Written here rather than by PIL, whose encoder tries every PNG row filter on every
    row: on vaxsim's plots (flat colours, mostly white) unfiltered rows compress as
    well (files within 1%), and the 15 PNGs of a run encode in 0.13 s instead of 0.31 s.
    """
    h, row = rgb.shape
    raw = np.empty((h, row + 1), np.uint8)
    raw[:, 0] = 0  # filter type of each row: none
    raw[:, 1:] = rgb
    ppm = int(dpi / 0.0254 + 0.5)  # pixels per metre, rounded as PIL does

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    return b"".join([
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", row // 3, h, 8, 2, 0, 0, 0)),
        chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
        chunk(b"tEXt", b"Software\0" + SOFTWARE.encode("latin-1")),
        chunk(b"IDAT", zlib.compress(raw, COMPRESS_LEVEL)),
        chunk(b"IEND", b""),
    ])


def placed_extents(fig: Figure, renderer: Any) -> list[Bbox]:
    """Pixel extents of the figure's legends and free texts (``fig.texts``, each axes'
    ``texts``: titles of figures, annotations): the artists placed by hand, which may
    sit anywhere, even wholly outside the figure. Everything else is drawn next to its
    axes: when it sticks out of the canvas, it also reaches the canvas' edge.
    """
    legends = [*fig.legends, *(a.get_legend() for a in fig.axes if a.get_visible())]
    texts = [*fig.texts, *(t for a in fig.axes if a.get_visible() for t in a.texts)]
    shown: list[Artist] = [lg for lg in legends if lg is not None and lg.get_visible()]
    shown += [t for t in texts if t.get_visible() and t.get_text()]
    return [a.get_window_extent(renderer) for a in shown]


def save_png(fig: Figure, path: Path, pad_inches: float) -> None:
    """Write ``fig`` to ``path`` cropped to its contents plus ``pad_inches``, drawn once
    (see the module's docstring). The figure's layout engine, if any, runs first.
    """
    dpi = fig.dpi
    canvas = canvas_of(fig)
    canvas.pad_px, canvas.crop = round(pad_inches * dpi), True
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)  # a placeholder (after tight_layout) does nothing
        fig.set_layout_engine(None)
    boxes = [fig.bbox, *placed_extents(fig, canvas.get_renderer())]
    px = Bbox.union(boxes).padded(MARGIN_IN * dpi)
    # whole pixels, so that the drawing lands on the pixel grid as on the plain figure
    box = Bbox.from_extents(math.floor(px.x0) / dpi, math.floor(px.y0) / dpi,
                            math.ceil(px.x1) / dpi, math.ceil(px.y1) / dpi)
    try:
        fig.savefig(path, bbox_inches=box)
    except Spill:
        canvas.crop = False
        tight = fig.get_tightbbox(canvas.get_renderer())
        fig.savefig(path, bbox_inches=tight.padded(pad_inches))
