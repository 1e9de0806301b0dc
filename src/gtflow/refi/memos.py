"""Analytic memos as REFI-QDA Notes, and back.

Export: each memo is a ``<Note>`` (name = title, creatingUser = author, creationDateTime = the
memo's date, ``<PlainTextContent>`` = its Markdown body) and each code it names carries a
``<NoteRef>`` to it. The memo's id, its edges and its synthetic flag have no REFI element, so
they travel in the Note's ``<Description>`` as one line, ``gtflow memo M01; edges: A->B;
synthetic``, which other programs show as the note's description.

Import: every Note becomes a memo. Its codes are the codes it is attached to — directly
(``<NoteRef>`` in a ``<Code>``) or through a coded selection or coding it is attached to
(NVivo memos on codings). A note attached to no code (a QualCoder journal, a project memo) is
filed under the core category, so it still shows in the report.
"""

from __future__ import annotations

import datetime as dt
import re

from gtflow.memos import Memo
from gtflow.refi.model import RefiNote, RefiProject

DESCRIPTION = re.compile(r"^gtflow memo (?P<id>[A-Za-z0-9._-]+)(?:; edges: (?P<edges>[^;]*))?"
                         r"(?P<synthetic>; synthetic)?$")
ID_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


def note_description(memo: Memo) -> str:
    """The Description line that carries what REFI has no element for."""
    edges = f"; edges: {', '.join(memo.edges)}" if memo.edges else ""
    return f"gtflow memo {memo.id}{edges}{'; synthetic' if memo.synthetic else ''}"


def note_codes(note: RefiNote, project: RefiProject, id_of_code: dict[str, str],
               concept_of_code: dict[str, str]) -> list[str]:
    """gtflow ids of the codes a note is attached to: a code it hangs on directly (at that
    code's level), or the concept a selection it hangs on is coded with."""
    by_selection: dict[str, list[str]] = {}
    for selection in project.selections:
        if selection.selection_guid:
            by_selection.setdefault(selection.selection_guid, []).append(selection.code_guid)
    codes: list[str] = []
    for kind, guid in note.refers_to:
        if kind == "code" and guid in id_of_code:
            codes.append(id_of_code[guid])
        elif kind in ("selection", "coding"):
            codes += [concept_of_code[g] for g in by_selection.get(guid, []) if g in concept_of_code]
    return list(dict.fromkeys(codes))


def note_date(note: RefiNote, project: RefiProject, today: dt.date) -> str:
    """The note's date, else the project's, else ``today`` (YYYY-MM-DD)."""
    for stamp in (note.created, project.created):
        match = re.match(r"\d{4}-\d{2}-\d{2}", stamp or "")
        if match:
            try:
                return dt.date.fromisoformat(match.group(0)).isoformat()
            except ValueError:
                continue
    return today.isoformat()


def memos_from_notes(project: RefiProject, id_of_code: dict[str, str],
                     concept_of_code: dict[str, str], core_id: str,
                     today: dt.date) -> list[Memo]:
    """Memos from a project's Notes (ids unique; code GUIDs mapped to gtflow ids)."""
    memos, used = [], set()
    for number, note in enumerate(project.notes, start=1):
        marker = DESCRIPTION.match(note.description.strip())
        base = marker.group("id") if marker else \
            ID_CHARACTERS.sub("_", note.name).strip("_.-")[:40] or f"memo{number}"
        memo_id, suffix = base, 2
        while memo_id in used:
            memo_id, suffix = f"{base}_{suffix}", suffix + 1
        used.add(memo_id)
        codes = note_codes(note, project, id_of_code, concept_of_code)
        edges = tuple(e.strip() for e in (marker.group("edges") or "").split(",") if e.strip()) \
            if marker else ()
        memos.append(Memo(id=memo_id, title=note.name.strip() or memo_id,
                          date=note_date(note, project, today),
                          author=note.user.strip() or "unknown",
                          codes=tuple(codes) or (core_id,),
                          body=note.text.strip() + "\n" if note.text.strip() else "(empty note)\n",
                          edges=edges, synthetic=bool(marker and marker.group("synthetic"))))
    return memos
