"""Lines as git and editors number them, for every message that names a line of a file.

A line ends at a line feed ("\n"; Windows' "\r\n" is one end too), and nowhere else.
`str.splitlines` also breaks at a vertical tab, a form feed, \x1c-\x1e, \x85, U+2028 and
U+2029, and YAML's marks count \x85, U+2028, U+2029 and a lone "\r" as line breaks: a number
taken from either after such a character names a line below the one meant.
"""

from __future__ import annotations


def lines_of(text: str) -> list[str]:
    """The lines of `text` as git and editors show them, without their ends (as
    `str.splitlines` gives them, but split only at line feeds)."""
    lines = text.split("\n")
    if lines[-1] == "":  # the end of the last line, not a line after it
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def line_at(text: str, index: int) -> int:
    """The number (from 1) of the line of `text` that holds the character at `index`, such
    as a YAML mark's `index` (its `line` counts lines otherwise)."""
    return text.count("\n", 0, index) + 1
