"""PNG encoding of an Agg canvas, shared by the explorers' figures (private)."""
from __future__ import annotations

import io

from PIL import Image   # matplotlib's own dependency: encodes the PNG

__all__ = ["canvas_png"]


def canvas_png(canvas) -> bytes:
    """The canvas's current pixel buffer as PNG bytes (fast zlib: the plots are flat colours)."""
    w, h = canvas.get_width_height()
    buf = io.BytesIO()
    Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        buf, format="png", compress_level=1)
    return buf.getvalue()
