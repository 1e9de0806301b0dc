"""Read REFI-QDA projects (.qdpx archives and bare .qde files) from real QDA programs.

Lenient by design: vendors disagree on the namespace, the name of the .qde member, GUID
spelling, where source texts live and how positions are counted. Each source's positions are
converted to code points of its normalized text (see :mod:`gtflow.refi.offsets`) with the
counting scheme of the vendor that wrote the file; when the vendor is unknown or its scheme is
ambiguous, the candidate scheme that puts most selection ends on word boundaries wins.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import unquote

from lxml import etree

from gtflow.errors import InputError
from gtflow.limits import Limits, PackageReader, default_limits, limit_message, read_file
from gtflow.refi.model import RefiCode, RefiNote, RefiProject, RefiSelection, RefiSource
from gtflow.refi.offsets import OffsetMap, OffsetScheme, is_word_boundary, normalize_utf8

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
    """Uniform access to the .qde document and the files next to it (zip members or disk).

    Everything is read within :class:`~gtflow.limits.Limits`. The package is the archive (or,
    for a bare .qde, the folder holding it); a source outside it is read only from the folder
    allowed as ``external_sources``, judged after resolving symlinks.
    """

    def __init__(self, path: Path, limits: Limits, external_sources: Path | None) -> None:
        self.path = path
        self.limits = limits
        self.external_root = external_sources.resolve() if external_sources else None
        self.qde_name = ""
        self._zip: zipfile.ZipFile | None = None
        self._package: PackageReader | None = None
        self._members: dict[str, str] = {}
        if zipfile.is_zipfile(path):
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as error:
                raise InputError(path, f"is not a readable .qdpx archive ({error})") from None
            self._package = PackageReader(path, self._zip, limits)
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
        self._unpacked_from_disk = 0

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

    def qde_chunks(self) -> Iterator[bytes]:
        """The project document's bytes in chunks, counted against the limits."""
        if self._package is not None:
            yield from self._package.chunks(self.qde_name)
        else:
            yield self._read_disk_file(self.path)

    def _read_disk_file(self, path: Path) -> bytes:
        data = read_file(path, self.limits.source_bytes)
        self._unpacked_from_disk += len(data)
        if self._unpacked_from_disk > self.limits.package_bytes:
            message = limit_message("package", self.limits.package_bytes)
            raise InputError(self.path, f"with its files is {message} (reached while reading "
                             f"{path})")
        return data

    def read_member(self, relative: str, source: str) -> bytes | bytearray | None:
        """Bytes of a file given relative to the project root, or None if absent."""
        relative = relative.replace("\\", "/").lstrip("/")
        if self._package is not None:
            name = self._members.get(relative.lower())
            return self._package.read(name) if name is not None else None
        folder = self.path.parent.resolve()
        candidates = [folder / relative]
        if relative.lower().startswith("sources/"):
            # The standard's folder is "sources"; many exports write "Sources". Either will do.
            candidates += [folder / name / relative[len("sources/"):]
                           for name in ("sources", "Sources")]
        for candidate in candidates:
            resolved = candidate.resolve()
            if not resolved.is_relative_to(folder):  # `..` or a symlink leading out of the folder
                return self.read_external([candidate], source, relative)
            if resolved.is_file():
                return self._read_disk_file(resolved)
        return None

    def read_external(self, candidates: list[Path], source: str,
                      link: str) -> bytes | None:
        """An external source file, only if it lies in the allowed folder (symlinks resolved)."""
        if self.external_root is None:
            raise InputError(self.path, f"source {source!r} points outside the project "
                             f"({link}); gtflow reads no file outside a REFI-QDA project unless "
                             "you allow its folder with --external-sources DIR")
        resolved = [candidate.resolve() for candidate in candidates]
        allowed = [path for path in resolved if path.is_relative_to(self.external_root)]
        if not allowed:
            raise InputError(self.path, f"source {source!r} points to {resolved[0]} ({link}), "
                             f"outside the folder allowed by --external-sources "
                             f"({self.external_root})")
        found = next((path for path in allowed if path.is_file()), None)
        return self._read_disk_file(found) if found is not None else None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _read_linked_file(container: _Container, link: str, base_path: str,
                      source: str) -> bytes | bytearray | None:
    """Resolve a plainTextPath (internal://, relative://, absolute://, file:// or bare path).

    Members of the package are read freely; anything else goes through the external-source
    check of :meth:`_Container.read_external`.
    """
    link = link.strip()
    lowered = link.lower()
    if lowered.startswith("internal://"):
        name = unquote(link[len("internal://"):])
        return container.read_member(f"Sources/{name}", source) or \
            container.read_member(name, source)
    if lowered.startswith("relative://"):
        name = unquote(link[len("relative://"):])
        found = container.read_member(name, source) or \
            container.read_member(f"Sources/{name}", source)
        if found is not None:
            return found
        roots = [Path(base_path)] if base_path else []
        roots.append(container.path.parent)
        return container.read_external([root / name for root in roots], source, link)
    if lowered.startswith(("absolute://", "file://")):
        name = unquote(link.split("://", 1)[1])
        if lowered.startswith("file://") and name.startswith("localhost/"):
            name = name[len("localhost"):]
        return container.read_external([Path(name)], source, link)
    if PurePosixPath(link).is_absolute() or PureWindowsPath(link).is_absolute():
        return container.read_external([Path(link)], source, link)
    return container.read_member(link, source) or container.read_member(f"Sources/{link}", source)


def _decode_text(data: bytes | bytearray, where: str) -> str:
    """Decode a source file: UTF-8 (BOM optional), UTF-16 with BOM, else best guess."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(where, "a source file starts with a UTF-16 byte-order mark but is "
                             "not UTF-16 text") from None
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


@dataclass(frozen=True)
class SchemeFit:
    """A source's selection positions converted under one candidate scheme."""

    scheme: OffsetScheme
    starts: list[int]
    ends: list[int]
    total_units: int


def convert_spans(raw: bytes | bytearray | str, spans: list[tuple[int, int]],
                  candidates: tuple[OffsetScheme, ...]) -> list[SchemeFit]:
    """Starts and ends (rounded up) of the spans in code points, under each candidate scheme;
    only the raw text's bytes are needed, so it can be dropped before the text is decoded."""
    fits = []
    for scheme in candidates[:1] if not spans else candidates:
        offsets = OffsetMap(raw, scheme)
        fits.append(SchemeFit(scheme, offsets.to_codepoints([start for start, _ in spans]),
                              offsets.to_codepoints([end for _, end in spans], round_up=True),
                              offsets.total_units))
    return fits


def choose_scheme(text: str, spans: list[tuple[int, int]], fits: list[SchemeFit]) -> SchemeFit:
    """The fit under which most selection ends fall on word boundaries of the normalized text.

    Ends beyond the text count against a scheme; ties go to the earlier (more likely) one.
    """
    if len(fits) == 1:
        return fits[0]
    best, best_score = fits[0], None
    for fit in fits:
        score = 0
        for (_, end_units), start, end in zip(spans, fit.starts, fit.ends, strict=True):
            if end_units > fit.total_units:
                score -= 2
                continue
            score += is_word_boundary(text, start) + is_word_boundary(text, end)
        if best_score is None or score > best_score:
            best, best_score = fit, score
    return best


# ----------------------------------------------------------------------------- parsing

def _parse_xml(chunks: Iterable[bytes], path: Path) -> etree._Element:
    """Parse the project document as it is read: its bytes are never held whole.

    Entities are not resolved and the network is off; libxml2 refuses entity amplification
    ("billion laughs"). ``huge_tree`` admits long inline texts; their size is bounded by the
    member limit the chunks were counted against.
    """
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        for chunk in chunks:
            parser.feed(chunk)
        root = parser.close()
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


def _source_bytes(element: etree._Element, container: _Container, base_path: str,
                  where: str) -> tuple[bytes | bytearray, str]:
    """(raw text as UTF-8 bytes, path as written) of a TextSource or Note.

    A UTF-8 file is returned as read: offsets are counted and line breaks normalized on the
    bytes, so a large source is decoded once (see :func:`gtflow.refi.offsets.normalize_utf8`).
    """
    content = _child(element, "PlainTextContent")
    if content is not None:
        return (content.text or "").encode("utf-8", "surrogatepass"), "inline"
    link = element.get("plainTextPath") or ""
    if not link:
        return b"", ""
    data = _read_linked_file(container, link, base_path, element.get("name") or link)
    if data is None:
        raise MissingSourceText(where, f"source {element.get('name')!r}: its text file "
                                       f"{link!r} is missing from the project")
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _is_utf8(data):
        return data, link
    return _decode_text(data, where).encode("utf-8", "surrogatepass"), link


def _is_utf8(data: bytes | bytearray) -> bool:
    """Whether ``data`` is valid UTF-8, checked piece by piece (no decoded copy is kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), 1 << 20):
            decoder.decode(view[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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
        raw, _ = _source_bytes(element, container, base_path, where)
        notes.append(RefiNote(guid=guid, name=element.get("name") or "",
                              text=normalize_utf8(raw),
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
    raw, link = _source_bytes(element, container, base_path, where)

    spans = []
    selection_elements = list(_children(element, "PlainTextSelection"))
    for selection in selection_elements:
        start = _int_attribute(selection, "startPosition", where)
        end = _int_attribute(selection, "endPosition", where)
        spans.append((min(start, end), max(start, end)))
    fits = convert_spans(raw, spans, candidates)
    text = normalize_utf8(raw)
    del raw  # only the normalized text is kept: a large source is not held twice
    fit = choose_scheme(text, spans, fits)

    selections: list[RefiSelection] = []
    for selection, (_, end_units), start, end in zip(selection_elements, spans, fit.starts,
                                                    fit.ends, strict=True):
        if end_units > fit.total_units:
            warn(f"source {name!r}: selection {selection.get('guid')} ends at {end_units}, "
                 f"beyond the text ({fit.total_units} units); clamped")
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
                        offset_scheme=fit.scheme.describe())
    return source, selections


def _coding_code(coding: etree._Element) -> str:
    ref = _child(coding, "CodeRef")
    return _guid(ref.get("targetGUID")) if ref is not None else ""


def read_project(path: str | Path, *, partial: bool = False, limits: Limits | None = None,
                 external_sources: str | Path | None = None) -> RefiProject:
    """Read a .qdpx archive or a bare .qde document into a :class:`RefiProject`.

    Offsets of the result are code points into each source's normalized text (no BOM, "\\n"
    line breaks), end exclusive. Non-text sources (PDF, pictures, audio, video) are skipped
    with one warning each. A text source whose file is missing stops the reading, unless
    ``partial``: then it is skipped with a warning too (counts in ``skipped_sources``).
    Reading stays within ``limits`` (default: the config schema's defaults); a source file
    outside the project is read only if it lies in ``external_sources``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the REFI-QDA project file does not exist")
    container = _Container(path, limits or default_limits(),
                           Path(external_sources) if external_sources else None)
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
    root = _parse_xml(container.qde_chunks(), path)
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
        root = etree.fromstring(read_file(path, default_limits().source_bytes), parser=parser)
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
