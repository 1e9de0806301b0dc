"""Codebook and model validation: schema, meaning, and messages that point at the YAML line."""

from __future__ import annotations

import textwrap

import pytest

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.errors import InputError

GOOD = """\
version: 1
language: zh
core: {id: CORE, label: 核心}
main_categories:
  - {id: AA1, label: 主范畴一}
  - {id: AA2, label: 主范畴二}
categories:
  - {id: A1, parent: AA1, label: 范畴一}
  - {id: A2, parent: AA2, label: 范畴二}
concepts:
  - id: a1
    parent: A1
    label: 概念一
    rules: {any: [下载量], regex: ['每天.{0,4}打卡']}
  - {id: a2, parent: A2, label: 概念二}
"""


def write(tmp_path, text, name="codebook.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_valid_codebook_loads_with_its_hierarchy(tmp_path):
    book = load_codebook(write(tmp_path, GOOD))
    hierarchy = book.hierarchy()
    assert list(hierarchy["concept_id"]) == ["a1", "a2"]
    assert hierarchy.set_index("concept_id").loc["a2", "main_category_id"] == "AA2"
    assert book.concepts[1]["rules"]["unit"] == "sentence"  # schema default filled in


@pytest.mark.parametrize("broken, message, line", [
    (GOOD.replace("- {id: a2, parent: A2", "- {id: a1, parent: A2"), "id 'a1' is used twice", 15),
    (GOOD.replace("parent: A1\n", "parent: A9\n"), "parent 'A9', which does not exist", 12),
    (GOOD.replace("parent: A1\n", "parent: AA1\n"), "a concept's parent must be a category", 12),
    (GOOD.replace("每天.{0,4}打卡", "每天(打卡"), "regex that does not compile", 14),
    (GOOD.replace("  - {id: A2, parent: AA2, label: 范畴二}\n", "").replace("parent: A2,", "parent: A1,"),
     "'AA2' has no categories", 6),
])
def test_semantic_errors_name_the_yaml_line(tmp_path, broken, message, line):
    path = write(tmp_path, broken)
    with pytest.raises(InputError) as caught:
        load_codebook(path)
    assert message in caught.value.reason
    assert caught.value.path == str(path)
    assert caught.value.line == line


def test_schema_errors_name_the_key(tmp_path):
    path = write(tmp_path, GOOD.replace("rules: {any: [下载量],", "rules: {anyy: [下载量],"))
    with pytest.raises(InputError) as caught:
        load_codebook(path)
    assert "anyy" in caught.value.reason and caught.value.line == 14


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, GOOD.replace("  - {id: A1, parent: AA1, label: 范畴一}", "  - {id: A1, parent: AA1"))
    with pytest.raises(InputError) as caught:
        load_codebook(path)
    assert "not valid YAML" in caught.value.reason and caught.value.line is not None


MODEL = """\
layers: [{id: condition}, {id: outcome}]
nodes: [{id: AA1, layer: condition}, {id: AA2, layer: outcome}]
edges: [{from: AA1, to: AA2, relation: 导致}]
recommendations: [{id: R1, title: 建议, targets: [AA1]}]
"""


def test_model_refers_only_to_codebook_ids(tmp_path):
    book = load_codebook(write(tmp_path, GOOD))
    assert load_model(write(tmp_path, MODEL, "model.yaml"), book)["edges"][0]["to"] == "AA2"
    for broken, message in [
        (MODEL.replace("{id: AA2, layer: outcome}", "{id: ZZ, layer: outcome}"), "node 'ZZ' is not"),
        (MODEL.replace("to: AA2", "to: AA3"), "names 'AA3', which is not a node"),
        (MODEL.replace("layer: outcome}", "layer: result}"), "layer 'result'"),
        (MODEL.replace("targets: [AA1]", "targets: [A1]"), "targets 'A1'"),
    ]:
        with pytest.raises(InputError, match=message):
            load_model(write(tmp_path, broken, "model.yaml"), book)


@pytest.mark.parametrize("layers", [
    "[condition, outcome]",
    "[{id: condition}, outcome]",
    "\n  - condition\n  - {id: outcome, label: outcome}",
])
def test_layers_may_be_bare_ids_or_mappings_and_the_model_may_have_a_title(tmp_path, layers):
    book = load_codebook(write(tmp_path, GOOD))
    text = (MODEL.replace("layers: [{id: condition}, {id: outcome}]", f"layers: {layers}")
            + "title: Why the tablets were abandoned\ndescription: Conditions lead to outcomes.\n")
    model = load_model(write(tmp_path, text, "model.yaml"), book)
    assert model["layers"] == [{"id": "condition", "label": "condition", "label_en": "condition"},
                               {"id": "outcome", "label": "outcome", "label_en": "outcome"}]
    assert model["title"] == "Why the tablets were abandoned"
    assert model["description"] == "Conditions lead to outcomes."


def test_a_layer_label_defaults_to_the_id_and_the_english_label_to_the_label(tmp_path):
    book = load_codebook(write(tmp_path, GOOD))
    text = MODEL.replace("{id: outcome}", "{id: outcome, label: 结果}")
    layers = load_model(write(tmp_path, text, "model.yaml"), book)["layers"]
    assert layers[1] == {"id": "outcome", "label": "结果", "label_en": "结果"}
    text = MODEL.replace("{id: outcome}", "{id: outcome, label: 结果, label_en: Outcome}")
    assert load_model(write(tmp_path, text, "model.yaml"), book)["layers"][1]["label_en"] == "Outcome"


@pytest.mark.parametrize("layers, message, line", [
    ("[{id: condition, lable: 条件}, outcome]",
     "key 'layers.0.lable': unknown key; did you mean 'label'?", 1),
    ("[condition, 5]",
     "key 'layers.1': 5 does not fit; expected text or a mapping {id (required), label, label_en}", 1),
    ("[{label: 条件}, outcome]", "'id' is a required property; expected a mapping {id (required)", 1),
])
def test_model_schema_errors_name_the_nearest_key_or_the_expected_shape(tmp_path, layers, message,
                                                                        line):
    book = load_codebook(write(tmp_path, GOOD))
    path = write(tmp_path, MODEL.replace("[{id: condition}, {id: outcome}]", layers), "model.yaml")
    with pytest.raises(InputError) as caught:
        load_model(path, book)
    assert message in caught.value.reason and caught.value.line == line


def test_a_misspelt_model_key_is_named_with_its_line(tmp_path):
    book = load_codebook(write(tmp_path, GOOD))
    path = write(tmp_path, MODEL + "titel: A model\n", "model.yaml")
    with pytest.raises(InputError) as caught:
        load_model(path, book)
    assert "key 'titel': unknown key; did you mean 'title'?" in caught.value.reason
    assert caught.value.line == 5


def test_the_demo_codebook_and_model_are_valid(repo_root):
    book = load_codebook(repo_root / "config" / "codebook.yaml")
    model = load_model(repo_root / "config" / "model.yaml", book)
    assert len(book.concepts) >= 45 and len(book.categories) >= 15
    assert 6 <= len(book.main_categories) <= 8
    assert len(model["recommendations"]) == 4
