"""A Pelican writer that renders a page again only when something it shows has changed.

For every page it writes, the writer computes a key from what the page is made of: the
site's code, templates and settings, the page's template and path, and the value of every
variable its templates read (found by Jinja's own analysis of the templates). A page whose
key matches the last build's, and whose file in the last build's output is byte for byte what
was written then, is copied from there instead of rendered. Anything uncertain (a value that
cannot be fingerprinted, a template included by a computed name, a missing or altered file)
means the page is rendered, as without the cache.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template, meta
from pelican.writers import Writer

from .fingerprint import Fingerprinter, Unfingerprintable, digest

logger = logging.getLogger(__name__)

CACHE_FILE = "pages.json"
FORMAT = 1
# Settings that do not change what a page says: where files go, and the build's problems.
# BUILD_TIME is not here because it is unimportant, but because templates that use it read it
# as a variable (and so have it in their key); pages that only show what it decided, such as
# an expiry flag or a list of upcoming events, stay reusable from one day's build to the next.
NOT_SHOWN_SETTINGS = frozenset(
    {"OUTPUT_PATH", "PREVIOUS_OUTPUT_PATH", "CACHE_PATH", "BUILD_TIME", "VALIDATION_PROBLEMS"}
)
LIBRARIES = ("pelican", "jinja2", "markdown", "markupsafe")
_MISSING = b"\0missing"


class PageCache:
    """The keys of the last build's pages, and where that build's output is."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        self.file = Path(settings["CACHE_PATH"]) / CACHE_FILE
        previous = settings.get("PREVIOUS_OUTPUT_PATH")
        self.previous_output = Path(previous) if previous else None
        self.reuse = bool(settings.get("LOAD_CONTENT_CACHE")) and self.previous_output is not None
        self.save_keys = bool(settings.get("CACHE_CONTENT"))
        self.previous = self._load() if self.reuse else {}
        self.current: dict[str, tuple[str, str]] = {}
        self.rendered: list[str] = []
        self.reused = 0
        self._fingerprints = Fingerprinter()
        self._site: bytes | None = None
        self._variables: dict[str, frozenset[str] | None] = {}

    def _load(self) -> dict[str, tuple[str, str]]:
        try:
            stored = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            return {}
        return {name: (key, text) for name, (key, text) in stored.get("pages", {}).items()}

    def save(self) -> None:
        if not self.save_keys:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.file.with_suffix(".tmp")
        stored = {
            "format": FORMAT,
            # What the last build did, for whoever wonders why a rebuild took as long as it did.
            "rendered": sorted(self.rendered),
            "reused": self.reused,
            "pages": dict(sorted(self.current.items())),
        }
        temporary.write_text(json.dumps(stored), encoding="utf-8")
        temporary.replace(self.file)
        logger.info(
            "Pages: %d rendered, %d reused from the last build", len(self.rendered), self.reused
        )

    def render(self, template: Template, context: Mapping[str, Any]) -> str:
        name: str = context["output_file"]
        key = self._key(template, context)
        if key is not None:
            text = self._previous_text(name, key)
            if text is not None:
                self.reused += 1
                return text
        text = template.render(context)
        self.rendered.append(name)
        if key is not None:
            self.current[name] = (key, digest(text.encode("utf-8")).hex())
        return text

    def _previous_text(self, name: str, key: str) -> str | None:
        if not self.reuse or self.previous.get(name, ("", ""))[0] != key:
            return None
        assert self.previous_output is not None
        try:
            data = (self.previous_output / name).read_bytes()
        except OSError:
            return None
        text_digest = digest(data).hex()
        if text_digest != self.previous[name][1]:
            return None  # changed or replaced since that build: not ours to vouch for
        self.current[name] = (key, text_digest)
        return data.decode("utf-8")

    def _key(self, template: Template, context: Mapping[str, Any]) -> str | None:
        variables = self._template_variables(template)
        if variables is None:
            return None
        globals_ = template.environment.globals
        try:
            parts = [self._site_fingerprint(template.environment)]
            parts.append(f"{template.name}\0{context['output_file']}".encode())
            for variable in sorted(variables):
                if variable in context:
                    value = self._fingerprints.of(context[variable])
                elif variable in globals_:
                    value = self._fingerprints.of(globals_[variable])
                else:
                    value = _MISSING
                parts += [variable.encode(), value]
        except Unfingerprintable as reason:
            logger.debug("Rendering %s: %s", context["output_file"], reason)
            return None
        return digest(*parts).hex()

    def _site_fingerprint(self, env: Environment) -> bytes:
        """Everything every page depends on: code, templates, libraries and settings."""
        if self._site is None:
            shown = {k: v for k, v in self.settings.items() if k not in NOT_SHOWN_SETTINGS}
            self._site = digest(
                repr([(name, version(name)) for name in LIBRARIES]).encode(),
                *_code(self.settings.get("PLUGIN_PATHS", [])),
                *_templates(env),
                self._fingerprints.of(shown),
            )
        return self._site

    def _template_variables(self, template: Template) -> frozenset[str] | None:
        """Every variable the template, its parents, includes and imports may read.

        None when a template is named by an expression, so what it reads cannot be known.
        """
        name = template.name or ""
        if name not in self._variables:
            self._variables[name] = _variables(template.environment, name, set())
        return self._variables[name]


def _variables(env: Environment, name: str, seen: set[str]) -> frozenset[str] | None:
    seen.add(name)
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    tree = env.parse(source)
    found = set(meta.find_undeclared_variables(tree))
    for referenced in meta.find_referenced_templates(tree):
        if referenced is None:
            return None
        if referenced not in seen:
            more = _variables(env, referenced, seen)
            if more is None:
                return None
            found |= more
    return frozenset(found)


def _code(plugin_paths: list[str]) -> Iterator[bytes]:
    for folder in plugin_paths:
        for path in sorted(Path(folder).rglob("*.py")):
            yield str(path).encode()
            yield path.read_bytes()


def _templates(env: Environment) -> Iterator[bytes]:
    assert env.loader is not None
    for name in sorted(env.loader.list_templates()):
        yield name.encode()
        yield env.loader.get_source(env, name)[0].encode()


class _CachedTemplate:
    """Stands in for a template in Pelican's writer, which only ever calls `render`."""

    def __init__(self, template: Template, cache: PageCache) -> None:
        self.template = template
        self.cache = cache

    def render(self, context: Mapping[str, Any]) -> str:
        return self.cache.render(self.template, context)


class CachingWriter(Writer):
    def __init__(self, output_path: str, settings: Mapping[str, Any]) -> None:
        super().__init__(output_path, settings=settings)
        self.page_cache = PageCache(settings)

    def write_file(self, name: Any, template: Template, context: Any, *args: Any, **kw: Any) -> Any:
        cached = _CachedTemplate(template, self.page_cache)
        return super().write_file(name, cached, context, *args, **kw)
