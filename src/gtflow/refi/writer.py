"""Write gtflow codings as a REFI-QDA project (.qdpx) that other QDA programs can open.

The archive is deterministic: GUIDs are uuid5 of gtflow ids, zip members come in a fixed order
with a fixed timestamp and no creation dates are written, so the same input gives the same
bytes. Positions are code points into the source texts, as the standard says.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import uuid
import zipfile
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from lxml import etree

from gtflow.errors import InputError
from gtflow.io import atomic_path
from gtflow.memos import Memo
from gtflow.refi.memos import note_description

QDA_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
# Fixed namespace of every GUID gtflow writes (uuid5 of a fixed name, so it never changes).
GTFLOW_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:gtflow:refi-qda")
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # earliest zip date: archives differ only by content
_CODING_COLUMNS = ("doc_id", "start", "end", "concept_id", "coder")


_NAMESPACE_BYTES = GTFLOW_GUID_NAMESPACE.bytes


def gtflow_guid(kind: str, *parts: object) -> str:
    """Deterministic GUID of a gtflow object, e.g. ``gtflow_guid("code", "a1")``: the uuid5 of
    its name in GTFLOW_GUID_NAMESPACE (RFC 4122, section 4.3).

    Computed from SHA-1 directly: ``uuid.uuid5`` builds a UUID object per call, which was 40%
    of exporting 100k posts with 300k codings. The result is the same string.
    """
    name = "\x1f".join([kind, *(str(part) for part in parts)])
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    hex_digits = digest.hex()
    return (f"{hex_digits[:8]}-{hex_digits[8:12]}-{hex_digits[12:16]}-{hex_digits[16:20]}-"
            f"{hex_digits[20:]}")


#: GUIDs that one project repeats on every coding (a code's, a user's).
_repeated_guid = functools.lru_cache(maxsize=4096)(gtflow_guid)


def _q(tag: str, namespace: str = QDA_NAMESPACE) -> str:
    return f"{{{namespace}}}{tag}"


def _codebook_tree(codebook: Mapping[str, Any]) -> list[tuple[dict, list]]:
    """Nested (entry, children) from the flat codebook: core → main categories → categories →
    concepts. Entries whose parent is missing hang directly under the level above's root."""
    concepts_by_parent: dict[str, list[dict]] = {}
    for concept in codebook.get("concepts") or []:
        concepts_by_parent.setdefault(str(concept.get("parent", "")), []).append(concept)
    categories_by_parent: dict[str, list[dict]] = {}
    for category in codebook.get("categories") or []:
        categories_by_parent.setdefault(str(category.get("parent", "")), []).append(category)

    def category_node(category: dict) -> tuple[dict, list]:
        return category, [(concept, []) for concept in
                          concepts_by_parent.get(str(category["id"]), [])]

    main_nodes = [(main, [category_node(category) for category in
                          categories_by_parent.get(str(main["id"]), [])])
                  for main in codebook.get("main_categories") or []]
    core = codebook.get("core")
    if core:
        return [(core, main_nodes)]
    return main_nodes


def _code_element(entry: Mapping[str, Any], children: list,
                  notes_of_code: Mapping[str, list[str]] | None = None,
                  namespace: str = QDA_NAMESPACE) -> etree._Element:
    element = etree.Element(_q("Code", namespace), guid=gtflow_guid("code", entry["id"]),
                            name=str(entry.get("label") or entry["id"]), isCodable="true")
    if entry.get("color"):
        element.set("color", str(entry["color"]))
    definition = entry.get("definition")
    if definition:
        etree.SubElement(element, _q("Description", namespace)).text = str(definition).strip()
    # The schema's order inside a Code: Description, NoteRef*, then the child Codes.
    for memo_id in (notes_of_code or {}).get(str(entry["id"]), []):
        etree.SubElement(element, _q("NoteRef", namespace), targetGUID=gtflow_guid("memo", memo_id))
    for child, grandchildren in children:
        element.append(_code_element(child, grandchildren, notes_of_code, namespace))
    return element


def _notes_element(memos: Sequence[Memo], code_ids: set[str], path: Path) -> etree._Element:
    notes = etree.Element(_q("Notes"))
    for memo in memos:
        unknown = [c for c in memo.codes if c not in code_ids]
        if unknown:
            raise InputError(memo.path or path, f"memo {memo.id} names code(s) "
                             f"{', '.join(unknown)}, not in the codebook")
        note = etree.SubElement(notes, _q("Note"), guid=gtflow_guid("memo", memo.id),
                                name=memo.title, creatingUser=gtflow_guid("user", memo.author),
                                creationDateTime=f"{memo.date}T00:00:00Z")
        etree.SubElement(note, _q("Description")).text = note_description(memo)
        etree.SubElement(note, _q("PlainTextContent")).text = memo.body
    return notes


def _codebook_ids(codebook: Mapping[str, Any]) -> set[str]:
    ids = {str(codebook["core"]["id"])} if codebook.get("core") else set()
    for key in ("main_categories", "categories", "concepts"):
        ids.update(str(entry["id"]) for entry in codebook.get(key) or [])
    return ids


_CodingRow = namedtuple("_CodingRow", _CODING_COLUMNS)


def _check_codings(codings: pd.DataFrame, lengths: Mapping[str, int],
                   code_ids: set[str], path: Path) -> pd.DataFrame:
    missing = [column for column in _CODING_COLUMNS if column not in codings.columns]
    if missing:
        raise InputError(path, f"the codings table lacks column(s) {', '.join(missing)}")
    table = codings.loc[:, list(_CODING_COLUMNS)].copy()
    table["doc_id"] = table["doc_id"].astype(str)
    table["concept_id"] = table["concept_id"].astype(str)
    table["coder"] = table["coder"].astype(str)
    table["start"] = table["start"].astype(int)
    table["end"] = table["end"].astype(int)
    # Checked as whole columns; only the first bad row (if any) is looked at one by one, so the
    # message names the same record a row-by-row check would.
    length = table["doc_id"].map(lengths)
    known = length.notna().to_numpy()
    in_codebook = table["concept_id"].isin(code_ids).to_numpy()
    starts, ends = table["start"].to_numpy(), table["end"].to_numpy()
    inside = (starts >= 0) & (starts < ends) & (ends <= length.fillna(-1).to_numpy())
    bad = np.flatnonzero(~(known & in_codebook & inside))
    if len(bad):
        number = int(bad[0]) + 1
        row = _CodingRow(*table.iloc[number - 1].tolist())
        if row.doc_id not in lengths:
            raise InputError(path, f"coding of unknown document {row.doc_id!r}", record=number)
        if row.concept_id not in code_ids:
            raise InputError(path, f"coding with {row.concept_id!r}, which is not in the "
                                   "codebook", record=number)
        raise InputError(path, f"coding {row.start}-{row.end} lies outside document "
                               f"{row.doc_id!r} ({lengths[row.doc_id]} characters)",
                         record=number)
    # An optional description (e.g. the rule that made an auto coding) gives the coding a
    # selection of its own carrying it, so deleting it in a QDA program deletes that coding only.
    table["description"] = (codings["description"].astype(str).to_numpy()
                            if "description" in codings.columns else "")
    return table.drop_duplicates().sort_values([*_CODING_COLUMNS, "description"],
                                               kind="mergesort")


def build_project_xml(*, sources: Sequence[tuple[str, str, str]], codebook: Mapping[str, Any],
                      codings: pd.DataFrame, project_name: str, origin: str = "gtflow",
                      path: Path | None = None, memos: Sequence[Memo] = ()) -> bytes:
    """The project.qde document (UTF-8 bytes) for the given sources, codebook, codings and
    analytic memos (as Notes, referenced from the codes they name)."""
    return b"".join(project_xml_chunks(sources=sources, codebook=codebook, codings=codings,
                                       project_name=project_name, origin=origin, path=path,
                                       memos=memos))


#: Sources serialized together: enough to amortize lxml's per-call cost, few enough to keep
#: memory flat however many sources a project has.
_SOURCES_PER_CHUNK = 2000
_SOURCES_MARK = "gtflow-sources-go-here"


def project_xml_chunks(*, sources: Sequence[tuple[str, str, str]], codebook: Mapping[str, Any],
                       codings: pd.DataFrame, project_name: str, origin: str = "gtflow",
                       path: Path | None = None, memos: Sequence[Memo] = ()) -> Iterator[bytes]:
    """project.qde as consecutive pieces of UTF-8, the <TextSource> elements a chunk at a time.

    ``sources`` may be any sequence that can be iterated more than once (texts are read when
    needed). The bytes are those of serializing the whole tree with lxml's pretty printing:
    indentation depends only on an element's depth, so each chunk of sources is serialized
    inside an empty Project/Sources pair and cut out of it.
    """
    where = path or Path("project.qde")
    lengths: dict[str, int] = {}
    for doc_id, _, text in sources:
        lengths[str(doc_id)] = len(text)
    if len(lengths) != len(sources):
        raise InputError(where, "two sources share a document id")
    table = _check_codings(codings, lengths, _codebook_ids(codebook), where)

    root = etree.Element(_q("Project"), nsmap={None: QDA_NAMESPACE}, name=project_name,
                         origin=origin)
    coders = sorted(set(table["coder"]) | {memo.author for memo in memos})
    if coders:
        users = etree.SubElement(root, _q("Users"))
        for coder in coders:
            etree.SubElement(users, _q("User"), guid=gtflow_guid("user", coder), name=coder)
    tree = _codebook_tree(codebook)
    notes_of_code: dict[str, list[str]] = {}
    for memo in memos:
        for code_id in memo.codes:
            notes_of_code.setdefault(code_id, []).append(memo.id)
    if tree:
        codes = etree.SubElement(etree.SubElement(root, _q("CodeBook")), _q("Codes"))
        for entry, children in tree:
            codes.append(_code_element(entry, children, notes_of_code))
    if len(sources):
        etree.SubElement(etree.SubElement(root, _q("Sources")), _q("TextSource"),
                         guid=_SOURCES_MARK)
    if memos:
        root.append(_notes_element(memos, _codebook_ids(codebook), where))
    document = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    if not len(sources):
        yield document
        return
    mark_line = b'    <TextSource guid="' + _SOURCES_MARK.encode() + b'"/>\n'
    head, tail = document.split(mark_line)
    yield head
    # Plain tuples grouped once: per-document pandas groups cost seconds per 10k documents.
    by_doc: dict[str, list[tuple[int, int, str, str, str]]] = {}
    for doc_id, start, end, concept_id, coder, description in zip(
            table["doc_id"].tolist(), table["start"].tolist(), table["end"].tolist(),
            table["concept_id"].tolist(), table["coder"].tolist(),
            table["description"].tolist()):
        by_doc.setdefault(doc_id, []).append((start, end, concept_id, coder, description))
    del table
    for chunk in _batched(((doc_id, name) for doc_id, name, _ in sources), _SOURCES_PER_CHUNK):
        yield _text_sources_xml(chunk, by_doc)
    yield tail


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _text_sources_xml(sources: list[tuple[str, str]],
                      by_doc: Mapping[str, list[tuple[int, int, str, str, str]]]) -> bytes:
    """The <TextSource> lines of ``sources`` exactly as they appear in the whole document."""
    project = etree.Element(_q("Project"), nsmap={None: QDA_NAMESPACE})
    sources_element = etree.SubElement(project, _q("Sources"))
    for doc_id, name in sources:
        source_guid = gtflow_guid("source", doc_id)
        source = etree.SubElement(sources_element, _q("TextSource"), guid=source_guid,
                                  name=str(name), plainTextPath=f"internal://{source_guid}.txt")
        rows = by_doc.get(str(doc_id))
        if rows is not None:
            _append_selections(source, str(doc_id), rows)
    serialized = etree.tostring(project, encoding="utf-8", pretty_print=True)
    # Cut between "<Project ...>\n  <Sources>\n" and "  </Sources>\n</Project>\n".
    start = serialized.index(b"\n", serialized.index(b"<Sources>")) + 1
    return serialized[start:serialized.rindex(b"  </Sources>")]


def _append_selections(source: etree._Element, doc_id: str,
                       rows: list[tuple[int, int, str, str, str]]) -> None:
    # One PlainTextSelection per span; each coder × concept on it is one <Coding>. A coding
    # with a description has a selection of its own holding it (Coding has no Description).
    # ``rows`` (start, end, concept_id, coder, description) arrive sorted by span.
    groups = itertools.groupby(sorted(rows, key=lambda r: (r[0], r[1], r[4])),
                               key=lambda r: (r[0], r[1], r[4]))
    for (start, end, description), span in groups:
        parts = (doc_id, start, end, description) if description else (doc_id, start, end)
        selection = etree.SubElement(source, _q("PlainTextSelection"),
                                     guid=gtflow_guid("selection", *parts),
                                     name="", startPosition=str(start), endPosition=str(end))
        if description:
            etree.SubElement(selection, _q("Description")).text = description
        for _, _, concept_id, coder, _ in span:
            coding = etree.SubElement(selection, _q("Coding"),
                                      guid=gtflow_guid("coding", doc_id, start, end,
                                                       concept_id, coder),
                                      creatingUser=_repeated_guid("user", coder))
            etree.SubElement(coding, _q("CodeRef"), targetGUID=_repeated_guid("code", concept_id))


def build_codebook_xml(codebook: Mapping[str, Any], origin: str = "gtflow") -> bytes:
    """A REFI Codebook Exchange document (.qdc): core → main categories → categories →
    concepts as nested codes with their definitions and colours."""
    root = etree.Element(_q("CodeBook", CODEBOOK_NAMESPACE), nsmap={None: CODEBOOK_NAMESPACE},
                         origin=origin)
    codes = etree.SubElement(root, _q("Codes", CODEBOOK_NAMESPACE))
    for entry, children in _codebook_tree(codebook):
        codes.append(_code_element(entry, children, namespace=CODEBOOK_NAMESPACE))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_codebook(path: str | Path, codebook: Mapping[str, Any], origin: str = "gtflow") -> Path:
    """Write a codebook as a .qdc file that QDA programs import; whole or not at all."""
    path = Path(path)
    data = build_codebook_xml(codebook, origin)
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return path


def write_project(path: str | Path, *, sources: Sequence[tuple[str, str, str]],
                  codebook: Mapping[str, Any], codings: pd.DataFrame, project_name: str,
                  origin: str = "gtflow", memos: Sequence[Memo] = ()) -> Path:
    """Write a .qdpx archive: project.qde plus one UTF-8 plain-text file per source.

    ``sources`` are (doc_id, name, text); ``codings`` has columns doc_id, start, end,
    concept_id, coder with code-point offsets into the text, end exclusive. The codebook's
    core → main categories → categories → concepts become nested codes, coders become users,
    memos become Notes (:mod:`gtflow.refi.memos`). The file appears whole or not at all.
    """
    path = Path(path)
    chunks = project_xml_chunks(sources=sources, codebook=codebook, codings=codings,
                                project_name=project_name, origin=origin, path=path, memos=memos)
    with atomic_path(path) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        # Streamed member by member, so memory does not grow with the number of sources.
        with archive.open(_member("project.qde"), "w") as member:
            for chunk in chunks:
                member.write(chunk)
        for doc_id, _name, text in sources:
            # The standard's folder is lower-case "sources" (NVivo for Mac, QualCoder, qc
            # expect it).
            archive.writestr(_member(f"sources/{gtflow_guid('source', doc_id)}.txt"),
                             text.encode("utf-8"))
    return path


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info
