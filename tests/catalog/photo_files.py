"""Image files for the photo tests, made in memory."""
from __future__ import annotations

import struct
import zlib
from io import BytesIO

from PIL import Image


def image_bytes(fmt: str = "JPEG", size=(1200, 900), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    buffer = BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Kamera GmbH"  # Make
        data[0x8825] = {2: (50.0, 20.0, 0.0)}  # a GPS position
        kwargs["exif"] = data.tobytes()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + _chunk(b"IEND", b""))
