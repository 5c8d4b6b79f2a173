"""Shared fixtures: build a small site with the project's own settings, plugins and theme."""

from __future__ import annotations

import errno
import io
import ipaddress
import socket
import textwrap
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from PIL import Image

from publishing.build import BuildResult, build_site, caches_beside
from sandboxes import Sandboxes, start_all
from syndication.config import Settings, load_settings
from syndication.runner import syndicate

ROOT = Path(__file__).resolve().parent.parent


def _loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse_the_internet() -> None:
    """Tests never touch the internet: every service is a sandbox on 127.0.0.1. A test data
    link left pointing at a real host (a platform's CDN, say) fails here as an unreachable
    one does, rather than reaching out wherever the network is up. Subprocesses (git, the
    browser) are not covered: they are given local addresses only."""
    resolve, connect = socket.getaddrinfo, socket.socket.connect

    def local_names_only(host: object, *args: object, **kwargs: object) -> object:
        if host is not None and not _loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests never reach the internet ({host})")
        return resolve(host, *args, **kwargs)  # type: ignore[arg-type]

    def local_addresses_only(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(
            address[0] if isinstance(address, tuple) else address
        ):
            raise OSError(errno.ENETUNREACH, f"tests never reach the internet ({address})")
        connect(self, address)  # type: ignore[arg-type]

    socket.getaddrinfo = local_names_only  # type: ignore[assignment]
    socket.socket.connect = local_addresses_only  # type: ignore[method-assign,assignment]


_refuse_the_internet()


def mp4_box(kind: bytes, payload: bytes = b"") -> bytes:
    """One ISO BMFF (MP4, QuickTime) box: its size (header included), its type, its payload."""
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def mp4(*in_moov: bytes, size: int = 0, media: bytes = b"", moov_first: bool = False) -> bytes:
    """A minimal MP4 video as a phone writes one: its type (ftyp), its media (mdat: `media`,
    padded with zeros to make the file `size` bytes when that is more), then its header (moov:
    the movie's timing, mvhd, and `in_moov`, where a phone writes what else it knows); with
    `moov_first`, the header before the media, as a video made for streaming has it."""
    ftyp = mp4_box(b"ftyp", b"isom" + (512).to_bytes(4, "big") + b"isommp42")
    timing = (1000).to_bytes(4, "big") + (5000).to_bytes(4, "big")  # 5 s in milliseconds
    mvhd = mp4_box(b"mvhd", bytes(12) + timing + bytes(80))
    moov = mp4_box(b"moov", mvhd + b"".join(in_moov))
    padding = max(0, size - len(ftyp) - len(moov) - 8 - len(media))
    mdat = mp4_box(b"mdat", media + bytes(padding))
    return ftyp + (moov + mdat if moov_first else mdat + moov)


def place_taken(iso6709: str = "+49.0966-117.7116/") -> bytes:
    """Where a video was taken as Android and older iPhones write it: udta/©xyz, an ISO 6709
    string after its length and language."""
    text = iso6709.encode()
    return mp4_box(b"udta", mp4_box(b"\xa9xyz", len(text).to_bytes(2, "big") + b"\x15\xc7" + text))


def apple_metadata(**keys: str) -> bytes:
    """What an iPhone writes about a video: moov/meta, a handler of type mdta, the names of its
    items (keys: `com.apple.quicktime.` + each key, dots for underscores) and their values in
    the same order (ilst, each item numbered by its key's place)."""
    names = [f"com.apple.quicktime.{key.replace('_', '.')}".encode() for key in keys]
    hdlr = mp4_box(b"hdlr", bytes(8) + b"mdta" + bytes(13))
    listed = b"".join((8 + len(name)).to_bytes(4, "big") + b"mdta" + name for name in names)
    keys_box = mp4_box(b"keys", bytes(4) + len(names).to_bytes(4, "big") + listed)
    items = b"".join(
        mp4_box(place.to_bytes(4, "big"), mp4_box(b"data", bytes(3) + b"\x01" + bytes(4) + value))
        for place, value in enumerate((v.encode() for v in keys.values()), start=1)
    )
    return mp4_box(b"meta", hdlr + keys_box + mp4_box(b"ilst", items))


# A real top-level domain: X (and its sandbox) count only such links as 23 characters.
SITEURL = "https://news.trail.ca"
# A fixed "now" for every test build: Tuesday, November 24, 2026, noon in Trail.
NOW = "2026-11-24T12:00:00-08:00"


def _png(width: int = 120, height: int = 63) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 61, 99)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


@cache
def png_of_pixels(width: int, height: int) -> bytes:
    """A blank 1-bit PNG: a few kilobytes however many pixels it has (made once per size)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# More pixels than Pillow opens (twice its MAX_IMAGE_PIXELS, against decompression bombs),
# and more than it opens without warning of one.
TOO_MANY_PIXELS = (14000, 13000)
ALMOST_TOO_MANY_PIXELS = (10000, 9000)


def announcement(**fields: str) -> str:
    """Front matter from keyword fields (values are raw YAML), then a body."""
    body = fields.pop(
        "body", "Body text with a [link to the guidelines]({filename}/pages/comment-guidelines.md)."
    )
    lines = [f"{name}: {value}" for name, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + textwrap.dedent(body) + "\n"


BASIC = {
    "title": "Water main flushing in Glenmerry",
    "date": "2026-11-20 09:00",
    "category": "service-change",
    "summary": "Crews flush water mains in Glenmerry next week.",
}
# An event withdrawn before it took place: its fields, for `Site.add` (a date of its own too).
WITHDRAWN_PARADE = {
    "title": "Santa parade",
    "category": "city-event",
    "event_start": "2026-12-06 17:00",
    "event_end": "2026-12-06 19:00",
    "location": "Bay Avenue",
    "status": "withdrawn",
    "withdrawn_reason": "Cancelled for the snowfall warning.",
    "modified": "2026-11-23 08:00",
}


class Site:
    """A throw-away content folder and the builds made from it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        (self.content / "announcements").mkdir(parents=True)
        (self.content / "pages").mkdir()
        (self.content / "images").mkdir()
        (self.content / "images" / "pixel.png").write_bytes(PNG)
        self.write(
            "pages/comment-guidelines.md",
            "---\ntitle: Comment guidelines\n---\nBe kind.\n",
        )
        self.write("pages/about.md", "---\ntitle: About and contact\n---\nCall us.\n")
        self.write(
            "pages/404.md",
            '---\ntitle: Page not found\nslug: "404"\nsave_as: 404.html\ntemplate: notfound\n'
            "---\nSorry.\n",
        )
        self.output = root / "output"

    def write(self, relative: str, text: str) -> Path:
        path = self.content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def add(self, slug: str, **fields: str) -> Path:
        return self.write(f"announcements/{slug}.md", announcement(**{**BASIC, **fields}))

    def build(
        self, now: str | None = NOW, output: Path | None = None, cached: bool = False
    ) -> BuildResult:
        """Build; `cached` keeps and reuses the caches beside the output, as `invoke build`."""
        overrides: dict[str, object] = {
            "PATH": str(self.content),
            "SITEURL": SITEURL,
            "BUILD_TIME": now,
        }
        output = output or self.output
        return build_site(
            ROOT / "publishconf.py", output, overrides, caches_beside(output) if cached else None
        )

    def add_video(self, name: str = "tour.mp4", size: int = 1024) -> str:
        """A stand-in video file under content/videos/ (an MP4 that says only what it shows,
        of `size` bytes); returns its `video:` path."""
        (self.content / "videos").mkdir(exist_ok=True)
        (self.content / "videos" / name).write_bytes(mp4(size=size))
        return f"videos/{name}"

    def syndicate_to(self, sandboxes: Sandboxes) -> Settings:
        """Build, then syndicate to the sandboxes with records under this site's root."""
        self.build()
        env = {**sandboxes.env, "RECORDS_DIR": str(self.root / "records")}
        settings = load_settings(env)
        syndicate(self.output / "syndication.json", self.content, settings, say=lambda _: None)
        return settings

    def read(self, relative: str, output: Path | None = None) -> str:
        return ((output or self.output) / relative).read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


BuildSample = Callable[[Path], BuildResult]


@pytest.fixture
def build_sample() -> BuildSample:
    def build(output: Path) -> BuildResult:
        overrides = {"SITEURL": SITEURL, "BUILD_TIME": NOW}
        return build_site(ROOT / "publishconf.py", output, overrides)

    return build


@pytest.fixture
def sandboxes() -> Iterator[Sandboxes]:
    """The three platform sandboxes, on free ports, for one test."""
    with start_all() as running:
        yield running


@pytest.fixture(autouse=True)
def _on_a_city_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as on a City machine, whatever runs them: in CI (CI=true) the commands that
    record insist on RECORDS_REMOTE. A test about CI sets CI itself."""
    monkeypatch.delenv("CI", raising=False)
