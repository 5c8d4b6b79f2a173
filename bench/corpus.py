"""Deterministic corpora of realistic announcements for the benchmarks (never committed).

The same announcements are written twice: with our YAML front matter (for our site) and with
Pelican's own `Key: value` metadata (for vanilla Pelican), so both builds read the same content.
Ours is also given a git history, as the City's repository has, since every page shows its
revisions from git.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from announcements.model import CATEGORIES
from publishing.author import CITY, city_time

ROOT = Path(__file__).resolve().parent.parent
PLACES = (
    "Glenmerry",
    "Sunningdale",
    "East Trail",
    "West Trail",
    "Miral Heights",
    "Tadanac",
    "Gyro Park",
    "Butler Park",
    "the Esplanade",
    "Victoria Street",
    "Bay Avenue",
)
SUBJECTS = (
    "water main flushing",
    "road paving",
    "snow clearing",
    "a public hearing",
    "a park upgrade",
    "sidewalk repairs",
    "a community concert",
    "a budget meeting",
    "curbside collection changes",
    "a tree planting day",
    "a boil water advisory",
)
PARAGRAPH = (
    "Public Works crews will be on site during the day, and residents can expect some "
    "noise and short delays. Please follow the signs and the directions of flaggers. "
    "Questions can be sent to City Hall at 250-364-1262 or info@trail.ca."
)
IMAGES = sorted((ROOT / "content" / "images").glob("*.png"))


def _local(moment: datetime) -> str:
    """A City time as `invoke new` writes it (one skipped when clocks go forward, which the
    build refuses, is written as the clock then reads, an hour on)."""
    return city_time(moment.replace(tzinfo=CITY))


def _announcement(n: int, rng: random.Random, start: datetime) -> dict[str, str]:
    category = list(CATEGORIES)[n % len(CATEGORIES)]
    place, subject = rng.choice(PLACES), rng.choice(SUBJECTS)
    date = start + timedelta(hours=n * 9)
    fields = {
        "title": f"{subject.capitalize()} in {place} ({n})",
        "date": _local(date),
        "category": category,
        "summary": f"What to expect from {subject} in {place}, and who to call with questions.",
        "tags": f"[{place.split()[-1].lower()}, {subject.split()[0]}]",
    }
    if category in ("city-event", "regional-event"):
        event = date + timedelta(days=10)
        fields |= {
            "event_start": _local(event),
            "event_end": _local(event + timedelta(hours=2)),
            "location": place,
        }
    if n % 4 == 0 and IMAGES:
        image = IMAGES[n % len(IMAGES)]
        fields |= {"image": f"images/{image.name}", "image_alt": f"Illustration for {subject}."}
    if n % 25 == 0:
        fields |= {
            "modified": _local(date + timedelta(days=1)),
            "correction": "The start date was corrected.",
        }
    if category == "alert":
        fields |= {"urgent": "true", "expires": _local(date + timedelta(days=3))}
    return fields


def _body(n: int, rng: random.Random) -> str:
    paragraphs = [PARAGRAPH] * rng.randint(2, 5)
    return "\n\n".join(paragraphs) + f"\n\n## Details\n\n- Item {n}\n- Another detail\n"


def generate(count: int, ours: Path, vanilla: Path | None = None, seed: int = 2026) -> None:
    """Write `count` announcements into `ours` (and Pelican-native copies into `vanilla`)."""
    rng = random.Random(seed)
    start = datetime(2016, 1, 1, 9, 0)
    for folder in (ours, vanilla):
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
            (folder / "images").mkdir(parents=True)
            for image in IMAGES:
                shutil.copy(image, folder / "images" / image.name)
    (ours / "announcements").mkdir()
    shutil.copytree(ROOT / "content" / "pages", ours / "pages")
    if vanilla is not None:
        (vanilla / "announcements").mkdir()
    for n in range(count):
        fields = _announcement(n, rng, start)
        body = _body(n, rng)
        slug = f"{fields['date'][:10]}-item-{n:05d}"
        front = "".join(f"{k}: {v}\n" for k, v in fields.items())
        (ours / "announcements" / f"{slug}.md").write_text(f"---\n{front}---\n{body}")
        if vanilla is not None:
            meta = {
                k: v.strip("[]")
                for k, v in fields.items()
                if k in ("title", "date", "category", "summary", "tags", "modified")
            }
            header = "".join(f"{k.capitalize()}: {v}\n" for k, v in meta.items())
            (vanilla / "announcements" / f"{slug}.md").write_text(f"{header}\n{body}")


GIT = ["git", "-c", "user.name=Communications", "-c", "user.email=cec@trail.ca"]
PACIFIC = timezone(timedelta(hours=-8))


def commit_history(folder: Path) -> None:
    """Make `folder` a git repository whose history adds the images and pages, then each
    announcement in its own commit at its own date. The same history every time (fixed
    author, times and messages); `git fast-import`, since 10,000 commits one by one take
    minutes."""
    subprocess.run([*GIT, "init", "-q", "-b", "main", str(folder)], check=True)
    stream = bytearray()

    def commit(message: str, paths: list[Path], when: datetime) -> None:
        stream.extend(b"commit refs/heads/main\n")
        stream.extend(b"committer Communications <cec@trail.ca> %d -0800\n" % when.timestamp())
        stream.extend(b"data %d\n%s\n" % (len(message.encode()), message.encode()))
        for path in paths:
            data = path.read_bytes()
            name = path.relative_to(folder).as_posix().encode()
            stream.extend(b"M 644 inline %s\ndata %d\n%s\n" % (name, len(data), data))

    announcements = sorted((folder / "announcements").glob("*.md"))
    first = datetime.fromisoformat(announcements[0].name[:10]).replace(tzinfo=PACIFIC)
    others = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.parent.name != "announcements"
    )
    commit("Add the images and pages", [p for p in others if ".git" not in p.parts], first)
    for path in announcements:
        when = datetime.fromisoformat(path.name[:10]).replace(hour=9, tzinfo=PACIFIC)
        commit(f"Announce {path.stem}", [path], when)
    subprocess.run(
        [*GIT, "-C", str(folder), "fast-import", "--quiet"], input=bytes(stream), check=True
    )
    subprocess.run([*GIT, "-C", str(folder), "reset", "-q"], check=True)  # index = working tree
