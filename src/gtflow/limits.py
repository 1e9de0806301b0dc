"""Size limits for untrusted input, enforced while reading.

Raw material (transcripts, saved pages, post exports, .docx files) and REFI-QDA projects come
from collaborators and the open web. A zip package can claim one size in its headers and unpack
to another, and a file can be far larger than any real source; reading either in full would
exhaust memory before any check ran. So every read here counts the bytes it actually gets and
stops at the limit, and nothing larger than an allowed size is allocated before the check.

The limits are the ``limits`` section of the study configuration (``limits.source_mb`` ...),
or the ``--max-*`` flags of the ``gtflow`` command; a megabyte here is 1,000,000 bytes.
"""

from __future__ import annotations

import functools
import lzma
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gtflow.errors import InputError

MB = 1_000_000
#: What a damaged zip member raises while it is decompressed (CRC, truncation, bad stream).
_DAMAGED = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, NotImplementedError)
#: Bytes read or decompressed at a time: large enough to be fast, small enough not to matter.
CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How much one input may hold (bytes) and how long one page's extraction may take."""

    source_bytes: int
    package_bytes: int
    export_bytes: int
    page_seconds: float
    page_memory_bytes: int

    @classmethod
    def from_config(cls, section: dict[str, Any] | None = None) -> Limits:
        """Limits from a (schema-completed) ``limits`` section; missing keys take the defaults."""
        values = {**default_limit_settings(), **(section or {})}
        return cls(source_bytes=int(values["source_mb"] * MB),
                   package_bytes=int(values["package_mb"] * MB),
                   export_bytes=int(values["export_mb"] * MB),
                   page_seconds=float(values["page_seconds"]),
                   page_memory_bytes=int(values["page_memory_mb"] * MB))

    def with_overrides(self, *, source_mb: float | None = None,
                       package_mb: float | None = None) -> Limits:
        """These limits with the ones given on the command line replaced."""
        changed = dict(self.__dict__)
        if source_mb is not None:
            changed["source_bytes"] = int(source_mb * MB)
        if package_mb is not None:
            changed["package_bytes"] = int(package_mb * MB)
        return Limits(**changed)


def default_limit_settings() -> dict[str, Any]:
    """The ``limits`` section's defaults, from the configuration schema (their one home)."""
    from gtflow.config import load_schema

    properties = load_schema("config.schema.yaml")["properties"]["limits"]["properties"]
    return {key: spec["default"] for key, spec in properties.items()}


@functools.lru_cache(maxsize=1)
def default_limits() -> Limits:
    """The schema's default limits (read once; Limits is immutable)."""
    return Limits.from_config()


#: What each limit is called in messages, with its config key and command-line flag.
_LIMIT_NAMES = {
    "source": ("one source", "limits.source_mb", "--max-source-mb"),
    "package": ("one package, unpacked", "limits.package_mb", "--max-package-mb"),
    "export": ("one post export", "limits.export_mb", None),
}


def limit_message(kind: str, limit: int) -> str:
    """'larger than 200 MB, the limit for one source (limits.source_mb or --max-source-mb)'."""
    what, key, flag = _LIMIT_NAMES[kind]
    how = f"{key} or {flag}" if flag else key
    return f"larger than {limit / MB:g} MB, the limit for {what} ({how})"


def read_file(path: str | Path, limit: int, kind: str = "source") -> bytes:
    """A file's bytes, refused with one line once more than ``limit`` bytes arrive.

    The size the file system reports is checked first, so an oversized regular file is never
    read; the count while reading catches what grows or reports no size (pipes, devices).
    """
    path = Path(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below; open errors become messages
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise InputError(path, f"is {limit_message(kind, limit)}")
        chunks = [handle.read(size)] if size else []
        total = len(chunks[0]) if chunks else 0
        while chunk := handle.read(min(CHUNK, limit + 1 - total)):
            total += len(chunk)
            if total > limit:
                raise InputError(path, f"is {limit_message(kind, limit)}")
            chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def check_file_size(path: str | Path, limit: int, kind: str = "source") -> None:
    """Refuse a file whose size on disk is over ``limit`` (for files a library reads itself)."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > limit:
        raise InputError(path, f"is {limit_message(kind, limit)}")


class PackageReader:
    """Members of a zip package (.qdpx, .docx) read within a per-member and a total budget.

    The headers' sizes are checked before a member is opened (cheap refusal of an honest
    bomb), and the bytes actually decompressed are counted while reading (a lying header).
    """

    def __init__(self, path: str | Path, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.path = Path(path)
        self.archive = archive
        self.limits = limits
        self.unpacked = 0  # bytes decompressed so far, over all members

    def _refuse(self, name: str, kind: str) -> InputError:
        limit = self.limits.source_bytes if kind == "source" else self.limits.package_bytes
        if kind == "source":
            return InputError(self.path, f"member {name} unpacks to more than {limit / MB:g} MB: "
                              f"{limit_message(kind, limit)}")
        return InputError(self.path, f"unpacks to {limit_message(kind, limit)} "
                          f"(reached while reading {name})")

    def _declared_size(self, name: str) -> int:
        """The member's size by its header, refused at once when over a limit."""
        size = self.archive.getinfo(name).file_size
        if size > self.limits.source_bytes:
            raise self._refuse(name, "source")
        if self.unpacked + size > self.limits.package_bytes:
            raise self._refuse(name, "package")
        return size

    def chunks(self, name: str) -> Iterator[bytes]:
        """The decompressed bytes of one member, chunk by chunk, counted against both limits.
        The header is checked now, before the first chunk is asked for."""
        self._declared_size(name)
        return self._counted_chunks(name)

    def _counted_chunks(self, name: str) -> Iterator[bytes]:
        member_total = 0
        try:
            with self.archive.open(self.archive.getinfo(name)) as stream:
                while chunk := stream.read(CHUNK):
                    member_total += len(chunk)
                    self.unpacked += len(chunk)
                    if member_total > self.limits.source_bytes:
                        raise self._refuse(name, "source")
                    if self.unpacked > self.limits.package_bytes:
                        raise self._refuse(name, "package")
                    yield chunk
        except _DAMAGED as error:
            raise InputError(self.path, f"member {name} is damaged "
                             f"({type(error).__name__}: {error})") from None

    def read(self, name: str) -> bytearray:
        """One member's bytes. The buffer is sized from the header once the header passed the
        limits, so a large member is not copied while it grows."""
        size = self._declared_size(name)
        buffer = bytearray(size)
        filled = 0
        for chunk in self._counted_chunks(name):
            end = filled + len(chunk)
            if end <= size:
                buffer[filled:end] = chunk
            else:  # more than the header said: the counting still bounds it
                buffer[filled:] = chunk
            filled = end
        del buffer[filled:]
        return buffer

    def verify_all(self) -> None:
        """Decompress every member once, discarding the bytes: proves the package unpacks within
        the limits before a library that trusts the headers reads it."""
        for info in self.archive.infolist():
            if not info.is_dir():
                for _ in self.chunks(info.filename):
                    pass


def check_zip_package(path: str | Path, limits: Limits) -> None:
    """Refuse a zip package (.docx) that unpacks beyond the limits, before a library opens it."""
    path = Path(path)
    check_file_size(path, limits.source_bytes)
    try:
        with zipfile.ZipFile(path) as archive:
            PackageReader(path, archive, limits).verify_all()
    except zipfile.BadZipFile as error:
        raise InputError(path, f"is not a readable zip package ({error})") from None
