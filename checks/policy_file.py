"""The City's editable rules (`policy/*.yml`), read the one way every part reads them."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from announcements.lines import line_at
from announcements.model import read_source, unclosed_quote, unclosed_quote_reason

MERGE_TAG = "tag:yaml.org,2002:merge"  # `<<: *defaults`, which may be given with keys of its own


class RepeatedKey(ConstructorError):
    """A key written twice in one mapping."""

    def __init__(self, key: object, first: yaml.Mark, again: yaml.Mark) -> None:
        super().__init__(problem=f"{key} given a second time", problem_mark=again)
        self.key, self.first_line, self.line = key, first.line + 1, again.line + 1


class PolicyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping. YAML keeps only the
    last, silently: a second `legal_holds:` added at the end of the file would drop the holds
    of the first, and `spam: review` below `spam: hide` would change a rule with nothing in
    the file to show which one counts."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Hashable, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep)
            if not isinstance(key, Hashable):
                continue  # the safe loader refuses it below
            if key in first:
                raise RepeatedKey(key, first[key], key_node.start_mark)
            first[key] = key_node.start_mark
        return super().construct_mapping(node, deep)


def parse_yaml(text: str, where: object, error: type[Exception]) -> Any:
    """A policy file's YAML, as PolicyLoader reads it; a problem raises `error`, naming
    `where` (the file) and, for a key written twice, its line and the first's."""
    try:
        return yaml.load(text, Loader=PolicyLoader)  # a SafeLoader: builds no objects
    except RepeatedKey as problem:
        raise error(
            f"{where}:{problem.line}: {problem.key}: given a second time (first on line "
            f"{problem.first_line}); write it once, as only the last would count"
        ) from None
    except yaml.YAMLError as problem:
        # As a content file's front matter is named: its line and YAML's problem, on one line
        # (PyYAML's own report spans several, quoting the file as "<unicode string>").
        if isinstance(problem, yaml.reader.ReaderError):  # a character YAML refuses
            line = f":{line_at(text, problem.position)}"
            code = problem.character
            reason = f"character #x{code:04x}: {problem.reason}" if isinstance(code, int) else ""
            reason = reason or problem.reason
        elif opened := unclosed_quote(problem, text):  # where it opens, not the file's end
            line, reason = f":{line_at(text, opened[0].index)}", unclosed_quote_reason(opened[1])
        else:
            mark = getattr(problem, "problem_mark", None)
            # By the mark's index: its `line` counts \x85 and U+2028 as line ends too.
            line = f":{line_at(text, mark.index)}" if mark is not None else ""
            reason = getattr(problem, "problem", None) or str(problem)
        raise error(f"{where}{line}: not valid YAML ({reason})") from None


def read_text(path: Path, error: type[Exception]) -> str:
    """A policy file's text, read as content files are (UTF-8, a byte-order mark dropped). A
    file not there, or not saved as UTF-8 (Notepad's "ANSI"), raises `error` naming it: for
    one not saved as UTF-8, the line of its first such byte; for one not there, a file beside
    it under a like name (`moderation.yaml` for `moderation.yml`)."""
    try:
        text, unreadable = read_source(path, str(path))
    except FileNotFoundError:
        raise error(f"{path}: not found{_named_alike(path)}") from None
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror})") from None
    if unreadable is not None:
        raise error(str(unreadable))
    return text or ""


def named_alike(path: Path) -> list[Path]:
    """Files beside `path` whose name is its name in another case or with another extension
    (`moderation.yaml`, `Moderation.yml`, `moderation.yml.txt` as Notepad saves it)."""
    stem = path.name.split(".")[0].casefold()
    if not path.parent.is_dir():
        return []
    return sorted(
        other
        for other in path.parent.iterdir()
        if other != path and other.name.split(".")[0].casefold() == stem
    )


def _named_alike(path: Path) -> str:
    alike = [other.name for other in named_alike(path)]
    return f"; {', '.join(alike)} is there: name it {path.name}" if alike else ""


def read_mapping(path: Path, error: type[Exception], keys: Sequence[str] = ()) -> dict[str, Any]:
    """A policy file's settings: a YAML mapping whose every key is one of `keys` (any, when
    none are given). Anything else raises `error`, naming the file and the key: a misspelt
    setting would otherwise be ignored, silently."""
    data = parse_yaml(read_text(path, error), path, error) or {}
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping" + (f" with {', '.join(keys)}" if keys else ""))
    for key in data:
        if keys and key not in keys:
            raise error(f"{path}: {key}: unknown; expected {' or '.join(keys)}")
    return data


def entry_line(path: Path, key: str, index: int, error: type[Exception]) -> int | None:
    """The line of the entry `index` of the list under `key` in the policy file `path` (read
    before, as valid YAML), as an editor numbers it, for a message naming the entry; None if
    it is not written as a list there."""
    text = read_text(path, error)
    root = yaml.compose(text, Loader=PolicyLoader)
    if not isinstance(root, yaml.MappingNode):
        return None
    entries: list[yaml.Node] = next(
        (v.value for k, v in root.value if k.value == key and isinstance(v, yaml.SequenceNode)),
        [],
    )
    return line_at(text, entries[index].start_mark.index) if index < len(entries) else None


def key_line(path: Path, keys: Sequence[str], error: type[Exception]) -> int | None:
    """The line of the setting reached by `keys` through nested mappings in the policy file
    `path` (read before, as valid YAML; `("periods_years", "post")`), as an editor numbers
    it, for a message naming it; None if it is not written so."""
    text = read_text(path, error)
    node: yaml.Node | None = yaml.compose(text, Loader=PolicyLoader)
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        found = next(((k, v) for k, v in node.value if k.value == key), None)
        if found is None:
            return None
        line, node = line_at(text, found[0].start_mark.index), found[1]
    return line
