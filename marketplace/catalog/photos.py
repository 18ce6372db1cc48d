"""Product photos: checked with Pillow, re-encoded without metadata, stored in a few widths.

An upload is accepted when it is a JPEG, PNG or WebP of at most MAX_BYTES whose declared size
stays under MAX_PIXELS: the size is read from the header before anything is decoded, so a small
file that declares 50,000 × 50,000 pixels (a decompression bomb) is refused without allocating
them. The picture is decoded once, turned upright (EXIF orientation), and written as WebP in
each of WIDTHS under a random key in the upload directory; nothing of the upload itself (EXIF,
GPS, ICC, comments) is kept. A refusal leaves no file behind.
"""
from __future__ import annotations

import os
import re
import secrets
import warnings
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.core.errors import N_, DomainError, InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # 50 megapixels: any camera's photo, and a tenth of what a bomb asks for
WIDTHS = (160, 480, 960)
FORMATS = ("JPEG", "PNG", "WEBP")
SUFFIX = ".webp"
_FILE_NAME = re.compile(r"([0-9a-f]{32})-(\d{2,4})\.webp")


class InvalidPhoto(InvalidInput):
    code = "invalid_photo"
    message = N_("Bitte ein Foto als JPEG, PNG oder WebP hochladen.")


class PhotoTooBig(InvalidPhoto):
    code = "photo_too_many_pixels"
    message = N_("Das Foto hat zu viele Bildpunkte (höchstens 50 Megapixel).")


class PhotoTooLarge(DomainError):
    status = 413
    code = "photo_too_large"
    message = N_("Das Foto ist größer als 10 MB.")


def file_name(key: str, width: int) -> str:
    return f"{key}-{width}{SUFFIX}"


def is_photo_file_name(name: str) -> bool:
    match = _FILE_NAME.fullmatch(name)
    return match is not None and int(match.group(2)) in WIDTHS


def _decoded(data: bytes) -> Image.Image:
    if len(data) > MAX_BYTES:
        raise PhotoTooLarge()
    if not data:
        raise InvalidPhoto()
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit and refuses above twice it; ours is lower.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=FORMATS) as probe:
                width, height = probe.size  # from the header: nothing decoded yet
                if width * height > MAX_PIXELS:
                    raise PhotoTooBig()
                probe.verify()
            image = Image.open(BytesIO(data), formats=FORMATS)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoTooBig() from None  # Pillow's own check at open, should ours not come first
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise InvalidPhoto() from None
    return image


def store_photo(data: bytes, upload_dir: str | os.PathLike) -> str:
    """Check and store an uploaded photo; its key. Raises InvalidPhoto or PhotoTooLarge."""
    image = _decoded(data)
    try:
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") and _has_alpha(image) else "RGB")
    except (OSError, ValueError):
        raise InvalidPhoto() from None
    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    written: list[Path] = []
    try:
        for width in WIDTHS:
            copy = image.copy()
            if copy.width > width:
                copy.thumbnail((width, round(copy.height * width / copy.width) or 1), Image.Resampling.LANCZOS)
            target = directory / file_name(key, width)
            partial = target.with_suffix(".part")
            copy.save(partial, format="WEBP", quality=82, method=4)
            os.replace(partial, target)
            written.append(target)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return key


def delete_photo(key: str | None, upload_dir: str | os.PathLike) -> None:
    """Remove a photo's files (a replaced or refused photo); missing files are fine."""
    if not key:
        return
    for width in WIDTHS:
        (Path(upload_dir) / file_name(key, width)).unlink(missing_ok=True)


def _has_alpha(image: Image.Image) -> bool:
    if image.mode == "P":
        return "transparency" in image.info
    return True
