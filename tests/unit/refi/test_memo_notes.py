"""Analytic memos as REFI-QDA Notes: schema-valid export, and back through import-qdpx."""

from __future__ import annotations

import zipfile

import pandas as pd
from lxml import etree
from refi_fixtures import build_atlas_qdpx
from test_writer import CODEBOOK, SOURCES, _codings

from gtflow.config import load_yaml
from gtflow.memos import Memo, load_memos, memo_files
from gtflow.refi import gtflow_guid, import_into_study, read_project, write_project

MEMOS = (
    Memo(id="M01", title="Rankings <drive> pressure", date="2021-05-01", author="li",
         codes=("a1", "AA1"), body="Open coding: *rankings* & check-ins.\n\nSecond paragraph.\n",
         edges=("A1->A2", "AA1->AA2"), synthetic=True),
    Memo(id="M02", title="负担备忘录", date="2021-06-02", author="memo_writer",
         codes=("A2",), body="打卡负担。\n"),
)


def exported(tmp_path):
    path = tmp_path / "memos.qdpx"
    write_project(path, sources=SOURCES, codebook=CODEBOOK, codings=_codings(),
                  project_name="memo study", memos=MEMOS)
    return path


def test_memos_are_notes_referenced_from_their_codes_and_schema_valid(tmp_path, project_xsd):
    path = exported(tmp_path)
    with zipfile.ZipFile(path) as archive:
        document = etree.fromstring(archive.read("project.qde"))
    etree.XMLSchema(etree.parse(str(project_xsd))).assertValid(document)
    project = read_project(path)
    notes = {note.name: note for note in project.notes}
    first = notes["Rankings <drive> pressure"]
    assert first.text.strip() == MEMOS[0].body.strip()
    assert first.user == "li" and first.created.startswith("2021-05-01")
    assert first.description == "gtflow memo M01; edges: A1->A2, AA1->AA2; synthetic"
    assert set(first.refers_to) == {("code", gtflow_guid("code", "a1")),
                                    ("code", gtflow_guid("code", "AA1"))}
    assert notes["负担备忘录"].refers_to == (("code", gtflow_guid("code", "A2")),)


def test_memos_survive_export_and_import(tmp_path):
    study = tmp_path / "study"
    summary = import_into_study(exported(tmp_path), study)
    assert sorted(f for f in summary["files"] if f.startswith("data/memos/")) == \
        ["data/memos/M01.md", "data/memos/M02.md"]
    code_map = pd.read_csv(study / "config" / "refi_code_map.csv", dtype=str)
    new_id = {guid: gid for guid, gid in zip(code_map["code_guid"], code_map["gtflow_id"])}

    def mapped(old: str) -> str:
        return new_id[gtflow_guid("code", old)]

    from gtflow.coding.codebook import load_codebook, load_model
    book = load_codebook(study / "config" / "codebook.yaml")
    model = load_model(study / "config" / "model.yaml", book)
    back = {m.id: m for m in load_memos([study / p for p in memo_files(study)], book, model).memos}
    for memo in MEMOS:
        again = back[memo.id]
        assert (again.title, again.date, again.author, again.synthetic) == \
            (memo.title, memo.date, memo.author, memo.synthetic)
        assert again.body.strip() == memo.body.strip()
        # Codes come back in code-book order, under the new study's ids.
        assert sorted(again.codes) == sorted(mapped(c) for c in memo.codes)
        assert again.edges == tuple("->".join(mapped(end) for end in e.split("->"))
                                    for e in memo.edges)
    edges = load_yaml(study / "config" / "model.yaml")["edges"]
    assert [(e["from"], e["to"]) for e in edges] == [(mapped("A1"), mapped("A2")),
                                                      (mapped("AA1"), mapped("AA2"))]


def test_a_vendor_note_on_a_coded_selection_becomes_a_memo_of_that_code(tmp_path):
    study = tmp_path / "study"
    import_into_study(build_atlas_qdpx(tmp_path / "atlas.qdpx"), study)
    book_path = study / "config" / "codebook.yaml"
    from gtflow.coding.codebook import load_codebook
    memos = load_memos([study / p for p in memo_files(study)], load_codebook(book_path)).memos
    assert len(memos) == 1
    memo = memos[0]
    # The note hangs on the selection coded "Feelings::anger", imported as concept c2.
    assert (memo.id, memo.title, memo.author, memo.codes) == ("Anger_memo", "Anger memo", "Ana",
                                                              ("c2",))
    assert memo.body == "Anger is aimed at the app.\nFollow up.\n"


def test_a_journal_attached_to_nothing_is_filed_under_the_core_category():
    import datetime as dt

    from gtflow.refi.memos import memos_from_notes
    from gtflow.refi.model import RefiNote, RefiProject

    project = RefiProject(name="p", origin="QualCoder 3.5", vendor="qualcoder", path="p.qdpx",
                          created="2024-02-03T10:00:00Z",
                          notes=[RefiNote(guid="n1", name="Journal: week 1", text="Thoughts.",
                                          user=""),
                                 RefiNote(guid="n2", name="Journal: week 1", text="", user="Bo")])
    memos = memos_from_notes(project, {}, {}, "CORE", dt.date(2030, 1, 1))
    assert [(m.id, m.codes, m.date, m.author, m.body) for m in memos] == [
        ("Journal_week_1", ("CORE",), "2024-02-03", "unknown", "Thoughts.\n"),
        ("Journal_week_1_2", ("CORE",), "2024-02-03", "Bo", "(empty note)\n")]
