"""Images: the site publishes each image without what its file says besides the picture.

Pelican copies static files byte for byte, and a photo's file says where it was taken and by
whom (see announcements/images.py). This plugin writes every image Pelican would copy (those
in STATIC_PATHS and those linked with `{static}`) itself: as it is when it holds nothing but
its picture, else a copy of the picture alone, turned upright. Pelican's static generator,
which runs after every plugin's, copies only what is left.

Making a copy means decoding and encoding the picture again: each build keeps what it made
for the next (page_cache's DerivedStore, by the file's content), so only a new or changed
image is read again. The feeds, written after this, give the published file's size in their
enclosures.
"""

from __future__ import annotations

import logging
import shutil
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pelican import signals

from announcements import images
from announcements.images import is_image, published_copy
from announcements.model import ContentError, Problem, UnreadableImage
from announcements.output import OutputGenerator
from announcements.reader import display_path, file_digest
from page_cache.store import DerivedStore

logger = logging.getLogger(__name__)
pillow_version = version("pillow")


class ImagesGenerator(OutputGenerator):
    """Writes the site's images, then leaves Pelican's static generator the other files."""

    def write_files(self) -> None:
        statics = self.context.get("staticfiles", [])
        written_here = [static for static in statics if is_image(static, self.content_dir)]
        store = DerivedStore(self.settings, "published-images", Path(images.__file__).read_bytes())
        copies = 0
        for static in written_here:
            source = self.content_dir / static.source_path
            try:
                copy = store.get(
                    ("image", file_digest(source), pillow_version), partial(published_copy, source)
                )
            except UnreadableImage as error:  # what it says is not known: not published as is
                # One that cannot be opened stopped the build before (unpublishable_files); one
                # that opens but cannot be decoded (cut short) is stopped here.
                raise ContentError(
                    [Problem(display_path(source), 1, "image", str(error))]
                ) from None
            target = self.output / static.save_as
            if copy is None:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)  # as Pelican copies it
            else:
                self.write(static.save_as, copy)
                copies += 1
        store.save()
        written = {id(static) for static in written_here}
        self.context["staticfiles"] = [s for s in statics if id(s) not in written]
        logger.info(
            "images: wrote %d, %d of them without what else their file said",
            len(written_here),
            copies,
        )


def get_generators(_pelican: Any) -> type[ImagesGenerator]:
    return ImagesGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
