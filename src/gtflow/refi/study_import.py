"""Turn a REFI-QDA project into a runnable gtflow study folder.

The code tree becomes gtflow's four-level codebook: a synthetic core, top-level codes as main
categories (M1..), second-level codes as categories (C1..) and deeper codes as concepts (c1..).
Levels a code tree leaves empty are filled with a same-named entry, so every coding lands on a
concept. ATLAS.ti's ``Parent::child`` code names are split into that hierarchy.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gtflow.errors import InputError
from gtflow.io import atomic_path
from gtflow.limits import Limits
from gtflow.refi.model import RefiCode, RefiProject
from gtflow.refi.reader import read_codebook, read_project

CODING_COLUMNS = ["doc_id", "start", "end", "quote", "concept_id", "coder"]
_DEFAULT_DATE = dt.date(1970, 1, 1)
CODE_MAP_COLUMNS = ["code_guid", "code_name", "code_path", "level", "gtflow_id", "concept_id"]


# ----------------------------------------------------------------------------- names

def safe_slug(name: str, *, fallback: str = "doc", ascii_only: bool = False) -> str:
    """A file-name-safe id: letters, digits, _ and - (CJK letters kept unless ascii_only)."""
    pattern = r"[^A-Za-z0-9_-]+" if ascii_only else r"[^\w-]+"
    slug = re.sub(pattern, "_", name.strip()).strip("_-")
    slug = re.sub(r"_+", "_", slug)
    return slug or fallback


def unique_slugs(names: list[str], *, fallback: str) -> list[str]:
    """Slugs of the names, made unique with -2, -3 ... in order of appearance."""
    seen: set[str] = set()
    result = []
    for name in names:
        base = safe_slug(name, fallback=fallback)
        slug, number = base, 1
        while slug.lower() in seen:  # case-insensitive: file systems may fold case
            number += 1
            slug = f"{base}-{number}"
        seen.add(slug.lower())
        result.append(slug)
    return result


# ----------------------------------------------------------------------------- code tree

@dataclass
class CodeNode:
    """A node of the code tree; ``codes`` is empty for a level that only exists in a
    ``Parent::child`` name."""

    label: str
    path: tuple[str, ...]
    codes: list[RefiCode] = field(default_factory=list)
    children: list[CodeNode] = field(default_factory=list)
    coded: bool = False

    @property
    def description(self) -> str:
        return next((code.description.strip() for code in self.codes
                     if code.description.strip()), "")

    @property
    def color(self) -> str:
        return next((code.color for code in self.codes if code.color), "")

    def descendants(self) -> list[CodeNode]:
        """Every node below this one, pre-order."""
        found = []
        for child in self.children:
            found.append(child)
            found.extend(child.descendants())
        return found


def build_code_tree(project: RefiProject) -> list[CodeNode]:
    """Top-level nodes of the project's code tree, ``::`` names split into levels."""
    roots = CodeNode(label="", path=())
    node_of: dict[str, CodeNode] = {}
    coded = {selection.code_guid for selection in project.selections}
    for code in project.codes:
        parent = node_of.get(code.parent_guid or "", roots)
        parts = [part.strip() for part in code.name.split("::") if part.strip()] or [code.name]
        for part in parts[:-1]:
            parent = _child_named(parent, part, claim=False)
        node = _child_named(parent, parts[-1], claim=True)
        node.codes.append(code)
        node.coded = node.coded or code.guid in coded
        node_of[code.guid] = node
    return roots.children


def _child_named(parent: CodeNode, label: str, *, claim: bool) -> CodeNode:
    """The child with this label; a real code claims a name-only node but never merges with
    another real code of the same name (a sibling is made instead)."""
    for child in parent.children:
        if child.label == label and (not claim or not child.codes):
            return child
    child = CodeNode(label=label, path=(*parent.path, label))
    parent.children.append(child)
    return child


# ----------------------------------------------------------------------------- codebook

@dataclass
class CodebookMapping:
    """The gtflow codebook derived from a code tree and how each REFI code maps onto it."""

    codebook: dict[str, Any]
    concept_of_code: dict[str, str]     # code guid -> concept id
    rows: list[dict[str, Any]]          # one row per REFI code for config/refi_code_map.csv


def derive_codebook(project: RefiProject, *, source_label: str,
                    path_as_definition: bool = True) -> CodebookMapping:
    """gtflow codebook (core → M → C → c) from the project's code tree; a code without a
    description is defined by its path in the tree, or left undefined."""
    tree = full_tree = build_code_tree(project)
    node_id: dict[int, str] = {}
    core_label = project.name
    core_definition = (f"Imported from {source_label} "
                       f"(REFI-QDA, {project.origin or 'unknown origin'}).")
    core_color = ""
    if project.vendor == "gtflow" and len(tree) == 1 and tree[0].children:
        # A gtflow export nests everything under its core code: unwrap it instead of
        # demoting the core to a main category.
        core_label = tree[0].label
        core_definition = tree[0].description or core_definition
        core_color = tree[0].color
        node_id[id(tree[0])] = "CORE"
        tree = tree[0].children
    mains: list[dict] = []
    categories: list[dict] = []
    concepts: list[dict] = []
    concept_of_code: dict[str, str] = {}

    def entry(identifier: str, node: CodeNode, label: str, parent: str | None) -> dict:
        item: dict[str, Any] = {"id": identifier}
        if parent is not None:
            item["parent"] = parent
        item["label"] = label
        item["label_en"] = label
        item["definition"] = node.description or (" > ".join(node.path)
                                                   if path_as_definition else "")
        if node.color:
            item["color"] = node.color
        return item

    def add_category(node: CodeNode, parent: str) -> str:
        identifier = f"C{len(categories) + 1}"
        categories.append(entry(identifier, node, node.label, parent))
        return identifier

    def add_concept(node: CodeNode, parent: str, label: str) -> str:
        identifier = f"c{len(concepts) + 1}"
        concepts.append(entry(identifier, node, label, parent))
        for code in node.codes:
            concept_of_code[code.guid] = identifier
        node_id.setdefault(id(node), identifier)
        return identifier

    for top in tree:
        main_id = f"M{len(mains) + 1}"
        mains.append(entry(main_id, top, top.label, None))
        node_id[id(top)] = main_id
        if not top.children or top.coded:
            # Fill the empty levels so the top-level code's own codings have a concept.
            add_concept(top, add_category(top, main_id), top.label)
        for second in top.children:
            category_id = add_category(second, main_id)
            node_id[id(second)] = category_id
            if not second.children or second.coded:
                add_concept(second, category_id, second.label)
            for deeper in second.descendants():
                # Deeper levels are flattened into the category; the path keeps them apart.
                add_concept(deeper, category_id,
                            " / ".join(deeper.path[len(second.path):]))

    rows = []
    node_by_code = {code.guid: node for node in _all_nodes(full_tree) for code in node.codes}
    for code in project.codes:
        node = node_by_code[code.guid]
        rows.append({"code_guid": code.guid, "code_name": code.name,
                     "code_path": " > ".join(node.path), "level": len(node.path),
                     "gtflow_id": node_id.get(id(node), ""),
                     "concept_id": concept_of_code.get(code.guid, "")})
    names = " ".join(code.name for code in project.codes)
    codebook = {
        "version": 1,
        "language": "zh" if re.search(r"[\u3400-\u9fff]", names) else "en",
        "core": {"id": "CORE", "label": core_label, "label_en": core_label,
                 "definition": core_definition, **({"color": core_color} if core_color else {})},
        "main_categories": mains,
        "categories": categories,
        "concepts": concepts,
    }
    return CodebookMapping(codebook=codebook, concept_of_code=concept_of_code, rows=rows)


def _all_nodes(tree: list[CodeNode]) -> list[CodeNode]:
    found = []
    for node in tree:
        found.append(node)
        found.extend(node.descendants())
    return found


# ----------------------------------------------------------------------------- writing

def _source_date(created: str) -> dt.date:
    try:
        return dt.date.fromisoformat(created[:10])
    except ValueError:
        return _DEFAULT_DATE


def interview_front_matter(doc_id: str, created: str, file_name: str) -> str:
    """The YAML front matter of an imported transcript, with its ``---`` lines."""
    front = {"id": doc_id, "date": _source_date(created), "respondent": "",
             "interviewer": "", "location": "",
             "note": f"imported from {file_name} (REFI-QDA)"}
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1_000_000)
    return f"---\n{header}---\n"


def _dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


#: Characters encoded and written at a time, so a large source is never encoded whole.
_WRITE_CHUNK = 1 << 20


def _write(path: Path, *parts: str) -> None:
    """Write UTF-8 text atomically (gtflow.io), a chunk at a time."""
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
        for part in parts:
            for start in range(0, len(part), _WRITE_CHUNK):
                handle.write(part[start:start + _WRITE_CHUNK])


def import_into_study(qdpx_path: str | Path, study_dir: str | Path, *,
                      overwrite: bool = False, strict: bool = False, limits: Limits | None = None,
                      external_sources: str | Path | None = None) -> dict[str, Any]:
    """Create a gtflow study folder from a REFI-QDA project; returns a summary.

    Writes data/raw/interviews/<doc>.txt (front matter + normalized text), data/coding/<coder>.csv
    (code-point offsets into the text after the front matter), config/codebook.yaml,
    config/refi_code_map.csv, config/config.yaml, config/model.yaml and, when the project has
    notes/memos, config/refi_notes.csv. Refuses to overwrite an existing study unless asked.
    Sources that hold no text or whose text file is missing are skipped with a warning each
    (``skipped`` counts them); ``strict`` stops at a missing text file instead. The project is
    read whole, within ``limits``, before anything is written; a source file outside it is read
    only from the folder ``external_sources``.
    """
    qdpx_path = Path(qdpx_path)
    study = Path(study_dir)
    if (study / "config" / "codebook.yaml").exists() and not overwrite:
        raise InputError(study, "a study already exists here (config/codebook.yaml); "
                                "choose an empty folder or pass overwrite=True")
    project = read_project(qdpx_path, partial=not strict, limits=limits,
                           external_sources=external_sources)
    mapping = derive_codebook(project, source_label=qdpx_path.name)

    doc_ids = unique_slugs([source.name for source in project.sources], fallback="doc")
    doc_of_source = {source.guid: doc for source, doc in zip(project.sources, doc_ids,
                                                            strict=True)}
    user_names = sorted({selection.user for selection in project.selections})
    coder_ids = dict(zip(user_names, unique_slugs(user_names, fallback="coder"), strict=True))

    files: list[str] = []
    for source, doc_id in zip(project.sources, doc_ids, strict=True):
        target = study / "data" / "raw" / "interviews" / f"{doc_id}.txt"
        _write(target, interview_front_matter(doc_id, source.created, qdpx_path.name),
               source.text)
        files.append(str(target.relative_to(study)))

    rows_by_coder: dict[str, list[dict[str, Any]]] = {coder: [] for coder in coder_ids.values()}
    for selection in project.selections:
        coder = coder_ids[selection.user]
        rows_by_coder[coder].append({
            "doc_id": doc_of_source[selection.source_guid], "start": selection.start,
            "end": selection.end, "quote": selection.quote,
            "concept_id": mapping.concept_of_code[selection.code_guid], "coder": coder})
    for coder, rows in rows_by_coder.items():
        rows.sort(key=lambda row: (row["doc_id"], row["start"], row["end"], row["concept_id"]))
        target = study / "data" / "coding" / f"{coder}.csv"
        _write(target, _csv_text(rows, CODING_COLUMNS))
        files.append(str(target.relative_to(study)))

    config_dir = study / "config"
    _write(config_dir / "codebook.yaml", _dump_yaml(mapping.codebook))
    _write(config_dir / "refi_code_map.csv", _csv_text(mapping.rows, CODE_MAP_COLUMNS))
    study_name = safe_slug(project.name, fallback="refi_import", ascii_only=True)
    _write(config_dir / "config.yaml", _dump_yaml({
        "study": {"name": study_name, "title": project.name},
        "reliability": {"coders": sorted(coder_ids.values())}}))
    _write(config_dir / "model.yaml", _dump_yaml({
        "layers": [{"id": "themes", "label": "主题", "label_en": "Themes"}],
        "nodes": [{"id": main["id"], "layer": "themes"}
                  for main in mapping.codebook["main_categories"]],
        "edges": [], "storyline": "", "recommendations": []}))
    files += ["config/codebook.yaml", "config/refi_code_map.csv", "config/config.yaml",
              "config/model.yaml"]
    if project.notes:
        note_rows = [{"note_guid": note.guid, "name": note.name, "user": note.user,
                      "refers_to": ";".join(f"{kind}:{guid}" for kind, guid in note.refers_to),
                      "text": note.text} for note in project.notes]
        _write(config_dir / "refi_notes.csv",
               _csv_text(note_rows, ["note_guid", "name", "user", "refers_to", "text"]))
        files.append("config/refi_notes.csv")

    return {
        "project": project.name, "origin": project.origin, "vendor": project.vendor,
        "offset_schemes": {doc_of_source[s.guid]: s.offset_scheme for s in project.sources},
        "documents": doc_ids, "codes": len(project.codes),
        "main_categories": len(mapping.codebook["main_categories"]),
        "categories": len(mapping.codebook["categories"]),
        "concepts": len(mapping.codebook["concepts"]),
        "selections": len(project.selections),
        "codings_written": sum(len(rows) for rows in rows_by_coder.values()),
        "coders": sorted(coder_ids.values()), "notes": len(project.notes),
        "skipped": dict(sorted(project.skipped_sources.items())),
        "warnings": list(project.warnings), "files": files,
    }


def import_codebook_into_study(qdc_path: str | Path, study_dir: str | Path, *,
                               overwrite: bool = False) -> dict[str, Any]:
    """Write config/codebook.yaml (and config/refi_code_map.csv) of a study from a REFI
    Codebook Exchange file: the code tree becomes core → main categories → categories →
    concepts as for a project, descriptions become definitions and colours are kept.
    Refuses to replace an existing codebook unless asked; returns a summary."""
    qdc_path = Path(qdc_path)
    study = Path(study_dir)
    target = study / "config" / "codebook.yaml"
    if target.exists() and not overwrite:
        raise InputError(target, "exists already; pass --overwrite to replace it with the "
                                 "imported codebook")
    project = read_codebook(qdc_path)
    # A codebook is the user's own text: a code without a description stays without one.
    mapping = derive_codebook(project, source_label=qdc_path.name, path_as_definition=False)
    _write(target, _dump_yaml(mapping.codebook))
    _write(study / "config" / "refi_code_map.csv", _csv_text(mapping.rows, CODE_MAP_COLUMNS))
    book = mapping.codebook
    return {
        "codebook": qdc_path.name, "origin": project.origin, "codes": len(project.codes),
        "main_categories": [f"{main['id']} {main['label']}" for main in book["main_categories"]],
        "categories": len(book["categories"]), "concepts": len(book["concepts"]),
        "colours": sum(1 for code in project.codes if code.color),
        "files": ["config/codebook.yaml", "config/refi_code_map.csv"],
    }
