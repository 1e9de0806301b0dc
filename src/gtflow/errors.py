"""Errors a researcher can act on.

Every problem with a study's input is raised as :class:`InputError`, which carries the file and,
where it helps, the line or record. The CLI and the Snakemake script adapters print its one-line
message and exit non-zero instead of showing a traceback.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A study's input cannot be used as it is; the message says where and why."""

    def __init__(self, path: str | Path | None, message: str, *, line: int | None = None,
                 record: str | int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.record = record
        self.reason = message
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.path or "input"
        if self.line is not None:
            where += f", line {self.line}"
        if self.record is not None:
            where += f", record {self.record}"
        return f"{where}: {self.reason}"
