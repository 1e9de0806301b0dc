"""Run one library function for a Snakemake script adapter, turning input errors into one message.

The adapters call :func:`run_step`; it sends log records to the rule's log file and, when the
function raises :class:`~gtflow.errors.InputError` or :class:`~gtflow.errors.ConfigError`, prints
one sentence naming the file (and line or record) or the configuration key and exits non-zero — no traceback for a researcher to decode. Snakemake then removes
the job's outputs, so nothing half-written remains.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gtflow.errors import REPORTED_ERRORS


def configure_logging(log_path: str | Path | None) -> None:
    """Send gtflow's log records to the rule's log file (and warnings to stderr)."""
    handlers: list[logging.Handler] = []
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    handlers.append(stderr)
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(levelname)s %(name)s: %(message)s")


def run_step(function: Callable[..., Any], *, log: str | Path | None = None, **kwargs: Any) -> Any:
    """Call ``function(**kwargs)``; report an InputError or ConfigError as one line and exit
    with status 1. Any other exception is a bug and keeps its traceback."""
    configure_logging(log)
    try:
        return function(**kwargs)
    except REPORTED_ERRORS as error:
        message = f"gtflow: {error.describe()}"
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(message + "\n")
        print(message, file=sys.stderr)
        sys.exit(1)


def optional(paths: Any) -> str | None:
    """The single path of an optional Snakemake input, or None when the input list is empty."""
    items = [str(p) for p in paths] if not isinstance(paths, str) else [paths]
    return items[0] if items else None
