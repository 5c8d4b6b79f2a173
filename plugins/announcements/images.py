"""Images as the site publishes them: the picture, without what else its file says.

A photo from a phone or a camera carries where it was taken (EXIF GPS), who took it or owns
it (EXIF Artist and Copyright, XMP, IPTC), the device and its serial number, and sometimes a
caption or a comment; a PNG may carry text of any kind. Published byte for byte, all of it
would go out with the page, its og:image and the feeds' enclosures, and to every platform that
fetches them: personal information, which the City's policy says is never published.

An image that holds nothing but its picture (and how to show it: a colour profile,
transparency, timing) is published as it is. Any other is published as a copy of the picture
alone, turned upright first as its EXIF orientation said, since the orientation goes with the
rest. A file published as it is that a browser would run a script from (a web page, XML, a
script) is refused too (`publication_problem`). Pure functions of a file's content.
"""

from __future__ import annotations

import io
import re
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import ExifTags, Image, ImageOps, ImageSequence, JpegImagePlugin

from .model import IMAGE_SUFFIXES, PUBLISHED_FORMATS, not_published_as, opened_image

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


# Images by their name that the build does not write again, each with the format it names
# (a photo saved so goes out byte for byte, where it was taken included; an SVG may hold a
# script). A JPEG under another of its names is asked to be renamed, not refused.
OTHER_IMAGE_SUFFIXES = {
    **dict.fromkeys((".jfif", ".jpe", ".jif"), "JPEG"),
    ".apng": "PNG",
    **dict.fromkeys((".tif", ".tiff"), "TIFF"),
    **dict.fromkeys((".heic", ".heif", ".hif"), "HEIF"),
    ".avif": "AVIF",
    ".jxl": "JPEG XL",
    **dict.fromkeys((".jp2", ".j2k", ".jpf", ".jpx"), "JPEG 2000"),
    **dict.fromkeys((".bmp", ".dib"), "BMP"),
    ".ico": "ICO",
    ".psd": "PSD",
    # a camera's raw photo: most are TIFF inside
    **dict.fromkeys(
        (".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf", ".srw", ".pef"),
        "camera raw",
    ),
    **dict.fromkeys((".svg", ".svgz"), "SVG"),
}
# The name a file saved in each published format is given, to be renamed to.
_SUFFIX_OF = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
_SHOWN = {"WEBP": "WebP"}
# What an image file begins with, by format: how it is known whatever its name.
_SIGNATURES = (
    (re.compile(rb"\xff\xd8\xff"), "JPEG"),
    (re.compile(rb"\x89PNG\r\n\x1a\n"), "PNG"),
    (re.compile(rb"GIF8[79]a"), "GIF"),
    (re.compile(rb"RIFF.{4}WEBP", re.DOTALL), "WEBP"),
    (re.compile(rb"II\*\x00|MM\x00\*|II\+\x00|MM\x00\+"), "TIFF"),  # and raw photos
    # an ISO box `ftyp` with its brand
    (re.compile(rb".{4}ftyp(heic|heix|hevc|hevx|heim|heis|mif1|msf1)", re.DOTALL), "HEIF"),
    (re.compile(rb".{4}ftypavi[fs]", re.DOTALL), "AVIF"),
    (re.compile(rb"\xff\x0a|\x00\x00\x00\x0cJXL \r\n\x87\n"), "JPEG XL"),
    (re.compile(rb"\x00\x00\x00\x0cjP  \r\n\x87\n|\xff\x4f\xff\x51"), "JPEG 2000"),
    (re.compile(rb"8BPS"), "PSD"),
    # SVG: its root element, after an XML declaration, comments or a doctype
    (
        re.compile(
            rb"(\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<!doctype[^>]*>\s*)*<svg[\s>]",
            re.DOTALL | re.IGNORECASE,
        ),
        "SVG",
    ),
)
_SCRIPTABLE = (
    "is an image saved as SVG, which can hold a script that would run for anyone opening its "
    "address on the City's site; export it as PNG"
)

# Files by their name that a browser runs a script from, on the City's site (where the text's
# HTML is cleaned of scripts, a file copied as it is is not): what each is.
SCRIPT_SUFFIXES = {
    **dict.fromkeys((".html", ".htm", ".shtml"), "a web page (HTML)"),
    **dict.fromkeys((".xhtml", ".xht"), "a web page (XHTML)"),
    # XML, and the kinds of it a server sends as XML (`+xml`), where an XHTML script runs
    **dict.fromkeys((".xml", ".rss", ".atom", ".rdf", ".mml", ".xsd", ".xbl"), "an XML document"),
    **dict.fromkeys((".xsl", ".xslt"), "an XSLT stylesheet"),
    **dict.fromkeys((".js", ".mjs", ".cjs"), "a script (JavaScript)"),
}
# What a web page or an XML document begins with, whatever its name: as a browser tells a
# page by its first bytes (WHATWG MIME Sniffing, "rules for identifying an unknown MIME type"),
# after white space; each tag ends at white space or `>`.
_MARKUP = re.compile(
    r"[\t\n\f\r ]*(?:(?P<xml><\?xml)|<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a"
    r"|style|title|b|body|br|p)[\t\n\f\r >]|<!--)",
    re.IGNORECASE,
)
_ELEMENT = re.compile(r"[\t\n\f\r ]*<[A-Za-z_!?]")
_RUNS_A_SCRIPT = (
    "which can hold a script that would run for anyone opening its address on the City's site; "
    "publish its content as an announcement or a page, or as a PDF"
)
_JAVASCRIPT = (
    "which a page could load to run it on the City's site; the site publishes no script from "
    "content/: remove it, and publish what it shows as an announcement or a page"
)


def saved_as(head: bytes) -> str | None:
    """The image format a file beginning with `head` is saved in (as Pillow names those the
    build publishes), or None: not an image the build knows so."""
    return next((kind for signature, kind in _SIGNATURES if signature.match(head)), None)


def markup(suffix: str, head: bytes) -> str | None:
    """What a file is as one a browser would run a script from (a web page, an XML document,
    a script), by its name's `suffix`, else by what it begins with (`head`), or None. An
    image, by what it begins with, is none (`saved_as`)."""
    if named := SCRIPT_SUFFIXES.get(suffix):
        return named
    head = head[:512]
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        text = head.decode("latin-1")
    if found := _MARKUP.match(text):
        return "an XML document" if found["xml"] else "a web page (HTML)"
    # Any other element first (`<rss`, `<h:script`, an SVG in UTF-16): XML a browser may run.
    return "an XML document" if _ELEMENT.match(text) else None


def publication_problem(path: Path) -> tuple[str, str] | None:
    """Why a file the site would publish as it is, as an image by its name or its content,
    cannot be: (the field named, the message), or None. A file named as an image the build
    publishes (IMAGE_SUFFIXES) is then opened (`image_problem`); one that is no image, by name
    or content (a PDF, a text), is published as it is, unless a browser would run a script from
    it (`markup`): a web page, an XML document or a script, by its name or what it begins
    with."""
    suffix = path.suffix.lower()
    with path.open("rb") as file:  # read once, for both what it is saved as and its markup
        head = file.read(4096)
    kind = saved_as(head)
    if kind is None and (what := markup(suffix, head)):
        reason = _JAVASCRIPT if what == SCRIPT_SUFFIXES[".js"] else _RUNS_A_SCRIPT
        return "file", f"is {what}, {reason}"
    kind = kind or OTHER_IMAGE_SUFFIXES.get(suffix)
    if kind is None or (kind in PUBLISHED_FORMATS and suffix in IMAGE_SUFFIXES):
        return None
    if kind == "SVG":
        return "image", _SCRIPTABLE
    if kind in PUBLISHED_FORMATS:
        *others, last = sorted(IMAGE_SUFFIXES)
        return "file name", (
            f"is an image saved as {_SHOWN.get(kind, kind)}, but the site publishes an image, "
            "without what its file says besides the picture, only from a file ending in "
            f"{', '.join(others)} or {last}; rename it to {path.with_suffix(_SUFFIX_OF[kind]).name}"
        )
    return "image", not_published_as(kind)


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
