"""A deterministic zip writer for .qdpx archives: the bytes :mod:`zipfile` writes, far cheaper.

A project holds one text file per source, so a million posts are a million members. Through
``zipfile.ZipFile.writestr`` each costs a ZipInfo object kept until the archive closes (memory
that grows with the corpus), a header written twice and two seeks. Here a member is written once
(its size and CRC are known before its header) and its central-directory record goes to a
spooled temporary file, so memory stays flat.

The output is byte for byte what ``zipfile`` (CPython 3.11-3.13) writes for members of a
``ZipInfo`` with DEFLATE at the default level, a fixed date, ``create_system`` 3 and mode 0644,
written to a seekable file: a streamed member has its header rewritten once its size is known,
ZIP64 records appear where ``zipfile`` writes them (more than 65,535 members, offsets or sizes
past 2 GiB). ``tests/unit/refi/test_archive.py`` checks this against ``zipfile`` itself.
"""

from __future__ import annotations

import itertools
import shutil
import struct
import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import BinaryIO, Self

import numpy as np

#: The DOS date and time of every member: 1980-01-01 00:00:00, the earliest a zip can hold.
DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1
DOS_TIME = 0
ZIP64_LIMIT = (1 << 31) - 1        # zipfile's threshold for ZIP64 fields
FILE_COUNT_LIMIT = (1 << 16) - 1   # members beyond which the end record needs ZIP64
VERSION = 20                       # "version needed": deflate
ZIP64_VERSION = 45
UNIX = 3                           # create_system
FILE_MODE = 0o644 << 16            # external attributes: -rw-r--r--
UTF8_NAME = 0x800                  # general-purpose flag: the name is UTF-8
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
CENTRAL_RECORD = struct.Struct("<4s4B4HL2L5H2L")
END_RECORD = struct.Struct("<4s4H2LH")
ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
#: The two records as NumPy fields, to write a batch of members' at once (same layout).
LOCAL_HEADER_ARRAY = np.dtype([
    ("signature", "S4"), ("version", "u1"), ("system", "u1"), ("flags", "<u2"),
    ("method", "<u2"), ("time", "<u2"), ("date", "<u2"), ("crc", "<u4"),
    ("compressed", "<u4"), ("size", "<u4"), ("name_length", "<u2"), ("extra_length", "<u2")])
CENTRAL_RECORD_ARRAY = np.dtype([
    ("signature", "S4"), ("made_by", "u1"), ("system", "u1"), ("version", "u1"),
    ("reserved", "u1"), ("flags", "<u2"), ("method", "<u2"), ("time", "<u2"), ("date", "<u2"),
    ("crc", "<u4"), ("compressed", "<u4"), ("size", "<u4"), ("name_length", "<u2"),
    ("extra_length", "<u2"), ("comment_length", "<u2"), ("disk", "<u2"),
    ("internal", "<u2"), ("external", "<u4"), ("offset", "<u4")])
#: Central-directory records held in memory before they spill to a temporary file.
SPOOL_BYTES = 8 << 20
#: Central-directory records gathered before they go to the spooled file in one write.
RECORDS_PER_WRITE = 4096
#: Members :meth:`ZipArchive.add_all` compresses together, half on a second thread.
MEMBERS_PER_BATCH = 1000


def encoded_name(name: str) -> tuple[bytes, int]:
    """The member name's bytes and flag: ASCII as is, anything else UTF-8 with the flag set."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), UTF8_NAME


def local_header(name: bytes, flags: int, crc: int, compressed: int, size: int,
                 zip64: bool) -> bytes:
    """A member's local file header (ZIP64 sizes in an extra field when ``zip64``)."""
    extra = b""
    version = VERSION
    if zip64:
        extra = struct.pack("<HHQQ", 1, 16, size, compressed)
        compressed = size = 0xFFFFFFFF
        version = ZIP64_VERSION
    return LOCAL_HEADER.pack(b"PK\x03\x04", version, 0, flags, zlib.DEFLATED, DOS_TIME,
                             DOS_DATE, crc, compressed, size, len(name), len(extra)) + name + extra


def central_record(name: bytes, flags: int, crc: int, compressed: int, size: int, offset: int,
                   zip64_header: bool) -> bytes:
    """A member's central-directory record; ``zip64_header`` when its local header had ZIP64
    sizes (which raises the versions zipfile records for it)."""
    large = []
    if size > ZIP64_LIMIT or compressed > ZIP64_LIMIT:
        large += [size, compressed]
        size = compressed = 0xFFFFFFFF
    if offset > ZIP64_LIMIT:
        large.append(offset)
        offset = 0xFFFFFFFF
    extra = struct.pack("<HH" + "Q" * len(large), 1, 8 * len(large), *large) if large else b""
    version = ZIP64_VERSION if large or zip64_header else VERSION
    return CENTRAL_RECORD.pack(b"PK\x01\x02", version, UNIX, version, 0, flags, zlib.DEFLATED,
                               DOS_TIME, DOS_DATE, crc, compressed, size, len(name), len(extra),
                               0, 0, 0, FILE_MODE, offset) + name + extra


def small_members(names: list[str], sizes: np.ndarray, crcs: np.ndarray,
                  packed: list[bytes], position: int) -> tuple[bytes, bytes] | None:
    """The local headers and data, and the central-directory records, of members written one
    after another from ``position``, as :func:`local_header` and :func:`central_record` make
    them member by member; None where one needs a ZIP64 field (then they are made so).

    A batch's headers are NumPy records: packing them one member at a time in Python cost
    about as much as finding each member's name.
    """
    name_bytes = list(map(str.encode, names))  # UTF-8, which is ASCII for an ASCII name
    name_lengths = np.fromiter(map(len, name_bytes), dtype=np.int64, count=len(names))
    # As encoded_name: a name that is not ASCII (longer in UTF-8) gets the UTF-8 flag.
    flags = np.where(name_lengths > np.fromiter(map(len, names), dtype=np.int64,
                                                count=len(names)), UTF8_NAME, 0)
    compressed = np.fromiter(map(len, packed), dtype=np.int64, count=len(names))
    lengths = LOCAL_HEADER.size + name_lengths + compressed
    offsets = position + np.cumsum(lengths) - lengths
    if len(names) and (sizes.max() * 1.05 > ZIP64_LIMIT or compressed.max() > ZIP64_LIMIT
                       or offsets[-1] > ZIP64_LIMIT):
        return None
    headers = np.zeros(len(names), dtype=LOCAL_HEADER_ARRAY)
    records = np.zeros(len(names), dtype=CENTRAL_RECORD_ARRAY)
    for fields in (headers, records):
        fields["version"] = VERSION
        fields["flags"], fields["method"] = flags, zlib.DEFLATED
        fields["time"], fields["date"] = DOS_TIME, DOS_DATE
        fields["crc"], fields["compressed"], fields["size"] = crcs, compressed, sizes
        fields["name_length"] = name_lengths
    headers["signature"] = b"PK\x03\x04"
    records["signature"], records["made_by"], records["system"] = b"PK\x01\x02", VERSION, UNIX
    records["external"], records["offset"] = FILE_MODE, offsets
    return (b"".join(itertools.chain.from_iterable(
                zip(_rows(headers), name_bytes, packed))),
            b"".join(itertools.chain.from_iterable(zip(_rows(records), name_bytes))))


def _rows(records: np.ndarray) -> list[bytes]:
    """Each of a record array's rows as bytes."""
    data, size = records.tobytes(), records.dtype.itemsize
    return [data[start:start + size] for start in range(0, len(data), size)]


def end_records(count: int, directory_start: int, directory_end: int) -> bytes:
    """The end-of-central-directory record, preceded by the ZIP64 ones where zipfile writes
    them."""
    size = directory_end - directory_start
    records = b""
    if count > FILE_COUNT_LIMIT or directory_start > ZIP64_LIMIT or size > ZIP64_LIMIT:
        records = (ZIP64_END_RECORD.pack(b"PK\x06\x06", 44, ZIP64_VERSION, ZIP64_VERSION, 0, 0,
                                         count, count, size, directory_start)
                   + ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, directory_end, 1))
        count, size = min(count, 0xFFFF), min(size, 0xFFFFFFFF)
        directory_start = min(directory_start, 0xFFFFFFFF)
    return records + END_RECORD.pack(b"PK\x05\x06", 0, 0, count, count, size, directory_start, 0)


def deflated(data: bytes) -> bytes:
    """Raw DEFLATE at zlib's default level, as zipfile compresses a member."""
    return zlib.compress(data, zlib.Z_DEFAULT_COMPRESSION, -zlib.MAX_WBITS)


def crcs_and_deflated(datas: list[bytes]) -> tuple[list[int], list[bytes]]:
    """The CRC-32 and the raw DEFLATE of each of ``datas``."""
    return list(map(zlib.crc32, datas)), [deflated(data) for data in datas]


class DeflatedStream:
    """A member's data deflated into ``handle`` as it comes, counting its CRC and sizes.

    Counting, compressing and writing are separate steps, so that only the compressing (which
    lets go of the GIL) need run on another thread: each time that thread takes the GIL back
    while the caller runs Python, it can wait a switch interval (5 ms)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED,
                                           -zlib.MAX_WBITS)
        self.crc = self.size = self.compressed = 0

    def count(self, data: bytes) -> None:
        """Add the next piece of the member's data to its CRC and size."""
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)

    def put(self, packed: bytes) -> None:
        """Write what the compressor gave for the pieces so far."""
        self.compressed += len(packed)
        self.handle.write(packed)

    def finish(self) -> tuple[int, int, int]:
        """Write the end of the stream; (CRC, size, compressed size)."""
        self.put(self.compressor.flush())
        return self.crc, self.size, self.compressed


#: A batch of members ready to write: names, sizes, CRCs and compressed data.
CompressedBatch = tuple[list[str], list[int], list[int], list[bytes]]


class CompressedAhead:
    """Members (name, bytes) of which some are compressed ahead of their turn, in moments the
    caller would otherwise wait (for another member's compression on the second thread), as
    long as no more than ``limit`` compressed bytes are held so (of a member compressed ahead
    only its size and CRC are kept besides); :meth:`ZipArchive.add_all` writes them all, in
    order, compressing the rest in their turn."""

    def __init__(self, members: Iterable[tuple[str, bytes]], limit: int) -> None:
        self._members = iter(members)
        self._ready: deque[tuple[str, int, int, bytes]] = deque()
        self._held, self._limit = 0, limit
        self._more = True

    def compress_next(self) -> bool:
        """Compress the next member ahead; False when none is left or the limit is held."""
        if not self._more or self._held >= self._limit:
            return False
        member = next(self._members, None)
        if member is None:
            self._more = False
            return False
        name, data = member
        packed = deflated(data)
        self._ready.append((name, len(data), zlib.crc32(data), packed))
        self._held += len(packed)
        return True

    def batches(self, size: int, compress: Callable[[list[bytes]], tuple[list[int], list[bytes]]]
                ) -> Iterator[CompressedBatch]:
        """All members in order, in batches of at most ``size``: those compressed ahead as
        they are, the others compressed by ``compress`` (CRCs and data of a batch's data)."""
        while self._ready:
            ready = [self._ready.popleft() for _ in range(min(size, len(self._ready)))]
            self._held -= sum(len(packed) for _, _, _, packed in ready)
            names, sizes, crcs, packed = (list(field) for field in zip(*ready))
            yield names, sizes, crcs, packed
        while batch := list(itertools.islice(self._members, size)):
            datas = [data for _, data in batch]
            yield [name for name, _ in batch], list(map(len, datas)), *compress(datas)


class ZipArchive:
    """Members appended to a seekable binary file; leaving the ``with`` block without an error
    writes the central directory and the end records (the file stays open)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.count = 0

    def __enter__(self) -> Self:
        self._directory = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        # Central-directory records not yet in _directory, and where the next member begins:
        # a spooled write and a ``tell`` per member were a tenth of writing 100k small members.
        self._records: list[bytes] = []
        self._unwritten = 0
        self._position = self.handle.tell()
        return self

    def __exit__(self, kind, error, trace) -> None:
        with self._directory:
            if kind is None:
                self._write_directory()

    def add(self, name: str, data: bytes) -> None:
        """One member whose bytes are all at hand."""
        self.handle.write(self._member(name, len(data), zlib.crc32(data), deflated(data)))

    def add_all(self, members: Iterable[tuple[str, bytes]] | CompressedAhead) -> None:
        """Members (name, bytes) written as :meth:`add` writes each, in order (see
        :func:`add_to_every`)."""
        add_to_every([self], members)

    def _write_batch(self, names: list[str], sizes: list[int], crcs: list[int],
                     packed: list[bytes]) -> None:
        # One write per batch: a write that reaches the file lets go of the GIL, and getting it
        # back from the compressing thread can take a switch interval (5 ms).
        members = small_members(names, np.asarray(sizes, dtype=np.int64),
                                np.asarray(crcs, dtype=np.int64), packed, self._position)
        if members is None:
            self.handle.write(b"".join(list(map(self._member, names, sizes, crcs, packed))))
            return
        data, records = members
        self.handle.write(data)
        self._position += len(data)
        self._add_record(records, len(names))

    def _member(self, name: str, size: int, crc: int, packed: bytes) -> bytes:
        """A member's local header and data, its central-directory record noted; the caller
        writes them next."""
        encoded, flags = encoded_name(name)
        zip64 = size * 1.05 > ZIP64_LIMIT  # zipfile's guess that sizes may need ZIP64
        header = local_header(encoded, flags, crc, len(packed), size, zip64)
        self._add_record(central_record(encoded, flags, crc, len(packed), size, self._position,
                                        zip64))
        self._position += len(header) + len(packed)
        return header + packed

    def _add_record(self, record: bytes, count: int = 1) -> None:
        """Note central-directory records (``count`` of them, one after another)."""
        self._records.append(record)
        self.count += count
        self._unwritten += count
        if self._unwritten >= RECORDS_PER_WRITE:
            self._flush_records()

    def _flush_records(self) -> None:
        self._directory.write(b"".join(self._records))
        self._records.clear()
        self._unwritten = 0

    @contextmanager
    def streamed(self, name: str, while_waiting: Callable[[], bool] | None = None
                 ) -> Iterator[Callable[[bytes], None]]:
        """One member written piece by piece through the function this yields; its header is
        written again once its size and CRC are known. Like zipfile, a streamed member
        cannot pass 2 GiB.

        Each piece is compressed on a second thread while the caller makes the next one
        (zlib lets go of the GIL while it deflates); it is counted and its compressed bytes
        written on the caller's. One piece at most waits, so memory stays flat. While the
        caller waits for a piece, ``while_waiting`` is called again and again until the piece
        is done or it returns False (other work that fills the wait, e.g.
        :meth:`CompressedAhead.compress_next`).
        """
        encoded, flags = encoded_name(name)
        offset = self._position
        self.handle.write(local_header(encoded, flags, 0, 0, 0, False))
        member = DeflatedStream(self.handle)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="deflate") as pool:
            pending: list[Future] = []

            def compressed(piece: Future) -> bytes:
                while while_waiting and not piece.done() and while_waiting():
                    pass
                return piece.result()

            def write(data: bytes) -> None:
                member.count(data)
                if pending:
                    member.put(compressed(pending.pop()))
                pending.append(pool.submit(member.compressor.compress, data))

            try:
                yield write
            finally:
                for piece in pending:
                    member.put(compressed(piece))
        crc, size, compressed = member.finish()
        if size > ZIP64_LIMIT or compressed > ZIP64_LIMIT:
            raise RuntimeError(f"zip member {name} passes 2 GiB, which a streamed member cannot")
        end = self.handle.tell()
        self.handle.seek(offset)
        self.handle.write(local_header(encoded, flags, crc, compressed, size, False))
        self.handle.seek(end)
        self._position = end
        self._add_record(central_record(encoded, flags, crc, compressed, size, offset, False))

    def _write_directory(self) -> None:
        self._flush_records()
        start = self.handle.tell()
        self._directory.seek(0)
        shutil.copyfileobj(self._directory, self.handle)
        end = self.handle.tell()
        self.handle.write(end_records(self.count, start, end))
        self.handle.flush()


def add_to_every(archives: list[ZipArchive],
                 members: Iterable[tuple[str, bytes]] | CompressedAhead) -> None:
    """Members (name, bytes) appended to each of ``archives``, in order, as
    :meth:`ZipArchive.add` writes each: a member's data is compressed once for all of them
    (two projects of the same texts differ only in where a member begins).

    Each batch not compressed ahead is compressed on two threads at once, half on each,
    while no Python work runs: zlib lets go of the GIL while it deflates, but a thread
    that wants the GIL back while the other runs Python waits a switch interval (5 ms) per
    member, so a batch compressed behind the making of the next one was in effect
    compressed after it.
    """
    if not isinstance(members, CompressedAhead):
        members = CompressedAhead(members, 0)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="deflate") as pool:

        def on_two_threads(datas: list[bytes]) -> tuple[list[int], list[bytes]]:
            half = len(datas) // 2
            second_half = pool.submit(crcs_and_deflated, datas[half:])
            crcs, packed = crcs_and_deflated(datas[:half])
            later_crcs, later_packed = second_half.result()
            return crcs + later_crcs, packed + later_packed

        for batch in members.batches(MEMBERS_PER_BATCH, on_two_threads):
            for archive in archives:
                archive._write_batch(*batch)
