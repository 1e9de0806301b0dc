"""Errors a researcher can act on, by kind.

* :class:`InputError`: a study's file cannot be used as it is; it names the file and, where it
  helps, the line or record.
* :class:`ConfigError`: a configuration value cannot be used (or asks for something this machine
  lacks); it names the key, e.g. ``report.cjk_font``.

The CLI and the Snakemake script adapters print either as one line and exit non-zero. Anything
else (``ValueError``/``TypeError`` from an argument check, a bug) surfaces as a traceback.
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

    def __reduce__(self):
        # Whole, so an error raised in a worker process (gtflow.parallel) reaches the step.
        return (_input_error, (self.path, self.reason, self.line, self.record))


class ConfigError(Exception):
    """A configuration key's value cannot be used; the message names the key and why."""

    def __init__(self, key: str, message: str, *, path: str | Path = "config/config.yaml") -> None:
        self.key = key
        self.path = str(path)
        self.reason = message
        super().__init__(self.describe())

    def describe(self) -> str:
        return f"{self.path}, key '{self.key}': {self.reason}"

    def __reduce__(self):
        return (_config_error, (self.key, self.reason, self.path))


def _input_error(path: str | None, reason: str, line: int | None,
                 record: str | int | None) -> InputError:
    return InputError(path, reason, line=line, record=record)


def _config_error(key: str, reason: str, path: str) -> ConfigError:
    return ConfigError(key, reason, path=path)


#: The errors reported as one line naming the file or key (no traceback).
REPORTED_ERRORS = (InputError, ConfigError)
