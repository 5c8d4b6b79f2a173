"""Vanilla Pelican for comparison: default theme, no plugins, Pelican's own feeds."""

AUTHOR = "City of Trail"
SITENAME = "City of Trail"
SITEURL = ""
TIMEZONE = "America/Vancouver"
DEFAULT_LANG = "en"
PLUGINS: list[str] = []
DEFAULT_PAGINATION = 20
ARTICLE_PATHS = ["announcements"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
