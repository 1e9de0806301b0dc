"""Find the line of a key or list item in a YAML file, so messages can point at it."""

from __future__ import annotations

from pathlib import Path

import yaml


def line_of(path: str | Path, keys: list) -> int | None:
    """1-based line of the node reached by ``keys`` (dict keys and list indexes), or None."""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line
