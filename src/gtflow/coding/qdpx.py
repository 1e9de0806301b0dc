"""Manual codings from a REFI-QDA project (.qdpx/.qde) placed in data/coding/.

A project exported by NVivo, ATLAS.ti, MAXQDA or QualCoder (or by gtflow itself) carries its
own copies of the texts. Its sources are matched to the study's documents by name (the document
id, or the file name without extension), its codes to the codebook by concept id or label (the
last part of an ATLAS.ti ``Parent::child`` name, or of a nested path), and its users become
coders. The selections' quotes are then re-anchored on the study's clean texts like any manual
coding, since de-identification and normalization may have moved them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.errors import InputError
from gtflow.refi import read_project


def code_name_candidates(name: str) -> list[str]:
    """The full name and its last part after '::' or '/' (how tools write nested codes)."""
    candidates = [name.strip()]
    for separator in ("::", "/"):
        if separator in name:
            candidates.append(name.split(separator)[-1].strip())
    return candidates


def concept_lookup(codebook: Codebook) -> dict[str, str]:
    """Concept id, label and English label -> concept id."""
    lookup: dict[str, str] = {}
    for concept in codebook.concepts:
        for key in (concept["id"], concept["label"], concept.get("label_en", "")):
            if key:
                lookup.setdefault(key, concept["id"])
    return lookup


def source_document(name: str, doc_ids: set[str]) -> str | None:
    """The study document a project source stands for, by its name."""
    for candidate in (name, Path(name).stem):
        if candidate in doc_ids:
            return candidate
    return None


def read_manual_qdpx(path: str | Path, doc_ids: set[str], codebook: Codebook) -> pd.DataFrame:
    """The project's selections as manual codings (the CSV shape plus source and line)."""
    path = Path(path)
    project = read_project(path)
    concepts = concept_lookup(codebook)
    rows = []
    for number, selection in enumerate(project.selections, start=1):
        source = project.source(selection.source_guid)
        doc_id = source_document(source.name, doc_ids)
        if doc_id is None:
            raise InputError(path, f"source '{source.name}' matches no document of the study "
                             "(name it by the document id or the transcript's file name)",
                             record=selection.selection_guid or number)
        code = project.code(selection.code_guid)
        concept_id = next((concepts[c] for c in code_name_candidates(code.name) if c in concepts),
                          None)
        if concept_id is None:
            # Codes above concept level (gtflow's own export nests core > main > category >
            # concept) carry no coding of their own; anything else must map to a concept.
            raise InputError(path, f"code '{code.name}' is not a concept of the codebook (by id "
                             "or label)", record=selection.selection_guid or number)
        rows.append({"doc_id": doc_id, "start": selection.start, "end": selection.end,
                     "quote": selection.quote, "concept_id": concept_id,
                     "coder": selection.user or "unknown", "line": number, "source": str(path)})
    return pd.DataFrame(rows, columns=["doc_id", "start", "end", "quote", "concept_id", "coder",
                                       "line", "source"])
