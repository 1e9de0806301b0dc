"""Builders of hostile input files (made inside the tests, never shipped) and a capped runner.

Every hostile case runs the real ``gtflow`` command (or a pipeline step as its Snakemake adapter
calls it) in a child process whose address space is capped with ``RLIMIT_AS``: a regression
that makes gtflow read a bomb into memory fails the test with a MemoryError instead of taking
the machine down.
"""

from __future__ import annotations

import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

MEMORY_CAP = 2_000_000_000  # bytes of address space for the gtflow process
HANG_GUARD = 300  # seconds; a child still running then is killed and the test fails
QDA_NS = 'xmlns="urn:QDA-XML:project:1.0"'
GUID_SOURCE = "00000000-0000-4000-8000-000000000020"
GUID_CODE = "00000000-0000-4000-8000-000000000010"
GUID_USER = "00000000-0000-4000-8000-000000000001"
GUID_SELECTION = "00000000-0000-4000-8000-000000000030"


@dataclass
class Run:
    """What a capped child did: exit status, output, and its peak resident memory."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss: int  # bytes

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(arguments: list[str], cwd: Path) -> Run:
    """``python ARGUMENTS`` under the memory cap; the child's own peak RSS comes from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, *arguments], cwd=cwd, stdout=out,
                                   stderr=err, preexec_fn=_cap_memory)  # noqa: PLW1509
        started = time.monotonic()
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > HANG_GUARD:
                process.kill()
                os.wait4(process.pid, 0)
                raise AssertionError(f"gtflow {arguments} still ran after {HANG_GUARD} s")
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(process.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), usage.ru_maxrss * 1024)


def gtflow(*arguments: str, cwd: Path) -> Run:
    """The ``gtflow`` command under the memory cap."""
    return run_capped(["-m", "gtflow.cli", *arguments], cwd)


def step(function: str, cwd: Path, **arguments: object) -> Run:
    """A pipeline step of ``gtflow.ingest.steps`` run as its Snakemake adapter runs it (through
    ``run_step``), under the memory cap."""
    script = (f"from gtflow.ingest.steps import {function}\n"
              "from gtflow.runner import run_step\n"
              f"run_step({function}, **{arguments!r})\n")
    return run_capped(["-c", script], cwd)


def files_under(folder: Path) -> dict[str, int]:
    """Every file below ``folder`` with its size (to show nothing else was written)."""
    return {str(path.relative_to(folder)): path.stat().st_size
            for path in sorted(folder.rglob("*")) if path.is_file() or path.is_symlink()}


# ----------------------------------------------------------------------------- REFI projects

def project_qde(plain_text_path: str, *, base_path: str = "") -> str:
    """A one-source project whose source text lives at ``plain_text_path``."""
    base = f' basePath="{base_path}"' if base_path else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project {QDA_NS} name="Hostile" origin="MAXQDA 2022"{base}>
  <Users><User guid="{GUID_USER}" name="Ana"/></Users>
  <CodeBook><Codes><Code guid="{GUID_CODE}" name="Trust" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{GUID_SOURCE}" name="Interview 1" plainTextPath="{plain_text_path}">
      <PlainTextSelection guid="{GUID_SELECTION}" startPosition="0" endPosition="5"
          creatingUser="{GUID_USER}">
        <Coding guid="00000000-0000-4000-8000-000000000040" creatingUser="{GUID_USER}">
          <CodeRef targetGUID="{GUID_CODE}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Project [
 <!ENTITY a "lollollollollollollollollollol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
 <!ENTITY j "&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&j;"><Sources/></Project>
"""


def _dos_header(name: bytes, method: int, crc: int, packed: int, size: int) -> bytes:
    # version 2.0, no flags, 1980-01-01 00:00
    return struct.pack("<HHHHHIIIHH", 20, 0, method, 0, 0x21, crc, packed, size, len(name), 0)


def write_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip archive from raw members ``(name, data, method, crc, declared size)``.

    Written by hand so a member can hold a pre-built deflate stream and state any size.
    """
    with open(path, "wb") as handle:
        central = []
        for name, data, method, crc, size in members:
            encoded = name.encode("utf-8")
            offset = handle.tell()
            common = _dos_header(encoded, method, crc, len(data), size)
            handle.write(b"PK\x03\x04" + common + encoded + data)
            central.append(b"PK\x01\x02" + struct.pack("<H", 20) + common
                           + struct.pack("<HHHII", 0, 0, 0, 0, offset) + encoded)
        start = handle.tell()
        directory = b"".join(central)
        handle.write(directory)
        handle.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central),
                                                 len(directory), start, 0))
    return path


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    """An uncompressed, honest zip member."""
    return name, data, 0, zlib.crc32(data), len(data)


def deflate_bomb(name: str, unpacked: int, *, declared: int | None = None,
                 ) -> tuple[str, bytes, int, int, int]:
    """A deflate member that unpacks to ``unpacked`` bytes of repeated text from about
    ``unpacked / 1000`` bytes. One block is compressed once and repeated: after a full flush
    the compressor forgets its history, so every copy of the block decodes alike. The CRC is
    left 0 (a reader that gets to the end would call the member damaged; a guarded one never
    does). ``declared`` is the size the headers claim (default: the truth)."""
    block = ("重复的访谈文本 repeated interview text. " * 30_000).encode("utf-8")[:1 << 20]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    copies = unpacked // len(block)
    stream = piece * copies + compressor.flush()
    return name, stream, 8, 0, copies * len(block) if declared is None else declared


def docx_members() -> list[tuple[str, bytes, int, int, int]]:
    """The members of a minimal Word document other than word/document.xml."""
    content_types = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                     b'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
                     b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     b'<Override PartName="/word/document.xml" ContentType="application/vnd.'
                     b'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            b'://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            b'Target="word/document.xml"/></Relationships>')
    return [stored("[Content_Types].xml", content_types), stored("_rels/.rels", rels)]


# ----------------------------------------------------------------------------- pages

PAGE_TEXT = ("网格员将在24小时内响应处理，市民可以随手上报矛盾纠纷和安全隐患。"
             "该应用设有隐患随手拍、矛盾纠纷调解、办事指南、法律咨询等多个功能模块。")


def page_html(charset: str, body_paragraphs: int = 4) -> str:
    body = "".join(f"<p>{PAGE_TEXT}</p>" for _ in range(body_paragraphs))
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>平安涟源</title></head>'
            f'<body><div class="article"><h1>平安涟源APP正式上线</h1>{body}</div></body></html>')


def nested_page(depth: int) -> str:
    return ('<html><head><meta charset="utf-8"><title>深</title></head><body>'
            + "<div>" * depth + f"<p>{PAGE_TEXT}</p>" + "</div>" * depth + "</body></html>")
