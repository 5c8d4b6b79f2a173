"""Images as the site publishes them: the picture, without what else its file says.

A photo from a phone or a camera carries where it was taken (EXIF GPS), who took it or owns
it (EXIF Artist and Copyright, XMP, IPTC), the device and its serial number, and sometimes a
caption or a comment; a PNG may carry text of any kind. Published byte for byte, all of it
would go out with the page, its og:image and the feeds' enclosures, and to every platform that
fetches them: personal information, which the City's policy says is never published.

An image that holds nothing but its picture (and how to show it: a colour profile,
transparency, timing) is published as it is. Any other is published as a copy of the picture
alone, turned upright first as its EXIF orientation said, since the orientation goes with the
rest. Pure functions of a file's content.
"""

from __future__ import annotations

import io
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import ExifTags, Image, ImageOps, ImageSequence, JpegImagePlugin

from .model import IMAGE_SUFFIXES, opened_image

# What Pillow reads from an image file that is about showing the picture: kept. Anything else
# it reads is left out, EXIF, XMP, IPTC, comments and a PNG's text chunks (whose names are
# anyone's) among them.
FOR_SHOWING = frozenset(
    {
        # JPEG: its JFIF and Adobe markers, resolution, progressive scans
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "adobe",
        "adobe_transform",
        "progressive",
        "progression",
        "dpi",
        # colour, transparency and the pixels' shape (PNG, GIF, WebP)
        "icc_profile",
        "transparency",
        "gamma",
        "srgb",
        "chromaticity",
        "aspect",
        "interlace",
        "background",
        "version",
        # animation (GIF, APNG, WebP)
        "duration",
        "loop",
        "disposal",
        "blend",
        "bbox",
        "default_image",
        "timestamp",
    }
)
# EXIF orientations that turn the picture a quarter: its width and height change places.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
# A WebP's own quality is not written in the file: a copy is made at this one, which shows no
# loss in a photo (Pillow's default, 80, does in fine detail).
WEBP_QUALITY = 90


def is_image(static: Any, content_dir: Path) -> bool:
    """Whether a file Pelican would copy to the site is an image (by its name): every one is
    published, shown by a page or not (images/ is copied whole), so each is written without
    what else its file says, and one that cannot be read stops the build. A draft may link
    one that is not there: Pelican copies nothing of it, and neither do we."""
    named_as_image = PurePosixPath(static.save_as).suffix.lower() in IMAGE_SUFFIXES
    return named_as_image and (content_dir / static.source_path).is_file()


def upright_size(image: Image.Image) -> tuple[int, int]:
    """(width, height) of the picture as it is shown, and published: turned as its EXIF
    orientation says."""
    width, height = image.size
    turned = image.getexif().get(ExifTags.Base.Orientation) in _QUARTER_TURNS
    return (height, width) if turned else (width, height)


def holds_more_than_the_picture(image: Image.Image) -> bool:
    """Whether the file says more than how to show its picture. The image must be loaded: a
    PNG may keep text after its pixels."""
    return any(key not in FOR_SHOWING for key in image.info)


def published_copy(path: Path) -> bytes | None:
    """The image at `path` as the site publishes it: None when it holds nothing but its
    picture (it is published as it is), else a copy of the picture alone, in its own format.

    A JPEG is encoded again with its own quantization tables and subsampling, so the copy
    looks as the original does; PNG and GIF lose nothing. A MPO (a phone's JPEG with a depth
    map or a second picture) is published as the JPEG of its first picture. An image the
    build does not open (see `opened_image`) raises UnreadableImage: what its file says is
    not known.
    """
    with opened_image(str(path)) as image:
        image.load()
        if not holds_more_than_the_picture(image):
            return None
        kind = "JPEG" if image.format == "MPO" else str(image.format)
        animated = kind != "JPEG" and getattr(image, "is_animated", False)
        frames = [_picture_alone(f) for f in ImageSequence.Iterator(image)] if animated else []
        first = frames[0] if frames else _picture_alone(image)
        written = io.BytesIO()
        first.save(
            written,
            kind,
            save_all=animated,
            append_images=frames[1:],
            **_as_encoded(image, kind),
        )
        return written.getvalue()


def _picture_alone(image: Image.Image) -> Image.Image:
    """A copy of the picture, turned upright, with only what shows it."""
    upright = ImageOps.exif_transpose(image)  # always a copy
    upright.info = {key: value for key, value in image.info.items() if key in FOR_SHOWING}
    return upright


def _as_encoded(image: Image.Image, kind: str) -> dict[str, Any]:
    """How to encode the copy so that it looks as the original does. The colour profile is
    named here: the JPEG and WebP writers read it only from what they are given."""
    options: dict[str, Any] = {}
    if "icc_profile" in image.info:
        options["icc_profile"] = image.info["icc_profile"]
    if kind == "JPEG":
        assert isinstance(image, JpegImagePlugin.JpegImageFile)
        options |= {
            "qtables": image.quantization,
            "subsampling": JpegImagePlugin.get_sampling(image),
            "progressive": "progressive" in image.info or "progression" in image.info,
        }
    elif kind == "WEBP":
        options["quality"] = WEBP_QUALITY
    return options
