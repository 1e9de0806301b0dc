"""YAML front matter (``---`` lines around ``key: value`` pairs) at the top of a transcript or a
memo.

Kept apart from :mod:`gtflow.ingest.transcripts`, which loads pandas: the workflow lists the
study's memos when it builds its jobs, and every run, dry runs included, would pay for that
import.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from gtflow.errors import InputError


class FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: the readers (``check_front_matter`` of transcripts,
    ``parse_memo``) parse them and can name the key and line of an impossible date
    instead of failing inside the YAML parser."""


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str, path: Path,
                       expected: str = "id, date, respondent, interviewer and location",
                       ) -> tuple[dict, str, int]:
    """Split ``---`` YAML front matter from the body; return ``(meta, body, body_first_line)``.

    ``expected`` names the keys the front matter should hold (for the message when it is absent).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise InputError(path, "has no YAML front matter: the first line must be '---' followed by "
                         f"{expected}", line=1)
    try:
        closing = next(i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."})
    except StopIteration:
        raise InputError(path, "front matter is not closed by a '---' line", line=1) from None
    try:
        meta = yaml.load("\n".join(lines[1:closing]), Loader=FrontMatterLoader) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise InputError(path, f"front matter is not valid YAML ({getattr(error, 'problem', error)})",
                         line=line) from None
    if not isinstance(meta, dict):
        raise InputError(path, "front matter must be key: value pairs", line=2)
    meta["_lines"] = key_lines(lines[1:closing])
    return meta, "\n".join(lines[closing + 1:]), closing + 2


def key_lines(front_lines: list[str]) -> dict[str, int]:
    """File line of each top-level front matter key, so messages can point at it."""
    found: dict[str, int] = {}
    for offset, line in enumerate(front_lines):
        key = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if key:
            found.setdefault(key.group(1), offset + 2)
    return found
