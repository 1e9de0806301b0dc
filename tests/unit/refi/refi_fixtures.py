"""Builders of small vendor-style REFI-QDA projects for the tests (imported by test modules)."""

from __future__ import annotations

import zipfile
from pathlib import Path


def make_qdpx(path: Path, qde_xml: str, files: dict[str, bytes] | None = None, *,
              qde_name: str = "project.qde") -> Path:
    """A .qdpx archive holding the given .qde document and extra members."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(qde_name, qde_xml.encode("utf-8"))
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


def zipfile_member(name: str) -> zipfile.ZipInfo:
    """The member settings gtflow's archives had when zipfile wrote them."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


def utf16_units(text: str) -> int:
    """Length of a text in UTF-16 code units, computed independently of gtflow.refi."""
    return len(text.encode("utf-16-le")) // 2


def guid(number: int) -> str:
    """A valid, readable test GUID."""
    return f"00000000-0000-4000-8000-{number:012d}"


QDA_NS = 'xmlns="urn:QDA-XML:project:1.0"'

# --- ATLAS.ti style: Project.qde, Parent::child code names, CRLF counted as 1, BOM, notes.
ATLAS_RAW = "\ufeffInterview one\r\nI felt angry 😤 about the app.\r\nLater I was glad.\r\n"
ATLAS_TEXT = "Interview one\nI felt angry 😤 about the app.\nLater I was glad.\n"


def atlas_offsets(quote: str) -> tuple[int, int]:
    """ATLAS.ti positions of a quote: code points with CRLF as one (= normalized text)."""
    start = ATLAS_TEXT.index(quote)
    return start, start + len(quote)


def build_atlas_qdpx(path: Path) -> Path:
    anger = atlas_offsets("angry 😤")
    sentence = atlas_offsets("I felt angry 😤 about the app.")
    glad = atlas_offsets("glad")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {QDA_NS} name="Feelings study" origin="ATLAS.ti 23.2.1">
  <Users>
    <User guid="{guid(1)}" name="Ana"/>
    <User guid="{guid(2)}" name="Bo Li"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="{guid(10)}" name="Feelings" isCodable="true"><Description>How people feel</Description></Code>
    <Code guid="{guid(11)}" name="Feelings::anger" isCodable="true"/>
    <Code guid="{guid(12)}" name="Feelings::joy" isCodable="true"/>
    <Code guid="{guid(13)}" name="Trust" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{guid(20)}" name="Interview 1 (Ana)" plainTextPath="internal://{guid(20)}.txt"
        creationDateTime="2024-03-05T10:00:00Z">
      <PlainTextSelection guid="{guid(30)}" startPosition="{anger[0]}" endPosition="{anger[1]}"
          creatingUser="{guid(1)}">
        <Description>strong word</Description>
        <Coding guid="{guid(40)}" creatingUser="{guid(1)}"><CodeRef targetGUID="{guid(11)}"/></Coding>
        <NoteRef targetGUID="{guid(60)}"/>
      </PlainTextSelection>
      <PlainTextSelection guid="{guid(31)}" startPosition="{sentence[0]}" endPosition="{sentence[1]}"
          creatingUser="{guid(1)}">
        <Coding guid="{guid(41)}" creatingUser="{guid(1)}"><CodeRef targetGUID="{guid(10)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{guid(32)}" startPosition="{glad[0]}" endPosition="{glad[1]}"
          creatingUser="{guid(2)}">
        <Coding guid="{guid(42)}" creatingUser="{guid(2)}"><CodeRef targetGUID="{guid(12)}"/></Coding>
      </PlainTextSelection>
      <Coding guid="{guid(43)}" creatingUser="{guid(2)}"><CodeRef targetGUID="{guid(13)}"/></Coding>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="{guid(60)}" name="Anger memo" creatingUser="{guid(1)}">
      <PlainTextContent>Anger is aimed at the app.\r\nFollow up.</PlainTextContent>
    </Note>
  </Notes>
</Project>
"""
    return make_qdpx(path, qde, {f"sources/{guid(20)}.txt": ATLAS_RAW.encode("utf-8")},
                     qde_name="Project.qde")
