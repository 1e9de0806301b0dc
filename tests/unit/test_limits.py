"""Size limits counted while reading: files, pipes, zip members and whole packages."""

from __future__ import annotations

import io
import os
import threading
import zipfile

import pytest

from gtflow.errors import InputError
from gtflow.limits import MB, Limits, PackageReader, check_zip_package, default_limits, read_file


def small_limits(source: int, package: int) -> Limits:
    return Limits(source_bytes=source, package_bytes=package, export_bytes=source,
                  page_seconds=1, page_memory_bytes=1000 * MB)


def test_defaults_come_from_the_schema():
    limits = default_limits()
    assert limits.source_bytes == 200 * MB
    assert limits.package_bytes == 1000 * MB
    assert Limits.from_config({"source_mb": 1.5}).source_bytes == 1_500_000
    assert limits.with_overrides(package_mb=3).package_bytes == 3 * MB


def test_read_file_within_and_over_the_limit(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 1000)
    assert read_file(path, 1000) == b"x" * 1000
    with pytest.raises(InputError, match=r"a.txt: is larger than 0.0009 MB, the limit for one "
                                         r"source \(limits.source_mb or --max-source-mb\)"):
        read_file(path, 900)
    with pytest.raises(InputError, match="file not found"):
        read_file(tmp_path / "missing.txt", 10)


def test_read_file_counts_what_has_no_size(tmp_path):
    # A pipe reports size 0: only counting while reading can stop it.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as handle:
            try:
                handle.write(b"y" * 3_000_000)
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed)
    writer.start()
    with pytest.raises(InputError, match="larger than 1 MB, the limit for one post export"):
        read_file(fifo, MB, "export")
    writer.join()


class _LyingArchive:
    """An archive whose header says 10 bytes while its stream yields 3 MB (zipfile itself would
    cut the stream at the header's size; PackageReader must not rely on that)."""

    def getinfo(self, name):
        info = zipfile.ZipInfo(name)
        info.file_size = 10
        return info

    def open(self, info):
        return io.BytesIO(b"z" * 3_000_000)


def test_member_count_does_not_trust_the_header(tmp_path):
    reader = PackageReader(tmp_path / "p.qdpx", _LyingArchive(), small_limits(MB, 10 * MB))
    with pytest.raises(InputError, match="member a.txt unpacks to more than 1 MB"):
        reader.read("a.txt")


def test_package_total_is_counted_over_members(tmp_path):
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("a.txt", "b.txt", "c.txt"):
            archive.writestr(name, b"w" * 400_000)
    with zipfile.ZipFile(path) as archive:
        reader = PackageReader(path, archive, small_limits(MB, MB))
        assert bytes(reader.read("a.txt")) == b"w" * 400_000
        assert len(reader.read("b.txt")) == 400_000
        with pytest.raises(InputError, match=r"unpacks to larger than 1 MB, the limit for one "
                                             r"package, unpacked \(.*\(reached while reading c.txt\)"):
            reader.read("c.txt")


def test_docx_package_is_verified_before_a_library_reads_it(tmp_path):
    path = tmp_path / "T.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w/>" * 600_000)
    check_zip_package(path, small_limits(5 * MB, 5 * MB))
    with pytest.raises(InputError, match="member word/document.xml unpacks to more than 2 MB"):
        check_zip_package(path, small_limits(2 * MB, 5 * MB))


class _HonestBombArchive(_LyingArchive):
    """Its header admits 3 GB: the reader must refuse before allocating anything that large."""

    def getinfo(self, name):
        info = zipfile.ZipInfo(name)
        info.file_size = 3_000_000_000
        return info

    def open(self, info):
        raise AssertionError("a member over the limit by its header must not be opened")


def test_member_over_the_limit_by_header_is_refused_before_any_allocation(tmp_path, monkeypatch):
    import gtflow.limits as limits_module

    allocated = []

    class RecordingBytearray(bytearray):
        def __init__(self, *args):
            allocated.append(args)
            super().__init__(*args)

    monkeypatch.setattr(limits_module, "bytearray", RecordingBytearray, raising=False)
    reader = PackageReader(tmp_path / "p.qdpx", _HonestBombArchive(), small_limits(MB, 10 * MB))
    with pytest.raises(InputError, match="member a.txt unpacks to more than 1 MB"):
        reader.read("a.txt")
    with pytest.raises(InputError, match="member a.txt unpacks to more than 1 MB"):
        reader.chunks("a.txt")  # refused when asked, not at the first chunk
    assert allocated == []
