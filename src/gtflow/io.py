"""Small file helpers shared by every stage: atomic writes, hashing, table I/O.

Every file gtflow writes goes through :func:`atomic_path`: it
is written beside the target under a temporary name and renamed into place, so a failing job never
leaves a half-written output behind, and it gets the permissions of an ordinary new file or
folder (0644 / 0755 under the usual umask 022), not the owner-only mode of a temporary file.
The temporary file of a write that was killed outright is removed when its target is written
again.

pandas and the CSV writer are imported by the functions that use them: the report's document
jobs write through this module and would otherwise pay pandas' import (about 0.6 s a job).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftover_temporaries(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates owner-only files; give the result the permissions of an ordinary file.
    os.chmod(tmp_path, 0o666 & ~current_umask())
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def remove_leftover_temporaries(target: Path) -> None:
    """Remove the temporary files of earlier writes of ``target`` that never finished: a job
    killed outright (``kill -9``, a lost node) cannot remove its own, and the rerun that writes
    ``target`` again is the one that knows they are stale (one job writes a given output)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[A-Za-z0-9_]{{8}}\.tmp")
    for path in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        if pattern.fullmatch(path.name):
            path.unlink(missing_ok=True)


def write_text(target: str | Path, text: str) -> None:
    """Write UTF-8 text atomically, with "\\n" line ends on every platform."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def write_json(target: str | Path, value: object) -> None:
    """Write JSON atomically: sorted keys and fixed indentation, so reruns are byte-identical."""
    write_text(target, json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")


def write_parquet(target: str | Path, frame: pd.DataFrame) -> None:
    """Write a Parquet table atomically without the pandas index."""
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)


def write_csv(target: str | Path, frame: pd.DataFrame) -> None:
    """Write a CSV table a person can open (UTF-8, no index) atomically."""
    with atomic_path(target) as tmp:
        append_csv(tmp, frame, header=True)


def append_csv(path: str | Path, frame: pd.DataFrame, header: bool) -> None:
    """Add a frame's rows (after the header line when ``header``: a new file) to a CSV file, as
    ``to_csv(index=False, lineterminator="\\n")`` writes them (built in Arrow where it can)."""
    from gtflow.csvtext import csv_bytes

    data = csv_bytes(frame, header=header)
    with open(path, "wb" if header else "ab") as handle:
        if data is not None:
            handle.write(data)
        else:
            frame.to_csv(handle, index=False, encoding="utf-8", lineterminator="\n",
                         header=header)


def read_parquets(paths: list[str | Path]) -> pd.DataFrame:
    """Concatenate Parquet tables in the given order (empty list -> empty frame)."""
    import pandas as pd

    frames = [pd.read_parquet(p) for p in paths]
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a string's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
