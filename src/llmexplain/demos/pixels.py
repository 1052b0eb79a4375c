"""Pixel images for the page: an RGBA array becomes a PNG data URL for an <img> slot.

The same text works in the pre-rendered HTML and at run time, and CSP allows data: images.

>>> png_data_url(np.zeros((1, 1, 4), np.uint8))[:22]
'data:image/png;base64,'
"""

import base64
import struct
import zlib

import numpy as np


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_data_url(rgba):
    """rgba: uint8 [height, width, 4] -> 'data:image/png;base64,...'."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    height, width, _ = rgba.shape
    # Each row starts with filter byte 0 (none): [h, 1 + 4w].
    rows = np.concatenate([np.zeros((height, 1), np.uint8), rgba.reshape(height, -1)], axis=1)
    png = (b"\x89PNG\r\n\x1a\n"
           + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
           + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
           + _chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
