"""An event's own look: its accent colour, and its logo, cover and map images.

The colour is kept only when white text on it (and it as text on white) reads at
WCAG AA contrast. Images are decoded with Pillow, which refuses what is not an
image, shrunk to the size the pages show, re-encoded (dropping any metadata, such
as a photo's location) and stored under the instance folder by the name of their
content, so their URL changes when they do and browsers may keep them a year.
"""

import hashlib
import io
import os
import re
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG 2.2 AA for normal text (1.4.3).
AA_CONTRAST = 4.5
WHITE = (255, 255, 255)

# The largest file and picture accepted, before anything is decoded: a small file may
# still claim a huge picture (a decompression bomb).
MAX_BYTES = 3 * 1024 * 1024
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class ImageKind:
    """Where an image is shown decides how large it is kept."""

    column: str
    max_width: int
    max_height: int


KINDS = {
    "logo": ImageKind("logo_image", 480, 160),
    "cover": ImageKind("cover_image", 1920, 900),
    "map": ImageKind("map_image", 1600, 1600),
}


class ImageRefused(ValueError):
    """The upload is not an image this app keeps; `reason` is a code for the message map."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance as WCAG defines it."""
    r, g, b = (_channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def contrast_with_white(colour: str) -> float:
    """The contrast of `colour` (#rrggbb) with white: as a background under white text, and as text on white."""
    return contrast(rgb(colour), WHITE)


def images_folder() -> str:
    return current_app.config.get("EVENT_IMAGES_FOLDER") or os.path.join(current_app.instance_path, "event-images")


def store_image(data: bytes, kind: str) -> str:
    """Check, shrink and store an uploaded image; the stored file's name."""
    if len(data) > MAX_BYTES:
        raise ImageRefused("too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("PNG", "JPEG", "WEBP", "GIF"):
                raise ImageRefused("not_image")
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRefused("too_many_pixels")
            probe.load()
            # A phone's photo stands as it was taken (its EXIF orientation), before the tag is dropped.
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ImageRefused("not_image") from error
    shape = KINDS[kind]
    image.thumbnail((shape.max_width, shape.max_height))
    stored, extension = _encoded(image, kind)
    name = f"{hashlib.sha256(stored).hexdigest()[:32]}.{extension}"
    folder = images_folder()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        # Written aside and renamed: a reader never sees half a file.
        temporary = f"{path}.{os.getpid()}.part"
        with open(temporary, "wb") as file:
            file.write(stored)
        os.replace(temporary, path)
    return name


def _encoded(image: Image.Image, kind: str) -> tuple[bytes, str]:
    """The image's bytes and extension as stored.

    The logo also goes out in mails, where PNG and JPEG are what every client shows. The
    cover and the map are only shown on pages: WebP, lossy or lossless, whichever is smaller
    (lossy for a photograph, lossless for a drawn map), since guests at a venue may be on a slow line.
    """
    out = io.BytesIO()
    if kind == "logo":
        if image.mode in ("RGBA", "LA", "P"):
            image.convert("RGBA").save(out, "PNG", optimize=True)
            return out.getvalue(), "png"
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
        return out.getvalue(), "jpg"
    image = image.convert("RGB")
    image.save(out, "WEBP", quality=85)
    lossless = io.BytesIO()
    image.save(lossless, "WEBP", lossless=True)
    return min(out.getvalue(), lossless.getvalue(), key=len), "webp"


IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")
