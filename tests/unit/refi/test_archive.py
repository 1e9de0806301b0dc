"""The .qdpx zip writer writes the bytes zipfile writes for the same members."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from refi_fixtures import zipfile_member

from gtflow.refi.archive import ZipArchive, central_record, end_records, local_header


def zipfile_archive(streamed: list[bytes], members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with archive.open(zipfile_member("project.qde"), "w") as member:
            for piece in streamed:
                member.write(piece)
        for name, data in members:
            archive.writestr(zipfile_member(name), data)
    return buffer.getvalue()


def gtflow_archive(streamed: list[bytes], members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with ZipArchive(buffer) as archive:
        with archive.streamed("project.qde") as write:
            for piece in streamed:
                write(piece)
        for name, data in members:
            archive.add(name, data)
    return buffer.getvalue()


def test_members_are_written_as_zipfile_writes_them():
    streamed = [b"<?xml version='1.0'?>\n", "<项目>".encode() * 5000, b"", b"</Project>\n" * 3]
    members = [("sources/a.txt", "问：为什么？\n答：考核排名😤".encode()),
               ("sources/空.txt", b""),  # a non-ASCII name sets the UTF-8 flag
               ("sources/b.txt", bytes(range(256)) * 300)]
    written = gtflow_archive(streamed, members)
    assert written == zipfile_archive(streamed, members)
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.testzip() is None
        assert archive.read("project.qde") == b"".join(streamed)
        assert archive.read("sources/空.txt") == b""


def test_members_around_a_streamed_one_and_across_batches_are_zipfile_s(monkeypatch):
    import gtflow.refi.archive as archive_module

    monkeypatch.setattr(archive_module, "RECORDS_PER_WRITE", 3)
    monkeypatch.setattr(archive_module, "MEMBERS_PER_BATCH", 3)
    before = [(f"sources/{n}.txt", f"第{n}条 ".encode() * n) for n in range(4)]
    after = [(f"sources/后{n}.txt", bytes([n]) * n) for n in range(8)]
    streamed = [b"<Project>\n", "<项目/>".encode() * 300, b"</Project>\n"]
    written = io.BytesIO(b"")
    with ZipArchive(written) as archive:
        for name, data in before:
            archive.add(name, data)
        with archive.streamed("project.qde") as write:
            for piece in streamed:
                write(piece)
        archive.add_all(iter(after))  # batches of 3, 3 and 2
        archive.add_all([])
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as archive:
        for name, data in before:
            archive.writestr(zipfile_member(name), data)
        with archive.open(zipfile_member("project.qde"), "w") as member:
            for piece in streamed:
                member.write(piece)
        for name, data in after:
            archive.writestr(zipfile_member(name), data)
    assert written.getvalue() == expected.getvalue()


def zipfile_central_directory(info: zipfile.ZipInfo, count: int = 1) -> bytes:
    """What zipfile writes after its members for ``count`` members described by ``info``."""
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w")
    archive.filelist.extend([info] * count)
    archive.close()
    return buffer.getvalue()


def test_more_than_65535_members_get_zipfile_s_zip64_end_records():
    info = zipfile_member("sources/a.txt")
    info.CRC, info.file_size, info.compress_size, info.header_offset = 1, 2, 3, 4
    record = central_record(b"sources/a.txt", 0, 1, 3, 2, 4, False)
    for count in (65_535, 65_536):
        expected = zipfile_central_directory(info, count)
        assert expected == record * count + end_records(count, 0, len(record) * count)
    assert b"PK\x06\x06" in expected[-200:]  # the ZIP64 end record of 65,536 members


@pytest.mark.parametrize(("size", "compressed", "offset"), [
    (100, 80, 3 << 30),          # an offset past 2 GiB
    (5 << 30, 4 << 30, 10),      # sizes past 2 GiB
    (5 << 30, 3 << 30, 6 << 30),
])
def test_large_members_get_zipfile_s_zip64_fields(size, compressed, offset):
    info = zipfile_member("sources/big.txt")
    info.CRC, info.file_size, info.compress_size, info.header_offset = 7, size, compressed, offset
    record = central_record(b"sources/big.txt", 0, 7, compressed, size, offset, False)
    assert zipfile_central_directory(info) == record + end_records(1, 0, len(record))


def test_a_local_header_with_zip64_sizes_is_zipfile_s():
    info = zipfile_member("sources/big.txt")
    info.CRC, info.file_size, info.compress_size, info.header_offset = 9, 3 << 30, 2 << 30, 0
    expected = info.FileHeader(zip64=True)
    assert local_header(b"sources/big.txt", 0, 9, 2 << 30, 3 << 30, True) == expected
    # zipfile then records the raised versions in the central directory too
    assert zipfile_central_directory(info)[:8] == central_record(
        b"sources/big.txt", 0, 9, 2 << 30, 3 << 30, 0, True)[:8]


def test_a_failure_inside_the_archive_writes_no_central_directory():
    buffer = io.BytesIO()
    with pytest.raises(KeyError), ZipArchive(buffer) as archive:
        archive.add("sources/a.txt", b"text")
        raise KeyError("stop")
    assert b"PK\x01\x02" not in buffer.getvalue()


def member_by_member(names: list[str], datas: list[bytes], position: int) -> tuple[bytes, bytes]:
    """Local headers with data, and central records, made one member at a time (the
    reference for :func:`small_members`)."""
    import zlib

    from gtflow.refi.archive import deflated, encoded_name

    members, records = [], []
    for name, data in zip(names, datas):
        encoded, flags = encoded_name(name)
        packed = deflated(data)
        header = local_header(encoded, flags, zlib.crc32(data), len(packed), len(data), False)
        members.append(header + packed)
        records.append(central_record(encoded, flags, zlib.crc32(data), len(packed), len(data),
                                      position, False))
        position += len(header) + len(packed)
    return b"".join(members), b"".join(records)


@pytest.mark.parametrize("position", [0, 17, (1 << 31) - 5000])
def test_a_batch_s_headers_are_the_member_by_member_ones(position):
    import zlib

    import numpy as np

    from gtflow.refi.archive import deflated, small_members

    names = ["sources/a.txt", "sources/空.txt", "", "sources/😤/b.txt", "x" * 300]
    datas = ["问：为什么？".encode(), b"", b"x", bytes(range(256)) * 9, b"abc" * 1000]
    for count in (0, 1, len(names)):
        got = small_members(names[:count], np.array([len(d) for d in datas[:count]], np.int64),
                            np.array([zlib.crc32(d) for d in datas[:count]], np.int64),
                            [deflated(d) for d in datas[:count]], position)
        assert got == member_by_member(names[:count], datas[:count], position)


def test_a_batch_reaching_past_2_gib_is_left_to_the_member_by_member_headers():
    import numpy as np

    from gtflow.refi.archive import ZIP64_LIMIT, deflated, small_members

    datas = [b"first", b"second"]
    args = (["a", "b"], np.array([5, 6], np.int64), np.array([1, 2], np.int64),
            [deflated(d) for d in datas])
    assert small_members(*args, ZIP64_LIMIT - 50) is not None  # the second at limit - 12
    assert small_members(*args, ZIP64_LIMIT - 30) is None  # the second past the limit
    assert small_members(["a"], np.array([ZIP64_LIMIT], np.int64), np.array([1], np.int64),
                         [b"x"], 0) is None                 # zipfile's guess at ZIP64 sizes


def test_batches_past_the_zip64_limit_are_zipfile_s(monkeypatch):
    """With the limit lowered, batches before, across and past it: zipfile's bytes."""
    import zipfile as zipfile_module

    import gtflow.refi.archive as archive_module

    for module in (archive_module, zipfile_module):
        monkeypatch.setattr(module, "ZIP64_LIMIT", 1000)
    monkeypatch.setattr(archive_module, "MEMBERS_PER_BATCH", 4)
    members = [(f"sources/{n}.txt", f"第{n}条 {n * 7919} ".encode() * (n % 5 + 1))
               for n in range(40)]
    written = io.BytesIO()
    with ZipArchive(written) as archive:
        archive.add_all(members)
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as archive:
        for name, data in members:
            archive.writestr(zipfile_member(name), data)
    assert written.getvalue() == expected.getvalue()
    assert b"PK\x06\x06" in written.getvalue()  # ZIP64 end records were needed


@pytest.mark.parametrize(("ahead", "limit"), [(0, 0), (3, 1 << 20), (40, 1 << 20), (40, 300)])
def test_members_compressed_ahead_are_written_as_zipfile_writes_them(monkeypatch, ahead, limit):
    """Some, all or none compressed ahead (up to a limit), the rest in their turn."""
    import gtflow.refi.archive as archive_module
    from gtflow.refi.archive import CompressedAhead

    monkeypatch.setattr(archive_module, "MEMBERS_PER_BATCH", 4)
    members = [(f"sources/{n}.txt", f"第{n}条 ".encode() * (n % 7)) for n in range(11)]
    streamed = [b"<Project>\n", "<项目/>".encode() * 300, b"</Project>\n"]
    texts = CompressedAhead(iter(members), limit)
    calls = []

    def compress_while_waiting() -> bool:
        calls.append(1)
        return texts.compress_next()

    written = io.BytesIO()
    with ZipArchive(written) as archive:
        with archive.streamed("project.qde", while_waiting=compress_while_waiting) as write:
            for piece in streamed:
                write(piece)
        compressed_ahead = 0
        while compressed_ahead < ahead and texts.compress_next():
            compressed_ahead += 1
        if limit >= 1 << 20:
            assert compressed_ahead + len(calls) >= min(ahead, len(members))
        archive.add_all(texts)
    assert written.getvalue() == zipfile_archive(streamed, members)


def test_compressing_ahead_stops_at_the_limit_and_at_the_end():
    from gtflow.refi.archive import CompressedAhead, crcs_and_deflated, deflated

    members = [("a", bytes(range(100))), ("b", b"y" * 100), ("c", b"z")]
    texts = CompressedAhead(iter(members), 100)
    assert texts.compress_next()            # 100 bytes that compress to more than 100
    assert texts.compress_next() is False   # the limit
    everything = CompressedAhead(iter(members), 1 << 20)
    assert [everything.compress_next() for _ in range(4)] == [True, True, True, False]

    def not_called(datas):
        raise AssertionError("compressed ahead already")

    assert list(everything.batches(2, not_called)) == [
        (["a", "b"], [100, 100], [zlib.crc32(d) for _, d in members[:2]],
         [deflated(d) for _, d in members[:2]]),
        (["c"], [1], [zlib.crc32(b"z")], [deflated(b"z")])]
    assert list(CompressedAhead(iter([]), 1 << 20).batches(2, not_called)) == []
    # none ahead: each batch compressed by the function given
    assert list(CompressedAhead(iter(members), 0).batches(2, crcs_and_deflated)) == [
        (["a", "b"], [100, 100], *crcs_and_deflated([d for _, d in members[:2]])),
        (["c"], [1], *crcs_and_deflated([b"z"]))]
