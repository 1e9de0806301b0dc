"""In-memory form of a REFI-QDA project as gtflow reads it (vendor-neutral, code-point offsets)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RefiSource:
    """A text source: normalized text ("\\n" line breaks, no BOM) and where it came from."""

    guid: str
    name: str
    text: str
    path: str = ""                 # plainTextPath as written in the project (or "inline")
    created: str = ""              # creationDateTime as written, "" if absent
    description: str = ""
    offset_scheme: str = ""        # how this source's positions were counted, e.g. "utf16, CRLF=2"


@dataclass(frozen=True)
class RefiCode:
    """A code of the code book; ``parent_guid`` is None for top-level codes."""

    guid: str
    name: str
    parent_guid: str | None = None
    description: str = ""
    is_codable: bool = True
    color: str = ""                # "#rrggbb" as the project gives it, "" if none


@dataclass(frozen=True)
class RefiSelection:
    """One coding of a text span: offsets are code points into the source's normalized text."""

    source_guid: str
    code_guid: str
    user: str
    start: int
    end: int
    quote: str
    selection_guid: str = ""
    whole_document: bool = False   # a source-level <Coding>, spanning the whole text
    description: str = ""          # the selection's own comment (ATLAS.ti quotation comments)


@dataclass(frozen=True)
class RefiNote:
    """A note/memo with the objects it refers to, as (kind, guid) pairs (kind: project, code,
    source, selection, coding)."""

    guid: str
    name: str
    text: str
    user: str = ""
    refers_to: tuple[tuple[str, str], ...] = ()


@dataclass
class RefiProject:
    """A whole project: what :func:`gtflow.refi.read_project` returns."""

    name: str
    origin: str
    vendor: str
    path: str
    created: str = ""
    users: dict[str, str] = field(default_factory=dict)        # guid -> name
    sources: list[RefiSource] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)        # code book order (pre-order)
    selections: list[RefiSelection] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_sources: dict[str, int] = field(default_factory=dict)  # reason -> sources skipped

    def source(self, guid: str) -> RefiSource:
        """The source with this GUID (KeyError if absent)."""
        for source in self.sources:
            if source.guid == guid:
                return source
        raise KeyError(guid)

    def code(self, guid: str) -> RefiCode:
        """The code with this GUID (KeyError if absent)."""
        for code in self.codes:
            if code.guid == guid:
                return code
        raise KeyError(guid)
