"""The codebook: load, validate (schema + meaning), and expose the concept hierarchy.

Levels: core -> main categories -> categories -> concepts. Every problem is reported as an
InputError naming config/codebook.yaml and the line of the offending entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gtflow.config import line_of, load_validated_yaml
from gtflow.errors import InputError

LEVELS = ("core", "main_category", "category", "concept")
HIERARCHY_COLUMNS = ["concept_id", "concept", "concept_en", "category_id", "category", "category_en",
                     "main_category_id", "main_category", "main_category_en", "core_id", "core",
                     "core_en"]


@dataclass
class Codebook:
    """A validated codebook."""

    path: str
    version: str
    language: str
    core: dict
    main_categories: list[dict]
    categories: list[dict]
    concepts: list[dict]
    by_id: dict[str, dict] = field(default_factory=dict)
    level_of: dict[str, str] = field(default_factory=dict)

    def hierarchy(self) -> pd.DataFrame:
        """One row per concept with its category, main category and core (ids and labels)."""
        rows = []
        for concept in self.concepts:
            category = self.by_id[concept["parent"]]
            main = self.by_id[category["parent"]]
            rows.append({
                "concept_id": concept["id"], "concept": concept["label"],
                "concept_en": concept.get("label_en", ""),
                "category_id": category["id"], "category": category["label"],
                "category_en": category.get("label_en", ""),
                "main_category_id": main["id"], "main_category": main["label"],
                "main_category_en": main.get("label_en", ""),
                "core_id": self.core["id"], "core": self.core["label"],
                "core_en": self.core.get("label_en", ""),
            })
        return pd.DataFrame(rows, columns=HIERARCHY_COLUMNS)

    def label(self, code_id: str, language: str = "zh") -> str:
        """The label of any code in the requested language (falls back to the study language)."""
        code = self.by_id[code_id]
        if language == "en" and code.get("label_en"):
            return code["label_en"]
        return code["label"]


def fail(path: str | Path, keys: list, message: str) -> InputError:
    """An InputError at the YAML line of ``keys``."""
    return InputError(path, message, line=line_of(path, keys))


def check_codebook(raw: dict, path: str | Path) -> Codebook:
    """Semantic checks beyond the schema: unique ids, parents at the right level, rules compile."""
    sections = [("main_categories", "main_category"), ("categories", "category"),
                ("concepts", "concept")]
    by_id: dict[str, dict] = {raw["core"]["id"]: raw["core"]}
    level_of = {raw["core"]["id"]: "core"}
    for section, level in sections:
        for index, code in enumerate(raw[section]):
            if code["id"] in by_id:
                raise fail(path, [section, index, "id"], f"id '{code['id']}' is used twice")
            by_id[code["id"]] = code
            level_of[code["id"]] = level
    parent_level = {"category": "main_category", "concept": "category"}
    for section, level in sections[1:]:
        for index, code in enumerate(raw[section]):
            parent = code.get("parent", "")
            if parent not in by_id:
                raise fail(path, [section, index, "parent"],
                           f"{level} '{code['id']}' has parent '{parent}', which does not exist")
            if level_of[parent] != parent_level[level]:
                raise fail(path, [section, index, "parent"],
                           f"{level} '{code['id']}' has parent '{parent}', a {level_of[parent]}; "
                           f"a {level}'s parent must be a {parent_level[level]}")
    for section, child_section in (("main_categories", "categories"), ("categories", "concepts")):
        parents = {c["parent"] for c in raw[child_section]}
        for index, code in enumerate(raw[section]):
            if code["id"] not in parents:
                raise fail(path, [section, index, "id"],
                           f"'{code['id']}' has no {child_section}; every level must be filled")
    for index, concept in enumerate(raw["concepts"]):
        for r_index, pattern in enumerate(concept.get("rules", {}).get("regex", [])):
            try:
                re.compile(pattern)
            except re.error as error:
                raise fail(path, ["concepts", index, "rules", "regex", r_index],
                           f"concept '{concept['id']}' has a regex that does not compile "
                           f"({error.msg}): {pattern}") from None
    return Codebook(path=str(path), version=str(raw.get("version", "")),
                    language=raw.get("language", "zh"), core=raw["core"],
                    main_categories=raw["main_categories"], categories=raw["categories"],
                    concepts=raw["concepts"], by_id=by_id, level_of=level_of)


def load_codebook(path: str | Path) -> Codebook:
    """Load and validate a codebook file."""
    raw = load_validated_yaml(path, "codebook.schema.yaml",
                              "core, main_categories, categories, concepts")
    return check_codebook(raw, path)


def complete_layer(layer: str | dict) -> dict:
    """A layer written as a bare id or as a mapping, as {id, label, label_en}; a missing label
    is the id and a missing English label is the label."""
    layer = {"id": layer} if isinstance(layer, str) else dict(layer)
    label = layer.get("label") or layer["id"]
    return {"id": layer["id"], "label": label, "label_en": layer.get("label_en") or label}


def edge_id(source: str, target: str) -> str:
    """The id of a model edge in every table, story line and report: ``"A->B"``."""
    return f"{source}->{target}"


def load_model(path: str | Path, codebook: Codebook) -> dict:
    """Load config/model.yaml and check that nodes, edges and targets name existing codes."""
    model = load_validated_yaml(path, "model.schema.yaml", "layers, nodes, edges, recommendations")
    model["layers"] = [complete_layer(layer) for layer in model["layers"]]
    layers = {layer["id"] for layer in model["layers"]}
    nodes = set()
    for index, node in enumerate(model["nodes"]):
        if codebook.level_of.get(node["id"]) not in {"main_category", "category", "core"}:
            raise fail(path, ["nodes", index, "id"], f"node '{node['id']}' is not a main category "
                       f"or category in {codebook.path}")
        if node["layer"] not in layers:
            raise fail(path, ["nodes", index, "layer"], f"node '{node['id']}' is in layer "
                       f"'{node['layer']}', which is not listed under layers")
        nodes.add(node["id"])
    for index, edge in enumerate(model["edges"]):
        for end in ("from", "to"):
            if edge[end] not in nodes:
                raise fail(path, ["edges", index, end], f"edge {edge_id(edge['from'], edge['to'])} "
                           f"names '{edge[end]}', which is not a node of the model")
    for index, recommendation in enumerate(model["recommendations"]):
        for target in recommendation["targets"]:
            if target not in nodes:
                raise fail(path, ["recommendations", index, "targets"],
                           f"recommendation '{recommendation['id']}' targets '{target}', which "
                           "is not a node of the model")
    return model
