"""Write gtflow codings as a REFI-QDA project (.qdpx) that other QDA programs can open.

The archive is deterministic: GUIDs are uuid5 of gtflow ids, zip members come in a fixed order
with a fixed timestamp (:mod:`gtflow.refi.archive`) and no creation dates are written, so the
same input gives the same bytes. Positions are code points into the source texts, as the standard says.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from gtflow.csvtext import string_data_view
from gtflow.errors import InputError
from gtflow.frames import arrow_text
from gtflow.io import atomic_path
from gtflow.memos import Memo
from gtflow.refi.archive import CompressedAhead, ZipArchive, add_to_every
from gtflow.refi.memos import note_description

QDA_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
# Fixed namespace of every GUID gtflow writes (uuid5 of a fixed name, so it never changes).
GTFLOW_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:gtflow:refi-qda")
_CODING_COLUMNS = ("doc_id", "start", "end", "concept_id", "coder")


_NAMESPACE_BYTES = GTFLOW_GUID_NAMESPACE.bytes


def gtflow_guid(kind: str, *parts: object) -> str:
    """Deterministic GUID of a gtflow object, e.g. ``gtflow_guid("code", "a1")``: the uuid5 of
    its name in GTFLOW_GUID_NAMESPACE (RFC 4122, section 4.3)."""
    return guid_of_name("\x1f".join([kind, *(str(part) for part in parts)]))


def guid_of_name(name: str) -> str:
    """The uuid5 string of a name already joined as :func:`gtflow_guid` joins it.

    Computed from SHA-1 directly: ``uuid.uuid5`` builds a UUID object per call, which was 40%
    of exporting 100k posts with 300k codings. The version nibble becomes 5 and the variant
    bits 10 (RFC 4122), as ``uuid.uuid5`` sets them.
    """
    digits = hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).hexdigest()
    variant = _VARIANT_DIGITS[int(digits[16], 16) & 3]
    return (f"{digits[:8]}-{digits[8:12]}-5{digits[13:16]}-{variant}{digits[17:20]}-"
            f"{digits[20:32]}")


_VARIANT_DIGITS = "89ab"

try:
    # CPython's own SHA-1: the same digests as OpenSSL's, with a quarter less cost per call on
    # names this short (a project hashes one name per source, selection and coding).
    from _sha1 import sha1 as short_sha1
except ImportError:  # a Python built without it
    short_sha1 = hashlib.sha1


def guids_of_names(names: pa.Array) -> pa.StringArray:
    """:func:`guid_of_name` of each of ``names`` (an Arrow string array without nulls).

    Only the SHA-1 is one call per name; prefixing the namespace and writing the digests as
    uuid5 strings are whole-array steps, which took two thirds of the per-name cost.
    """
    prefixed = pc.binary_join_element_wise(pa.scalar(_NAMESPACE_BYTES, pa.binary()),
                                           names.cast(pa.binary()), b"")
    # Arrow makes the bytes objects (a quarter faster than slicing them from one buffer).
    digests = b"".join([short_sha1(name).digest() for name in prefixed.to_pylist()])
    return uuid5_strings(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 20))


#: Where the 32 hex digits of a UUID string go between its four hyphens.
_HEX_COLUMNS = np.array([i for i in range(36) if i not in (8, 13, 18, 23)])
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def uuid5_strings(digests: np.ndarray) -> pa.StringArray:
    """The uuid5 strings of SHA-1 digests (one per row of a uint8 array of 20 columns): the
    first 16 bytes with version 5 and the RFC 4122 variant, as lower-case hex with hyphens."""
    fields = digests[:, :16].copy()
    fields[:, 6] = fields[:, 6] & 0x0F | 0x50
    fields[:, 8] = fields[:, 8] & 0x3F | 0x80
    nibbles = np.stack([fields >> 4, fields & 0x0F], axis=2).reshape(len(fields), 32)
    text = np.full((len(fields), 36), ord("-"), dtype=np.uint8)
    text[:, _HEX_COLUMNS] = _HEX_DIGITS[nibbles]
    offsets = np.arange(0, 36 * len(fields) + 1, 36, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), len(fields),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(text)])


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


@runtime_checkable
class EncodedSources(Protocol):
    """A project's sources as the writer reads them: their texts' lengths and UTF-8 bytes
    come without a Python string per text where the sources can give them so
    (:class:`gtflow.refi.steps.CleanSources`); :class:`DecodedSources` reads any sequence of
    (doc_id, name, text) this way."""

    def ids(self) -> list[str]:
        """Each source's document id, in order."""

    def names(self) -> list[str]:
        """Each source's name, in order."""

    def code_point_lengths(self) -> np.ndarray:
        """The length of each source's text in code points, in order."""

    def encoded_texts(self) -> Iterable[bytes]:
        """Each source's text as UTF-8, in order."""


class DecodedSources:
    """Sources given as a sequence of (doc_id, name, text) as :class:`EncodedSources`."""

    def __init__(self, sources: Sequence[tuple[str, str, str]]) -> None:
        self.sources = sources

    def ids(self) -> list[str]:
        return [str(doc_id) for doc_id, _, _ in self.sources]

    def names(self) -> list[str]:
        return [str(name) for _, name, _ in self.sources]

    def code_point_lengths(self) -> np.ndarray:
        return np.asarray([len(text) for _, _, text in self.sources], dtype=np.int64)

    def encoded_texts(self) -> Iterator[bytes]:
        return (text.encode("utf-8") for _, _, text in self.sources)


def encoded_sources(sources: Sequence[tuple[str, str, str]] | EncodedSources) -> EncodedSources:
    """``sources`` as :class:`EncodedSources`."""
    return sources if isinstance(sources, EncodedSources) else DecodedSources(sources)


def _source_listing(sources: EncodedSources,
                    path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """The sources' ids, names and text lengths in code points, in order."""
    ids, names, lengths = sources.ids(), sources.names(), sources.code_point_lengths()
    if len(set(ids)) != len(ids):
        raise InputError(path, "two sources share a document id")
    return ids, names, lengths


def _check_codings(codings: pd.DataFrame, ids: list[str], lengths: np.ndarray,
                   code_ids: set[str], path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The codings (with a description column) and each one's source position, once every
    coding is known to lie inside a source and name a code of the codebook."""
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
    position = _positions(table["doc_id"], ids)
    known = position >= 0
    length = np.where(known, lengths[position], -1)
    in_codebook = table["concept_id"].isin(code_ids).to_numpy()
    starts, ends = table["start"].to_numpy(), table["end"].to_numpy()
    inside = (starts >= 0) & (starts < ends) & (ends <= length)
    bad = np.flatnonzero(~(known & in_codebook & inside))
    if len(bad):
        number = int(bad[0]) + 1
        row = _CodingRow(*table.iloc[number - 1].tolist())
        if not known[number - 1]:
            raise InputError(path, f"coding of unknown document {row.doc_id!r}", record=number)
        if row.concept_id not in code_ids:
            raise InputError(path, f"coding with {row.concept_id!r}, which is not in the "
                                   "codebook", record=number)
        raise InputError(path, f"coding {row.start}-{row.end} lies outside document "
                               f"{row.doc_id!r} ({length[number - 1]} characters)",
                         record=number)
    # An optional description (e.g. the rule that made an auto coding) gives the coding a
    # selection of its own carrying it, so deleting it in a QDA program deletes that coding only.
    # Kept in Arrow: a round trip through Python strings took as long as the checks.
    table["description"] = (codings["description"].astype(str).array
                            if "description" in codings.columns else "")
    return table, position


def _positions(doc_ids: pd.Series, ids: list[str]) -> np.ndarray:
    """The position of each of ``doc_ids`` in ``ids`` (distinct; -1 for an unknown id), by
    one Arrow hash lookup (pandas' indexer takes Arrow text as Python strings, four times as
    long)."""
    column = arrow_text(doc_ids)
    if pa.types.is_null(column.type):  # no ids, or only missing ones, in an object column
        column = column.cast(pa.string())
    found = pc.index_in(column, value_set=pa.array(ids, type=column.type))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of ``values`` whose order is the values' (code point) order, and the
    distinct values in that order."""
    codes, distinct = pd.factorize(values)
    labels = [str(value) for value in distinct]
    order = sorted(range(len(labels)), key=labels.__getitem__)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    return rank[codes], [labels[i] for i in order]


def packed_keys(keys: list[np.ndarray]) -> list[np.ndarray]:
    """Sort keys (non-negative int64 arrays of one length, the first the most significant)
    packed into as few int64 words as hold them: sorting and comparing rows by the words
    orders and matches them as by the keys, at a sort per word rather than per key."""
    words: list[np.ndarray] = []
    word, free = None, 0
    for key in keys:
        bits = max(int(key.max()).bit_length() if len(key) else 0, 1)
        if word is None or bits > free:
            if word is not None:
                words.append(word)
            word, free = key.astype(np.int64), 63 - bits
            continue
        word = (word << bits) | key
        free -= bits
    if word is not None:
        words.append(word)
    return words


@dataclass(frozen=True)
class _SelectionRows:
    """The distinct codings as parallel arrays, sorted by source position, span, description,
    concept and coder: the order of the selections and codings in project.qde. Strings are
    codes into ``descriptions``, ``concepts`` and ``coders``, so a million codings are a few
    arrays rather than a million tuples."""

    source: np.ndarray
    start: np.ndarray
    end: np.ndarray
    description: np.ndarray
    concept: np.ndarray
    coder: np.ndarray
    descriptions: list[str]
    concepts: list[str]
    coders: list[str]

    @classmethod
    def of(cls, table: pd.DataFrame, position: np.ndarray) -> _SelectionRows:
        description, descriptions = _sorted_codes(table["description"])
        concept, concepts = _sorted_codes(table["concept_id"])
        coder, coders = _sorted_codes(table["coder"])
        keys = [position.astype(np.int64), table["start"].to_numpy(np.int64),
                table["end"].to_numpy(np.int64), description, concept, coder]
        words = packed_keys(keys)
        order = np.lexsort(words[::-1])
        words = [word[order] for word in words]
        distinct = np.ones(len(order), dtype=bool)
        if len(order):
            distinct[1:] = np.any([word[1:] != word[:-1] for word in words], axis=0)
        kept = order[distinct]
        return cls(*(key[kept] for key in keys), descriptions, concepts, coders)

    def bounds(self, first: int, last: int) -> list[int]:
        """Row boundaries of the sources at positions ``first`` .. ``last`` (exclusive):
        source ``first + i`` has rows ``bounds[i]`` to ``bounds[i + 1]``."""
        return np.searchsorted(self.source, np.arange(first, last + 1)).tolist()


#: Sources serialized together: enough to amortize the per-chunk cost, few enough to keep
#: memory flat however many sources a project has.
_SOURCES_PER_CHUNK = 2000
_SOURCES_MARK = "gtflow-sources-go-here"
#: Compressed source texts held at most, compressed ahead of their turn (all of 100k posts').
_TEXT_BYTES_AHEAD = 16 << 20
#: Characters XML 1.0 cannot hold; lxml refuses them with this message, and so does the
#: templated part of project.qde.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_XML_MESSAGE = ("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or "
                    "control characters")
#: _NOT_XML in RE2's syntax, for Arrow.
_NOT_XML_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"
# What libxml2 escapes when it serializes an attribute value and element text.
_ATTRIBUTE_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
                      "\r": "&#13;", "\t": "&#9;"}
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def xml_attributes(values: pa.Array) -> pa.Array:
    """Each of ``values`` (Arrow strings without nulls) escaped as libxml2 writes an
    attribute value (ValueError where lxml refuses one), a pass over all of them per character
    rather than a Python call per value."""
    if len(values) and pc.any(pc.match_substring_regex(values, _NOT_XML_RE2)).as_py():
        raise ValueError(_NOT_XML_MESSAGE)
    for character, escaped in _ATTRIBUTE_ESCAPES.items():  # "&" first: the others add one
        values = pc.replace_substring(values, character, escaped)
    return values


def xml_text(value: str) -> str:
    """``value`` escaped as libxml2 writes element text (ValueError where lxml refuses)."""
    if _NOT_XML.search(value):
        raise ValueError(_NOT_XML_MESSAGE)
    return value.translate(_TEXT_ESCAPES)


def build_project_xml(*, sources: Sequence[tuple[str, str, str]], codebook: Mapping[str, Any],
                      codings: pd.DataFrame, project_name: str, origin: str = "gtflow",
                      path: Path | None = None, memos: Sequence[Memo] = ()) -> bytes:
    """The project.qde document (UTF-8 bytes) for the given sources, codebook, codings and
    analytic memos (as Notes, referenced from the codes they name)."""
    return b"".join(project_xml_chunks(sources=sources, codebook=codebook, codings=codings,
                                       project_name=project_name, origin=origin, path=path,
                                       memos=memos))


def project_xml_chunks(*, sources: Sequence[tuple[str, str, str]], codebook: Mapping[str, Any],
                       codings: pd.DataFrame, project_name: str, origin: str = "gtflow",
                       path: Path | None = None, memos: Sequence[Memo] = ()) -> Iterator[bytes]:
    """project.qde as consecutive pieces of UTF-8, the <TextSource> elements a chunk at a time.

    ``sources`` may be any sequence that can be iterated more than once (texts are read when
    needed). The bytes are those of serializing the whole tree with lxml's pretty printing:
    the head and tail (users, codebook, notes) are lxml's own, with an empty Sources element
    cut out; the <TextSource> elements, most of the document, are written from templates with
    libxml2's escaping and indentation, at a fraction of the cost of building elements
    (``tests/unit/refi/test_writer.py`` compares the two).
    """
    where = path or Path("project.qde")
    ids, names, lengths = _source_listing(encoded_sources(sources), where)
    table, position = _check_codings(codings, ids, lengths, _codebook_ids(codebook), where)
    rows = _SelectionRows.of(table, position)
    del table, position
    head, tail = _project_frame(codebook, project_name, origin, rows.coders, memos, where,
                                with_sources=bool(ids))
    yield head
    if not ids:
        return
    strings = _RepeatedStrings(rows)
    for first in range(0, len(ids), _SOURCES_PER_CHUNK):
        last = min(first + _SOURCES_PER_CHUNK, len(ids))
        yield _text_sources_xml(ids, names, first, last, rows, strings)
    yield tail


def _project_frame(codebook: Mapping[str, Any], project_name: str, origin: str,
                   coders: list[str], memos: Sequence[Memo], path: Path, *,
                   with_sources: bool) -> tuple[bytes, bytes]:
    """project.qde before and after its <TextSource> elements (the whole document, and b"",
    when there are no sources)."""
    root = etree.Element(_q("Project"), nsmap={None: QDA_NAMESPACE}, name=project_name,
                         origin=origin)
    users_of = sorted(set(coders) | {memo.author for memo in memos})
    if users_of:
        users = etree.SubElement(root, _q("Users"))
        for coder in users_of:
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
    if with_sources:
        etree.SubElement(etree.SubElement(root, _q("Sources")), _q("TextSource"),
                         guid=_SOURCES_MARK)
    if memos:
        root.append(_notes_element(memos, _codebook_ids(codebook), path))
    document = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    if not with_sources:
        return document, b""
    head, tail = document.split(b'    <TextSource guid="' + _SOURCES_MARK.encode() + b'"/>\n')
    return head, tail


class _RepeatedStrings:
    """The strings one project repeats, as Arrow arrays to take from by code: the concepts,
    coders and descriptions, a code's and a user's GUID, an escaped description."""

    def __init__(self, rows: _SelectionRows) -> None:
        self.concepts = pa.array(rows.concepts, pa.string())
        self.coders = pa.array(rows.coders, pa.string())
        self.code = pa.array([gtflow_guid("code", concept) for concept in rows.concepts],
                             pa.string())
        self.user = pa.array([gtflow_guid("user", coder) for coder in rows.coders], pa.string())
        self.descriptions = pa.array(rows.descriptions, pa.string())
        self.description_xml = pa.array([xml_text(text) for text in rows.descriptions],
                                        pa.string())


def _joined(*parts: pa.Array | str) -> pa.Array:
    """Each row's parts one after another (a str part is the same in every row)."""
    return pc.binary_join_element_wise(*parts, "")


def _named(kind: str, *parts: pa.Array) -> pa.Array:
    """Each row's name as :func:`gtflow_guid` joins it."""
    return pc.binary_join_element_wise(kind, *parts, "\x1f")


def _text_sources_xml(ids: list[str], names: list[str], first: int, last: int,
                      rows: _SelectionRows, strings: _RepeatedStrings) -> bytes:
    """The <TextSource> lines of the sources at positions ``first`` .. ``last`` (exclusive),
    exactly as lxml's pretty printing of the whole document has them.

    Built a column at a time with Arrow string functions rather than line by line in Python
    (most of the export's time at 100k posts): one piece per source (its opening tag) and one
    per coding (its selection's opening when it is the selection's first coding, the Coding,
    and the closing tags it is the last one before), put in document order at the end.
    """
    bounds = np.asarray(rows.bounds(first, last))
    low, high = int(bounds[0]), int(bounds[-1])
    coded = np.diff(bounds) > 0
    doc_ids = pa.array(ids[first:last], pa.string())
    source_guids = guids_of_names(_named("source", doc_ids))
    openings = _joined('    <TextSource guid="', source_guids, '" name="',
                       xml_attributes(pa.array(names[first:last], pa.string())),
                       '" plainTextPath="internal://', source_guids,
                       pc.if_else(coded, '.txt">\n', '.txt"/>\n'))
    source_of_row = np.repeat(np.arange(last - first), np.diff(bounds))
    codings = _coding_pieces(doc_ids.take(source_of_row), rows, low, high, strings)
    # Source i's opening goes before its codings, after those of the sources before it.
    slot_of_opening = bounds[:-1] - low + np.arange(last - first)
    slot_of_coding = np.arange(high - low) + source_of_row + 1
    order = np.empty(len(openings) + len(codings), dtype=np.int64)
    order[slot_of_opening] = np.arange(len(openings))
    order[slot_of_coding] = len(openings) + np.arange(len(codings))
    document = pa.concat_arrays([openings, codings]).take(pa.array(order))
    return string_data_view(document).tobytes()


def _coding_pieces(doc_ids: pa.Array, rows: _SelectionRows, low: int, high: int,
                   strings: _RepeatedStrings) -> pa.Array:
    """One piece of project.qde per coding row ``low`` .. ``high`` of ``rows`` (``doc_ids``
    their documents): one PlainTextSelection per span, each coder × concept on it one <Coding>.
    A coding with a description has a selection of its own holding it (Coding has no
    Description). Rows arrive sorted by span, description, concept and coder."""
    start = pc.cast(pa.array(rows.start[low:high]), pa.string())
    end = pc.cast(pa.array(rows.end[low:high]), pa.string())
    description, concept, coder = (rows.description[low:high], rows.concept[low:high],
                                   rows.coder[low:high])
    source = rows.source[low:high]
    first_of_source = np.ones(high - low, dtype=bool)
    first_of_source[1:] = source[1:] != source[:-1]
    first_of_span = first_of_source.copy()
    first_of_span[1:] |= ((rows.start[low + 1:high] != rows.start[low:high - 1])
                          | (rows.end[low + 1:high] != rows.end[low:high - 1])
                          | (description[1:] != description[:-1]))
    last_of_source, last_of_span = _last_of_runs(first_of_source), _last_of_runs(first_of_span)
    openings = _selection_openings(doc_ids, start, end, description, strings,
                                   np.flatnonzero(first_of_span))
    # Rows that do not open a selection take the empty string after the openings.
    opening_of_row = np.where(first_of_span, np.cumsum(first_of_span) - 1, len(openings))
    guids = guids_of_names(_named("coding", doc_ids, start, end, strings.concepts.take(concept),
                                  strings.coders.take(coder)))
    closing = pc.if_else(last_of_source, "      </PlainTextSelection>\n    </TextSource>\n",
                         "      </PlainTextSelection>\n")
    return _joined(pa.concat_arrays([openings, pa.array([""], pa.string())])
                   .take(pa.array(opening_of_row)),
                   '        <Coding guid="', guids, '" creatingUser="', strings.user.take(coder),
                   '">\n          <CodeRef targetGUID="', strings.code.take(concept),
                   '"/>\n        </Coding>\n', pc.if_else(last_of_span, closing, ""))


def _last_of_runs(first_of_run: np.ndarray) -> np.ndarray:
    """Whether each row ends its run of rows, given whether each begins one."""
    last = np.ones_like(first_of_run)
    last[:-1] = first_of_run[1:]
    return last


def _selection_openings(doc_ids: pa.Array, start: pa.Array, end: pa.Array,
                        description: np.ndarray, strings: _RepeatedStrings,
                        firsts: np.ndarray) -> pa.Array:
    """The opening tag (and Description) of the selection each of the rows ``firsts`` opens."""
    index = pa.array(firsts)
    start, end = start.take(index), end.take(index)
    text = strings.descriptions.take(pa.array(description[firsts]))
    described = pc.not_equal(text, "")
    name = _named("selection", doc_ids.take(index), start, end)
    guids = guids_of_names(pc.if_else(described, _joined(name, "\x1f", text), name))
    described_xml = _joined("        <Description>",
                            strings.description_xml.take(pa.array(description[firsts])),
                            "</Description>\n")
    return _joined('      <PlainTextSelection guid="', guids, '" name="" startPosition="', start,
                   '" endPosition="', end, '">\n', pc.if_else(described, described_xml, ""))


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


def write_project(path: str | Path, *, sources: Sequence[tuple[str, str, str]] | EncodedSources,
                  codebook: Mapping[str, Any], codings: pd.DataFrame, project_name: str,
                  origin: str = "gtflow", memos: Sequence[Memo] = ()) -> Path:
    """Write a .qdpx archive: project.qde plus one UTF-8 plain-text file per source.

    ``sources`` are (doc_id, name, text) or :class:`EncodedSources`; ``codings`` has columns
    doc_id, start, end, concept_id, coder with code-point offsets into the text, end
    exclusive. The codebook's core → main categories → categories → concepts become nested
    codes, coders become users, memos become Notes (:mod:`gtflow.refi.memos`). The file
    appears whole or not at all.
    """
    [written] = write_projects([ProjectContent(path, codebook, codings, project_name, origin,
                                               memos)], sources=sources)
    return written


@dataclass(frozen=True)
class ProjectContent:
    """One .qdpx archive's own part, beside the sources it shares with others: where it goes,
    its codebook, codings (as :func:`write_project` takes them), name, origin and memos."""

    path: str | Path
    codebook: Mapping[str, Any]
    codings: pd.DataFrame
    project_name: str
    origin: str = "gtflow"
    memos: Sequence[Memo] = ()


def write_projects(projects: Iterable[ProjectContent], *,
                   sources: Sequence[tuple[str, str, str]] | EncodedSources) -> list[Path]:
    """Write several .qdpx archives of the same sources, each as :func:`write_project` writes
    it alone; every text is compressed once for all of them. ``projects`` are taken one at a
    time, each once the one before has its project.qde, so a caller that makes them as they
    are asked for holds one project's codings at a time. Each file appears whole or not at
    all; bad codings in any project leave none of them."""
    sources = encoded_sources(sources)
    # The texts are compressed, a bounded amount ahead, while project.qde's deflating on the
    # second thread keeps the main thread waiting; streamed member by member, so memory does
    # not grow with the number of sources.
    texts = CompressedAhead(_source_members(sources.ids(), sources.encoded_texts()),
                            _TEXT_BYTES_AHEAD)
    written, archives = [], []
    with ExitStack() as files:
        for project in projects:
            path = Path(project.path)
            temporary = files.enter_context(atomic_path(path))
            archive = files.enter_context(ZipArchive(files.enter_context(open(temporary, "wb"))))
            chunks = project_xml_chunks(sources=sources, codebook=project.codebook,
                                        codings=project.codings,
                                        project_name=project.project_name,
                                        origin=project.origin, path=path, memos=project.memos)
            del project  # its codings go once its project.qde is written
            with archive.streamed("project.qde", while_waiting=texts.compress_next) as write:
                for chunk in chunks:
                    write(chunk)
            del chunks
            written.append(path)
            archives.append(archive)
        add_to_every(archives, texts)
    return written


def _source_members(doc_ids: list[str], texts: Iterable[bytes]) -> Iterator[tuple[str, bytes]]:
    """(zip member name, UTF-8 text) of each source, the GUIDs made a batch at a time."""
    texts = iter(texts)
    for first in range(0, len(doc_ids), _SOURCES_PER_CHUNK):
        guids = guids_of_names(_named("source", pa.array(doc_ids[first:first + _SOURCES_PER_CHUNK],
                                                         pa.string())))
        # The standard's folder is lower-case "sources" (NVivo for Mac, QualCoder, qc
        # expect it).
        for guid, text in zip(guids.to_pylist(), texts):
            yield f"sources/{guid}.txt", text
