"""Read REFI-QDA projects (.qdpx archives and bare .qde files) from real QDA programs.

Lenient by design: vendors disagree on the namespace, the name of the .qde member, GUID
spelling, where source texts live and how positions are counted. Each source's positions are
converted to code points of its normalized text (see :mod:`gtflow.refi.offsets`) with the
counting scheme of the vendor that wrote the file; when the vendor is unknown or its scheme is
ambiguous, the candidate scheme that puts most selection ends on word boundaries wins.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from lxml import etree

from gtflow.errors import InputError
from gtflow.refi.model import RefiCode, RefiNote, RefiProject, RefiSelection, RefiSource
from gtflow.refi.offsets import (
    OffsetScheme,
    is_word_boundary,
    normalize_line_breaks,
    strip_bom,
    unit_table,
    units_to_codepoint,
)

NVIVO = "nvivo"
ATLASTI = "atlasti"
MAXQDA = "maxqda"
QUALCODER = "qualcoder"
F4 = "f4"
TAGUETTE = "taguette"
GTFLOW = "gtflow"
UNKNOWN = "unknown"

_STANDARD = OffsetScheme("codepoint", 2)
#: Candidate counting schemes per vendor, most likely first. One candidate = fixed; several =
#: chosen per source by how many selection ends land on word boundaries.
VENDOR_SCHEMES: dict[str, tuple[OffsetScheme, ...]] = {
    NVIVO: (OffsetScheme("utf16", 2),),
    ATLASTI: (OffsetScheme("codepoint", 1), OffsetScheme("utf16", 1)),
    MAXQDA: (_STANDARD, OffsetScheme("codepoint", 1), OffsetScheme("utf16", 2),
             OffsetScheme("utf16", 1)),
    QUALCODER: (_STANDARD, OffsetScheme("codepoint", 1)),
    F4: (_STANDARD, OffsetScheme("codepoint", 1), OffsetScheme("utf16", 2)),
    TAGUETTE: (OffsetScheme("utf8", 2), OffsetScheme("utf8", 1)),
    GTFLOW: (_STANDARD,),
    UNKNOWN: (_STANDARD, OffsetScheme("codepoint", 1), OffsetScheme("utf16", 2),
              OffsetScheme("utf16", 1)),
}

# Substrings of the `origin` attribute, checked in order.
_ORIGIN_MARKERS = (
    ("nvivo", NVIVO), ("atlas", ATLASTI), ("maxqda", MAXQDA), ("qualcoder", QUALCODER),
    ("taguette", TAGUETTE), ("gtflow", GTFLOW), ("f4", F4),
)

# Parent element → kind of object a <NoteRef> inside it refers to.
_NOTE_TARGET_KINDS = {
    "Project": "project", "Code": "code", "TextSource": "source",
    "PlainTextSelection": "selection", "Coding": "coding", "Case": "case", "Link": "link",
    "Set": "set",
}


#: Non-text source elements of the standard and what a warning calls them.
_NON_TEXT_SOURCES = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio",
                     "VideoSource": "video"}


class MissingSourceText(InputError):
    """A text source whose plain-text file is not in the project (nor beside it)."""


# ----------------------------------------------------------------------------- XML helpers

def _local(element: etree._Element) -> str:
    """Element name without namespace (vendors write with and without the QDA-XML namespace)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element if _local(child) == name)


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next(_children(element, name), None)


def _child_text(element: etree._Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "") if child is not None else ""


def _guid(value: str | None) -> str:
    """GUIDs compare lower-case without braces ({...} is allowed by the schema)."""
    return (value or "").strip().strip("{}").lower()


# ----------------------------------------------------------------------------- container

class _Container:
    """Uniform access to the .qde document and the files next to it (zip members or disk)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.qde_name = ""
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        if zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            self._members = {name.lower(): name for name in self._zip.namelist()}
            try:
                self.qde_name = self._find_qde_member()
            except InputError:
                self._zip.close()
                raise
        elif path.suffix.lower() == ".qde" or path.is_file():
            self.qde_name = path.name
        else:
            raise InputError(path, "not a REFI-QDA project (.qdpx archive or .qde file)")

    def _find_qde_member(self) -> str:
        # NVivo writes project.qde, ATLAS.ti Project.qde or <project name>.qde.
        if "project.qde" in self._members:
            return self._members["project.qde"]
        candidates = sorted(name for low, name in self._members.items()
                            if low.endswith(".qde") and "/" not in low.strip("/"))
        if not candidates:
            candidates = sorted(name for low, name in self._members.items()
                                if low.endswith(".qde"))
        if not candidates:
            raise InputError(self.path, "the .qdpx archive holds no project.qde document")
        return candidates[0]

    def read_qde(self) -> bytes:
        if self._zip is not None:
            return self._zip.read(self.qde_name)
        return self.path.read_bytes()

    def read_member(self, relative: str) -> bytes | None:
        """Bytes of a file given relative to the project root, or None if absent."""
        relative = relative.replace("\\", "/").lstrip("/")
        if self._zip is not None:
            name = self._members.get(relative.lower())
            return self._zip.read(name) if name is not None else None
        candidate = self.path.parent / relative
        if not candidate.is_file() and relative.lower().startswith("sources/"):
            # The standard's folder is "sources"; many exports write "Sources". Either will do.
            for folder in ("sources", "Sources"):
                candidate = self.path.parent / folder / relative[len("sources/"):]
                if candidate.is_file():
                    break
        return candidate.read_bytes() if candidate.is_file() else None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _read_linked_file(container: _Container, link: str, base_path: str) -> bytes | None:
    """Resolve a plainTextPath (internal://, relative://, absolute://, file:// or bare path)."""
    link = link.strip()
    lowered = link.lower()
    if lowered.startswith("internal://"):
        name = unquote(link[len("internal://"):])
        return container.read_member(f"Sources/{name}") or container.read_member(name)
    if lowered.startswith("relative://"):
        name = unquote(link[len("relative://"):])
        found = container.read_member(name) or container.read_member(f"Sources/{name}")
        if found is not None:
            return found
        roots = [Path(base_path)] if base_path else []
        roots.append(container.path.parent)
        for root in roots:
            candidate = root / name
            if candidate.is_file():
                return candidate.read_bytes()
        return None
    if lowered.startswith(("absolute://", "file://")):
        name = unquote(link.split("://", 1)[1])
        candidate = Path(name)
        return candidate.read_bytes() if candidate.is_file() else None
    found = container.read_member(link) or container.read_member(f"Sources/{link}")
    if found is None and PurePosixPath(link).is_absolute() and Path(link).is_file():
        found = Path(link).read_bytes()
    return found


def _decode_text(data: bytes, where: str) -> str:
    """Decode a source file: UTF-8 (BOM optional), UTF-16 with BOM, else best guess."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only needed for odd legacy encodings

    best = from_bytes(data).best()
    if best is None:
        raise InputError(where, "cannot tell the text encoding of this source file")
    return str(best)


# ----------------------------------------------------------------------------- vendor

def detect_vendor(origin: str, *, qde_name: str = "", code_names: list[str] | None = None,
                  text_paths: list[str] | None = None) -> str:
    """Which program wrote the project: from `origin`, else from tell-tale habits."""
    lowered = (origin or "").lower()
    for marker, vendor in _ORIGIN_MARKERS:
        if marker in lowered:
            return vendor
    names = code_names or []
    if qde_name == "Project.qde" or any("::" in name for name in names):
        return ATLASTI
    paths = [path.lower() for path in text_paths or []]
    # NVivo keeps a .docx rich-text copy of every text source next to the plain text.
    if any(path.startswith("internal://") and path.endswith(".docx") for path in paths):
        return NVIVO
    return UNKNOWN


def choose_scheme(raw_text: str, spans: list[tuple[int, int]],
                  candidates: tuple[OffsetScheme, ...]) -> OffsetScheme:
    """The candidate scheme under which most selection ends fall on word boundaries.

    Ends beyond the text count against a scheme; ties go to the earlier (more likely) one.
    """
    if len(candidates) == 1 or not spans:
        return candidates[0]
    text = normalize_line_breaks(raw_text)
    best, best_score = candidates[0], None
    for scheme in candidates:
        table = unit_table(raw_text, scheme)
        score = 0
        for start, end in spans:
            if end > table[-1]:
                score -= 2
                continue
            score += is_word_boundary(text, units_to_codepoint(table, start))
            score += is_word_boundary(text, units_to_codepoint(table, end, round_up=True))
        if best_score is None or score > best_score:
            best, best_score = scheme, score
    return best


# ----------------------------------------------------------------------------- parsing

def _parse_xml(data: bytes, path: Path) -> etree._Element:
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InputError(path, f"the project document is not well-formed XML ({error.msg})",
                         line=error.lineno) from None
    if _local(root) == "CodeBook":
        raise InputError(path, "is a REFI-QDA codebook (.qdc), not a project; import it with "
                               "'gtflow import-qdc FILE --into STUDY'")
    if _local(root) != "Project":
        raise InputError(path, f"the project document's root element is <{_local(root)}>, "
                               "not <Project>; is this a REFI-QDA project?")
    return root


def _color(value: str | None) -> str:
    """A code's colour as '#rrggbb' (lower case; '#abc' is widened), '' if absent or malformed."""
    value = (value or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(digit * 2 for digit in value[1:])
    return value if re.fullmatch(r"#[0-9a-f]{6}", value) else ""


def read_code_tree(codes_element: etree._Element) -> list[RefiCode]:
    """The <Code> elements under a <Codes> element, pre-order, with their parents (shared by
    projects and Codebook Exchange files)."""
    codes: list[RefiCode] = []

    def walk(parent: etree._Element, parent_guid: str | None) -> None:
        for element in _children(parent, "Code"):
            guid = _guid(element.get("guid"))
            codable = (element.get("isCodable") or "true").strip().lower() not in ("false", "0")
            codes.append(RefiCode(guid=guid, name=element.get("name") or "",
                                  parent_guid=parent_guid,
                                  description=_child_text(element, "Description"),
                                  is_codable=codable, color=_color(element.get("color"))))
            walk(element, guid)

    walk(codes_element, None)
    return codes


def _read_codes(root: etree._Element) -> list[RefiCode]:
    code_book = _child(root, "CodeBook")
    codes_element = _child(code_book, "Codes") if code_book is not None else None
    return read_code_tree(codes_element) if codes_element is not None else []


def _user_name(users: dict[str, str], guid: str | None) -> str:
    guid = _guid(guid)
    if not guid:
        return "unknown"
    return users.get(guid, guid)


def _source_text(element: etree._Element, container: _Container, base_path: str,
                 where: str) -> tuple[str, str]:
    """(raw text with BOM stripped, path as written) of a TextSource or Note."""
    content = _child(element, "PlainTextContent")
    if content is not None:
        return strip_bom(content.text or ""), "inline"
    link = element.get("plainTextPath") or ""
    if not link:
        return "", ""
    data = _read_linked_file(container, link, base_path)
    if data is None:
        raise MissingSourceText(where, f"source {element.get('name')!r}: its text file "
                                       f"{link!r} is missing from the project")
    return strip_bom(_decode_text(data, where)), link


def _note_targets(root: etree._Element) -> dict[str, list[tuple[str, str]]]:
    """note GUID → [(kind, guid of the object holding the NoteRef)]."""
    targets: dict[str, list[tuple[str, str]]] = {}
    for ref in root.iter():
        if _local(ref) != "NoteRef":
            continue
        holder = ref.getparent()
        if holder is None:
            continue
        kind = _NOTE_TARGET_KINDS.get(_local(holder), _local(holder).lower())
        holder_guid = "" if kind == "project" else _guid(holder.get("guid"))
        targets.setdefault(_guid(ref.get("targetGUID")), []).append((kind, holder_guid))
    return targets


def _read_notes(root: etree._Element, container: _Container, base_path: str, where: str,
                users: dict[str, str]) -> list[RefiNote]:
    notes_element = _child(root, "Notes")
    if notes_element is None:
        return []
    targets = _note_targets(root)
    notes = []
    for element in _children(notes_element, "Note"):
        guid = _guid(element.get("guid"))
        raw, _ = _source_text(element, container, base_path, where)
        notes.append(RefiNote(guid=guid, name=element.get("name") or "",
                              text=normalize_line_breaks(raw),
                              user=_user_name(users, element.get("creatingUser"))
                              if element.get("creatingUser") else "",
                              refers_to=tuple(targets.get(guid, []))))
    return notes


def _int_attribute(element: etree._Element, name: str, where: str) -> int:
    value = element.get(name)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise InputError(where, f"selection {element.get('guid')!r} has no whole-number "
                                f"{name} (found {value!r})") from None


def _read_source(element: etree._Element, container: _Container, base_path: str, where: str,
                 users: dict[str, str], code_guids: set[str],
                 candidates: tuple[OffsetScheme, ...],
                 warn: Callable[[str], None]) -> tuple[RefiSource, list[RefiSelection]]:
    guid = _guid(element.get("guid"))
    name = element.get("name") or guid
    raw, link = _source_text(element, container, base_path, where)
    text = normalize_line_breaks(raw)

    spans = []
    selection_elements = list(_children(element, "PlainTextSelection"))
    for selection in selection_elements:
        start = _int_attribute(selection, "startPosition", where)
        end = _int_attribute(selection, "endPosition", where)
        spans.append((min(start, end), max(start, end)))
    scheme = choose_scheme(raw, spans, candidates)
    table = unit_table(raw, scheme)

    selections: list[RefiSelection] = []
    for selection, (start_units, end_units) in zip(selection_elements, spans, strict=True):
        if end_units > table[-1]:
            warn(f"source {name!r}: selection {selection.get('guid')} ends at {end_units}, "
                 f"beyond the text ({table[-1]} units); clamped")
        start = units_to_codepoint(table, start_units)
        end = units_to_codepoint(table, end_units, round_up=True)
        if end <= start:
            warn(f"source {name!r}: selection {selection.get('guid')} is empty; skipped")
            continue
        for coding in _children(selection, "Coding"):
            code_guid = _coding_code(coding)
            if code_guid not in code_guids:
                warn(f"source {name!r}: a coding refers to unknown code {code_guid!r}; skipped")
                continue
            user = coding.get("creatingUser") or selection.get("creatingUser")
            selections.append(RefiSelection(
                source_guid=guid, code_guid=code_guid, user=_user_name(users, user),
                start=start, end=end, quote=text[start:end],
                selection_guid=_guid(selection.get("guid")),
                description=_child_text(selection, "Description")))

    for coding in _children(element, "Coding"):  # whole-document coding
        code_guid = _coding_code(coding)
        if code_guid not in code_guids:
            warn(f"source {name!r}: a coding refers to unknown code {code_guid!r}; skipped")
            continue
        selections.append(RefiSelection(
            source_guid=guid, code_guid=code_guid,
            user=_user_name(users, coding.get("creatingUser") or element.get("creatingUser")),
            start=0, end=len(text), quote=text, whole_document=True))

    source = RefiSource(guid=guid, name=name, text=text, path=link,
                        created=element.get("creationDateTime") or "",
                        description=_child_text(element, "Description"),
                        offset_scheme=scheme.describe())
    return source, selections


def _coding_code(coding: etree._Element) -> str:
    ref = _child(coding, "CodeRef")
    return _guid(ref.get("targetGUID")) if ref is not None else ""


def read_project(path: str | Path, *, partial: bool = False) -> RefiProject:
    """Read a .qdpx archive or a bare .qde document into a :class:`RefiProject`.

    Offsets of the result are code points into each source's normalized text (no BOM, "\\n"
    line breaks), end exclusive. Non-text sources (PDF, pictures, audio, video) are skipped
    with one warning each. A text source whose file is missing stops the reading, unless
    ``partial``: then it is skipped with a warning too (counts in ``skipped_sources``).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the REFI-QDA project file does not exist")
    container = _Container(path)
    try:
        return _read_project(path, container, partial)
    finally:
        container.close()


def _skip_non_text_sources(sources_element: etree._Element, project: RefiProject) -> None:
    """One warning per PDF, picture, audio or video source; counted as skipped."""
    for element in sources_element:
        kind = _NON_TEXT_SOURCES.get(_local(element))
        if kind is None:
            continue
        name = element.get("name") or _guid(element.get("guid"))
        project.warnings.append(f"{kind} source {name!r} skipped: only text sources are "
                                "imported")
        project.skipped_sources[f"{kind} source"] = \
            project.skipped_sources.get(f"{kind} source", 0) + 1


def _read_project(path: Path, container: _Container, partial: bool = False) -> RefiProject:
    where = str(path)
    root = _parse_xml(container.read_qde(), path)
    base_path = root.get("basePath") or ""
    users = {}
    users_element = _child(root, "Users")
    if users_element is not None:
        for user in _children(users_element, "User"):
            users[_guid(user.get("guid"))] = user.get("name") or user.get("id") or \
                _guid(user.get("guid"))
    codes = _read_codes(root)
    sources_element = _child(root, "Sources")
    text_elements = list(_children(sources_element, "TextSource")) \
        if sources_element is not None else []
    origin = root.get("origin") or ""
    vendor = detect_vendor(origin, qde_name=container.qde_name,
                           code_names=[code.name for code in codes],
                           text_paths=[e.get("plainTextPath") or "" for e in text_elements]
                           + [e.get("richTextPath") or "" for e in text_elements])
    project = RefiProject(name=root.get("name") or path.stem, origin=origin, vendor=vendor,
                          path=where, created=root.get("creationDateTime") or "", users=users,
                          codes=codes)
    code_guids = {code.guid for code in codes}
    candidates = VENDOR_SCHEMES[vendor]
    for element in text_elements:
        try:
            source, selections = _read_source(element, container, base_path, where, users,
                                              code_guids, candidates, project.warnings.append)
        except MissingSourceText as missing:
            if not partial:
                raise
            project.warnings.append(f"{missing.reason}; skipped")
            project.skipped_sources["missing text file"] = \
                project.skipped_sources.get("missing text file", 0) + 1
            continue
        project.sources.append(source)
        project.selections.extend(selections)
    if sources_element is not None:
        _skip_non_text_sources(sources_element, project)
    project.notes = _read_notes(root, container, base_path, where, users)
    return project


# ----------------------------------------------------------------------------- codebooks

def read_codebook(path: str | Path) -> RefiProject:
    """Read a REFI Codebook Exchange file (.qdc, root <CodeBook>) as a project holding only
    its codes (hierarchy, descriptions, colours)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "the REFI-QDA codebook file does not exist")
    project_hint = ("is a REFI-QDA project, not a codebook (.qdc); import it with "
                    "'gtflow import-qdpx FILE --into STUDY'")
    if zipfile.is_zipfile(path):
        raise InputError(path, project_hint)
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(path.read_bytes(), parser=parser)
    except etree.XMLSyntaxError as error:
        raise InputError(path, f"is not well-formed XML ({error.msg})", line=error.lineno) from None
    if _local(root) == "Project":
        raise InputError(path, project_hint)
    if _local(root) != "CodeBook":
        raise InputError(path, f"the root element is <{_local(root)}>, not <CodeBook>; is this "
                               "a REFI-QDA codebook (.qdc)?")
    codes_element = _child(root, "Codes")
    codes = read_code_tree(codes_element) if codes_element is not None else []
    if not codes:
        raise InputError(path, "the codebook holds no codes")
    origin = root.get("origin") or ""
    return RefiProject(name=path.stem, origin=origin,
                       vendor=detect_vendor(origin, code_names=[code.name for code in codes]),
                       path=str(path), codes=codes)
