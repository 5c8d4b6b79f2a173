"""Pelican settings for the City of Trail site (local builds and previews).

`publishconf.py` builds on these for CI. The environment may override three values:
SITEURL (the public address, used for canonical links and feeds), BUILD_TIME (the "now"
used for scheduling; default: the current time) and SOURCE_HISTORY_URL (where the public
reads each file's history).
"""

from __future__ import annotations

import os

SITENAME = "City of Trail"
SITESUBTITLE = "News, notices and events from the City of Trail, British Columbia"
AUTHOR = "City of Trail"

# The public address. Navigation links are relative (RELATIVE_URLS), so the built site also
# works from a folder or a local preview; canonical links, feeds and social posts use this.
SITEURL = os.environ.get("SITEURL") or "https://trail.ca"
RELATIVE_URLS = True
BUILD_TIME = os.environ.get("BUILD_TIME") or None

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "America/Vancouver"
DEFAULT_LANG = "en-CA"
HTML_LANG = "en-CA"  # Pelican lowercases DEFAULT_LANG; pages declare the conventional form

# The City, for structured data and the footer (public contact details only).
CITY = {
    "name": "City of Trail",
    "telephone": "+1-250-364-1262",
    "email": "info@trail.ca",
    "address": {
        "streetAddress": "1394 Pine Avenue",
        "addressLocality": "Trail",
        "addressRegion": "BC",
        "postalCode": "V1R 4E6",
        "addressCountry": "CA",
    },
}

# Where the public can read each file's history (revisions plugin); `{path}` is the file's
# path in the repository. Set it to the City's public mirror of this repository.
SOURCE_HISTORY_URL = os.environ.get("SOURCE_HISTORY_URL") or (
    "https://github.com/city-of-trail/announcements/commits/main/{path}"
)

PLUGIN_PATHS = ["plugins"]
# Pelican loads plugins in this order without putting plugins/ on the import path, so a plugin
# that imports another (feeds and images use page_cache's store; most use announcements) comes
# after it. Their files are written in this order too: images before the feeds, whose
# enclosures give the size of each image as published.
PLUGINS = [
    "announcements",
    "page_cache",
    "revisions",
    "images",
    "feeds",
    "discovery",
    "syndication_manifest",
]

# Announcements read and validated by the announcements plugin (YAML front matter).
READERS = {"rst": None, "html": None, "htm": None}
MARKDOWN = {
    "extensions": [
        "markdown.extensions.extra",
        "markdown.extensions.sane_lists",
        "markdown.extensions.smarty",
        # `#` makes a heading only before a space, as in CommonMark: "#TrailBC" is a hashtag.
        "announcements.headings",
        # An id on each heading, from its words, for a link in the text to lead to it.
        "announcements.headings:HeadingIdsExtension",
    ],
    "extension_configs": {},
    "output_format": "html",
}

ARTICLE_PATHS = ["announcements"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]

# Dates come from front matter alone: Pelican would also parse one out of every file name.
FILENAME_METADATA = ""
# Pages show dates through the theme's city_date filter (the City's wording and time zone),
# never Pelican's `locale_date`, which it would otherwise format for every announcement on
# every build, cached or not (four strftime calls each): an empty format makes it free.
DEFAULT_DATE_FORMAT = ""

# URLs are derived from the file name, never the title, so they survive edits.
SLUGIFY_SOURCE = "basename"
ARTICLE_URL = "announcements/{slug}.html"
ARTICLE_SAVE_AS = ARTICLE_URL
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = PAGE_URL
CATEGORY_URL = "category/{slug}.html"
CATEGORY_SAVE_AS = CATEGORY_URL
INDEX_SAVE_AS = "index.html"
ARCHIVES_SAVE_AS = "archives.html"
# The archives page lists the years; each year has a page of its own (announcements plugin).
ARCHIVE_YEAR_URL = "archives/{year}.html"
ARCHIVE_YEAR_SAVE_AS = ARCHIVE_YEAR_URL
EVENTS_SAVE_AS = "events.html"
DIRECT_TEMPLATES = ["index", "archives", "events"]
PAGINATED_TEMPLATES = {"index": None, "category": None}
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = [
    (1, "{name}{extension}", "{name}{extension}"),
    (2, "{name}-{number}{extension}", "{name}-{number}{extension}"),
]

# Scheduling is the announcements plugin's job (it honours BUILD_TIME).
WITH_FUTURE_DATES = True
# One language: Pelican's translation pass (quadratic in the number of announcements) only
# found files sharing an address, which the announcements plugin reports by file and field.
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None
# Drafts, announcements and pages alike, are never written: Pelican would publish them at
# drafts/... for anyone who guesses the address.
DRAFT_URL = ""
DRAFT_SAVE_AS = ""
DRAFT_LANG_URL = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_URL = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_URL = ""
DRAFT_PAGE_LANG_SAVE_AS = ""

# Pages we do not publish.
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""

# Pelican's own feeds are replaced by the feeds plugin (feedgen).
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
FEED_ATOM = None
FEED_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 50

JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

DELETE_OUTPUT_DIRECTORY = True
LOAD_CONTENT_CACHE = False
# When caches are used (`invoke build` keeps them in .output.cache/), a file is re-read when
# its content changes, not its modification time: a fresh clone in CI touches every file.
CHECK_MODIFIED_METHOD = "blake2b"
# Pelican gzips its cache at the highest level by default: at 10,000 announcements that was a
# third of a second of every rebuild, for a file CI's cache step compresses anyway.
GZIP_CACHE = False
