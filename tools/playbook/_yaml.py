"""A YAML reader for playbooks: YAML 1.2 scalars and the line of every value.

PyYAML follows YAML 1.1, where ``10:00`` is the number 600 and ``no`` is
false. Playbooks are full of times and words, so this loader resolves only
YAML 1.2 booleans and numbers, and remembers where each value stood so that
errors can name the line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

Path = tuple[str | int, ...]


class _PlaybookLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema booleans, integers and floats."""


_PlaybookLoader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PlaybookLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_PlaybookLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_PlaybookLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A date or time; an impossible one (2026-13-31) stays text so validation can name it."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(node.value)


_PlaybookLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_PlaybookLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class DuplicateKey(ValueError):
    """A mapping names the same key twice; YAML would silently keep only the last."""

    def __init__(self, path: Path, line: int, first_line: int) -> None:
        self.path = path
        self.line = line
        self.first_line = first_line
        super().__init__(f"is written twice (first at line {first_line}); keep one")


def parse_yaml(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse `text`; return the data and a map from each value's path to its 1-based line.

    Raises:
        DuplicateKey: when a mapping repeats a key.
    """
    node = yaml.compose(text, Loader=_PlaybookLoader)
    lines: dict[Path, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    data = yaml.load(text, Loader=_PlaybookLoader)
    return data, lines


def _collect_lines(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                raise DuplicateKey((*path, key), line, seen[key])
            seen[key] = line
            lines[(*path, key)] = key_node.start_mark.line + 1
            _collect_lines(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines)


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None
