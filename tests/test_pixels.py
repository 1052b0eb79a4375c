import base64
import struct
import zlib

import numpy as np

from llmexplain.demos.pixels import png_data_url


def test_png_data_url_decodes_to_the_same_pixels():
    rgba = np.random.default_rng(1).integers(0, 256, size=(3, 5, 4), dtype=np.uint8)
    png = base64.b64decode(png_data_url(rgba).split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(png):  # walk the chunks, checking each CRC
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + data)
        chunks[kind], pos = data, pos + 12 + n
    assert struct.unpack(">II", chunks[b"IHDR"][:8]) == (5, 3)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(3, 1 + 5 * 4)
    assert not raw[:, 0].any()
    np.testing.assert_array_equal(raw[:, 1:].reshape(3, 5, 4), rgba)
