"""Which columns of a post export are gtflow's fields (config ``ingest.posts.fields``).

Kept apart from :mod:`gtflow.ingest.posts`, which loads pandas: the workflow reads a file's
mapping when it builds its jobs, and every run, dry runs included, would pay for that import.
"""

from __future__ import annotations

import fnmatch

POST_FIELDS = ("id", "url", "date", "author", "text", "parent_id")


def fields_for_file(name: str, fields: dict[str, dict] | None) -> dict[str, str | None]:
    """The mapping of ``ingest.posts.fields`` whose file name or glob matches ``name`` (the first
    in config order), or {} when none does: the export then uses gtflow's own field names."""
    for pattern, mapping in (fields or {}).items():
        if fnmatch.fnmatchcase(name, pattern):
            return dict(mapping)
    return {}


def column_names(fields: dict[str, str | None] | None) -> dict[str, str | None]:
    """gtflow field -> the export's column (None: the export has no such column)."""
    columns: dict[str, str | None] = {name: name for name in POST_FIELDS}
    columns.update(fields or {})
    return columns
