"""Analytic memos: front matter checked like the codebook, one clear line per bad memo."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.errors import InputError
from gtflow.memos import load_memos, memo_files, memo_text, parse_memo
from gtflow.validate import validate_study

REPO = Path(__file__).resolve().parents[2]
GOOD = """---
id: M1
title: A memo
date: 2021-03-01
author: coder_a
codes: [a1, AA1]
edges: ["AA1->AA3"]
---

Body with *Markdown*.
"""


def demo_book_and_model():
    book = load_codebook(REPO / "config" / "codebook.yaml")
    return book, load_model(REPO / "config" / "model.yaml", book)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_memo_reads_and_writes_back_the_same():
    memo = parse_memo(GOOD, "data/memos/M1.md")
    assert (memo.id, memo.date, memo.codes, memo.edges, memo.synthetic) == (
        "M1", "2021-03-01", ("a1", "AA1"), ("AA1->AA3",), False)
    assert memo.body == "Body with *Markdown*.\n"
    assert parse_memo(memo_text(memo), "data/memos/M1.md") == memo


@pytest.mark.parametrize(("text", "message", "line"), [
    ("no front matter\n", "has no YAML front matter", 1),
    (GOOD.replace("title: A memo\n", ""), "'title' is a required property", 2),
    (GOOD.replace("2021-03-01", "2021-13-01"), "is not a date", 4),
    (GOOD.replace("codes: [a1, AA1]", "codes: a1"), "memo codes: 'a1' is not of type 'array'", 6),
    (GOOD.replace("id: M1", "id: M 1"), "memo id", 2),
    (GOOD.replace("Body with *Markdown*.\n", ""), "no text after it", None),
    (GOOD.replace("author: coder_a\n", "author: coder_a\ncolour: red\n"), "colour", 2),
])
def test_a_bad_memo_is_one_line_naming_the_file(tmp_path, text, message, line):
    path = write(tmp_path, "M1.md", text)
    with pytest.raises(InputError) as error:
        load_memos([path])
    described = error.value.describe()
    assert str(path) in described and message in described and "\n" not in described
    assert error.value.line == line


def test_codes_and_edges_must_exist_and_ids_be_unique(tmp_path):
    book, model = demo_book_and_model()
    unknown_code = write(tmp_path, "a.md", GOOD.replace("[a1, AA1]", "[a1, ZZ9]"))
    with pytest.raises(InputError, match="ZZ9, not in"):
        load_memos([unknown_code], book, model)
    unknown_edge = write(tmp_path, "b.md", GOOD.replace("AA1->AA3", "AA3->AA1"))
    with pytest.raises(InputError, match="AA3->AA1, not edges of the model"):
        load_memos([unknown_edge], book, model)
    first, second = write(tmp_path, "c.md", GOOD), write(tmp_path, "d.md", GOOD)
    with pytest.raises(InputError, match="is used by .*c.md too") as error:
        load_memos([first, second], book, model)
    assert str(second) in error.value.describe()


def test_the_demo_memos_are_valid_synthetic_and_span_the_three_coding_stages():
    book, model = demo_book_and_model()
    memos = load_memos([REPO / p for p in memo_files(REPO)], book, model).memos
    assert len(memos) >= 8 and all(m.synthetic for m in memos)
    assert all("Synthetic demonstration memo" in m.body for m in memos)
    stages = {stage for m in memos for stage in ("Open coding", "Axial coding", "Selective coding")
              if stage in m.body}
    assert stages == {"Open coding", "Axial coding", "Selective coding"}


def test_validate_reports_a_bad_memo(tmp_path):
    from gtflow.init import init_study

    init_study(tmp_path / "study")
    study = tmp_path / "study"
    (study / "data" / "raw" / "interviews").mkdir(parents=True, exist_ok=True)
    (study / "data" / "memos").mkdir(parents=True, exist_ok=True)
    write(study / "data" / "memos", "bad.md", "---\nid: x\n---\ntext\n")
    report = validate_study(study)
    assert any("data/memos/bad.md" in p and "required property" in p for p in report.problems)


def test_importing_the_memos_module_leaves_jsonschema_until_a_memo_is_read(modules_loaded_by):
    # The workflow's own start (the Snakefile lists memo files) and every job that imports a
    # stage holding memos would pay about 0.1 s for it.
    assert modules_loaded_by("import gtflow.memos", ["jsonschema"]) == []
    assert modules_loaded_by("import gtflow.memos", ["pandas"]) == []
    assert modules_loaded_by("import gtflow.refi.steps, gtflow.coding.steps",
                             ["jsonschema"]) == []
