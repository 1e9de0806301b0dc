"""Review of auto codings in a QDA program: export, a real edit of the export, import, apply."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from gtflow.coding.autocode import autocode
from gtflow.coding.codebook import check_codebook
from gtflow.coding.review import (
    apply_reviews,
    read_reviews,
    rejected_codings,
    review_coverage,
    review_description,
    review_descriptions,
    review_project_codings,
)
from gtflow.contracts import frame
from gtflow.refi import read_project, write_project
from gtflow.refi.writer import QDA_NAMESPACE, gtflow_guid

TEXTS = {
    "d1": "答：每周都要排名。排名靠后就通报。\n答：每天早上都要打卡，打卡截图发群里。考核和下载量挂钩。",
    "d2": "答：下载量不够就通报。打卡的事没人管。\n答：排名每周出来一次。",
}
RAW = {"core": {"id": "CORE", "label": "核心"},
       "main_categories": [{"id": "AA1", "label": "主"}],
       "categories": [{"id": "A1", "parent": "AA1", "label": "范畴"}],
       "concepts": [
           {"id": "a1", "parent": "A1", "label": "排名通报", "rules": {"any": ["排名", "通报"]}},
           {"id": "a2", "parent": "A1", "label": "打卡留痕", "rules": {"any": ["打卡"]}},
           {"id": "a3", "parent": "A1", "label": "考核挂钩", "rules": {"any": ["考核"]}}]}
Q = f"{{{QDA_NAMESPACE}}}"
PROJECT_XSD = Path(__file__).resolve().parents[4] / "shared" / "refi-qda" / "Project.xsd"


@pytest.fixture
def project_xsd() -> Path:
    if not PROJECT_XSD.is_file():
        pytest.skip(f"REFI-QDA Project.xsd not available (expected {PROJECT_XSD}, the shared "
                    "folder next to the checkout)")
    return PROJECT_XSD


def segments_of(doc_id: str, text: str) -> list[dict]:
    rows, start = [], 0
    for turn, line in enumerate(text.split("\n")):
        position = start + 2
        for piece in line[2:].split("。"):
            if piece:
                end = position + len(piece) + 1
                rows.append({"doc_id": doc_id, "seg_id": len(rows), "turn": turn,
                             "start": position, "end": end, "text": text[position:end]})
                position = end
        start += len(line) + 1
    return rows


@pytest.fixture
def study():
    for concept in RAW["concepts"]:
        for key in ("all", "none", "regex"):
            concept["rules"].setdefault(key, [])
        concept["rules"].setdefault("unit", "sentence")
    book = check_codebook(RAW, "codebook.yaml")
    documents = frame("documents", [{"doc_id": d, "duplicate_of": "", "source_type": "interview"}
                                    for d in TEXTS])
    segments = frame("segments", [r for d, t in TEXTS.items() for r in segments_of(d, t)])
    auto = autocode(pd.DataFrame({"doc_id": list(TEXTS), "clean_text": list(TEXTS.values())}),
                    segments, book)
    return book, documents, segments, auto


def export(tmp_path: Path, auto: pd.DataFrame) -> Path:
    path = tmp_path / "review.qdpx"
    write_project(path, sources=[(d, d, t) for d, t in TEXTS.items()], codebook=RAW,
                  codings=review_project_codings(auto), project_name="demo_review")
    return path


def edit(exported: Path, out: Path, delete, add: list[tuple[str, int, int, str, str]]) -> Path:
    """What a coder does in a QDA program: delete selections (``delete(description) -> bool``)
    and add codings (doc_id, start, end, concept_id, user), then export a .qdpx."""
    with zipfile.ZipFile(exported) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(members["project.qde"])
    for selection in root.iter(f"{Q}PlainTextSelection"):
        if delete(selection.findtext(f"{Q}Description")):
            selection.getparent().remove(selection)
    users = root.find(f"{Q}Users")
    for doc_id, start, end, concept_id, user in add:
        if not any(u.get("name") == user for u in users):
            etree.SubElement(users, f"{Q}User", guid=gtflow_guid("user", user), name=user)
        source = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == doc_id)
        selection = etree.SubElement(source, f"{Q}PlainTextSelection",
                                     guid=gtflow_guid("added", doc_id, start, end),
                                     startPosition=str(start), endPosition=str(end))
        coding = etree.SubElement(selection, f"{Q}Coding", guid=gtflow_guid("added-c", doc_id, start),
                                  creatingUser=gtflow_guid("user", user))
        etree.SubElement(coding, f"{Q}CodeRef", targetGUID=gtflow_guid("code", concept_id))
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out


def test_the_export_holds_every_auto_coding_with_its_rule(tmp_path, study):
    _, _, _, auto = study
    project = read_project(export(tmp_path, auto))
    assert len(project.selections) == len(auto) == 7
    assert {s.user for s in project.selections} == {"auto"}
    assert {s.description for s in project.selections} == {
        f"auto-coded {c} by rule {r}" for c, r in zip(auto["concept_id"], auto["rule"])}


def test_the_export_is_valid_against_the_refi_schema(tmp_path, study, project_xsd):
    schema = etree.XMLSchema(etree.parse(str(project_xsd)))
    with zipfile.ZipFile(export(tmp_path, study[3])) as archive:
        document = etree.fromstring(archive.read("project.qde"))
    assert schema.validate(document), schema.error_log.last_error


def test_round_trip_deleted_codings_are_rejected_and_an_added_one_is_the_reviewers(tmp_path, study):
    book, _, segments, auto = study
    exported = export(tmp_path, auto)
    first_a1 = auto[auto["concept_id"] == "a1"].iloc[0]
    doomed = {f"auto-coded a1 by rule {first_a1['rule']}", "auto-coded a3 by rule any:考核"}
    d1_doomed = auto[(auto["doc_id"] == "d1") & (auto["concept_id"] == "a1")]
    assert len(d1_doomed) == 2 and (d1_doomed["rule"] == first_a1["rule"]).all()
    # Delete every a1 coding by the first rule (d1 twice, d2 once) and the a3 coding; add the
    # a3 that the rules missed in d2.
    reviewed = edit(exported, tmp_path / "ann.qdpx", lambda d: d in doomed,
                    [("d2", 2, 11, "a3", "ann")])
    deleted = auto[[f"auto-coded {c} by rule {r}" in doomed
                    for c, r in zip(auto["concept_id"], auto["rule"])]]
    review, added = read_reviews([str(reviewed)], auto, TEXTS, segments, book, 85)
    assert len(review) == len(auto)
    assert (review["decision"] == "rejected").sum() == len(deleted) == 4
    assert (review["decision"] == "accepted").sum() == len(auto) - 4 == 3
    assert set(review["reviewer"]) == {"ann"} and set(review["review_file"]) == {"ann.qdpx"}
    assert list(zip(added["doc_id"], added["start"], added["end"], added["concept_id"],
                    added["coder"], added["origin"])) == [("d2", 2, 11, "a3", "ann", "qdpx")]

    merged = apply_reviews(pd.concat([auto, added], ignore_index=True), review)
    assert (merged["coder"] == "auto").sum() == 3
    confirmed = merged[merged["origin"] == "review"]
    assert len(confirmed) == 3 and set(confirmed["coder"]) == {"ann"}
    key = ["doc_id", "start", "end", "concept_id"]
    gone = deleted[key].merge(merged[key], on=key)
    assert gone.empty
    assert len(rejected_codings(review)) == 4
    assert review_coverage(review) == {"ann": {"d1", "d2"}}


def test_a_reviewer_who_deleted_every_coding_of_one_concept_rejects_exactly_those(tmp_path, study):
    book, _, segments, auto = study
    reviewed = edit(export(tmp_path, auto), tmp_path / "bob_review.qdpx",
                    lambda d: d.startswith("auto-coded a2 "), [])
    review, added = read_reviews([str(reviewed)], auto, TEXTS, segments, book, 85)
    rejected = review[review["decision"] == "rejected"]
    assert set(rejected["concept_id"]) == {"a2"}
    assert len(rejected) == (auto["concept_id"] == "a2").sum() == 2
    # No coding by anyone but "auto": the reviewer is named after the file.
    assert set(review["reviewer"]) == {"bob_review"} and added.empty
    merged = apply_reviews(auto, review)
    assert not (merged["concept_id"].eq("a2") & merged["coder"].eq("auto")).any()
    assert (merged["coder"] == "bob_review").sum() == len(auto) - 2 == 5


def test_no_review_changes_nothing(study):
    book, _, segments, auto = study
    review, added = read_reviews([], auto, TEXTS, segments, book, 85)
    assert review.empty and added.empty
    assert apply_reviews(auto, review).equals(auto)


def test_the_code_stage_applies_a_review_and_judges_the_rules_on_everything(tmp_path, study, text_index):
    """merge_codings reads data/coding/review/, assess_rules scores the rules against the
    reviewer, and the next review export still offers every auto coding."""
    import yaml

    from gtflow.coding.steps import assess_rules, merge_codings
    from gtflow.refi.steps import export_projects, export_study_project

    _, documents, segments, auto = study
    paths = {name: tmp_path / name for name in (
        "auto.parquet", "documents.parquet", "segments.parquet", "codebook.yaml",
        "codings.parquet", "anchors.csv", "hierarchy.csv", "review.csv", "validity.csv",
        "audit.csv", "phrases.csv", "again.qdpx")}
    auto.to_parquet(paths["auto.parquet"])
    documents.to_parquet(paths["documents.parquet"])
    segments.to_parquet(paths["segments.parquet"])
    paths["codebook.yaml"].write_text(yaml.safe_dump(RAW, allow_unicode=True), encoding="utf-8")
    reviewed = edit(export(tmp_path, auto), tmp_path / "ann.qdpx",
                    lambda d: d.startswith("auto-coded a2 "), [("d2", 2, 11, "a3", "ann")])
    texts = text_index(TEXTS)
    merge_codings(auto=[str(paths["auto.parquet"])], manual=[],
                  documents=paths["documents.parquet"], segments=paths["segments.parquet"],
                  texts=texts,
                  codebook=paths["codebook.yaml"], codings_out=paths["codings.parquet"],
                  anchors_out=paths["anchors.csv"], hierarchy_out=paths["hierarchy.csv"],
                  min_score=85, reviews=[str(reviewed)], review_out=paths["review.csv"])
    codings = pd.read_parquet(paths["codings.parquet"])
    assert sorted(codings.groupby(["coder", "origin"]).size().items()) == [
        (("ann", "qdpx"), 1), (("ann", "review"), 5), (("auto", "auto"), 5)]
    assert pd.read_csv(paths["review.csv"])["decision"].value_counts().to_dict() == {
        "accepted": 5, "rejected": 2}

    assess_rules(codings=paths["codings.parquet"], review=paths["review.csv"],
                 segments=paths["segments.parquet"], codebook=paths["codebook.yaml"],
                 validity_out=paths["validity.csv"], audit_out=paths["audit.csv"],
                 phrases_out=paths["phrases.csv"], consensus_coders=[], min_auto_f1=0.5)
    validity = pd.read_csv(paths["validity.csv"]).set_index(["level", "code_id", "reference"])
    # Against the reviewer the rules' a2 codings were all rejected; a3 was missed once.
    assert validity.loc[("concept", "a2", "ann"), ["n_auto", "n_both"]].tolist() == [2, 0]
    assert validity.loc[("concept", "a2", "ann"), "status"] == "failed"
    assert validity.loc[("concept", "a3", "ann"), ["n_auto", "n_reference", "n_both"]].tolist() \
        == [1, 2, 1]
    assert validity.loc[("concept", "__overall__", "ann"), "precision"] == pytest.approx(5 / 7, abs=1e-4)

    # The workflow writes the review project beside the study's, in one pass over the texts.
    export_projects(documents=paths["documents.parquet"], texts=texts,
                    codings=paths["codings.parquet"], review=paths["review.csv"],
                    codebook=paths["codebook.yaml"], project_out=tmp_path / "project.qdpx",
                    review_out=paths["again.qdpx"], project_name="demo")
    again = read_project(paths["again.qdpx"])
    assert len(again.selections) == len(auto) and {s.user for s in again.selections} == {"auto"}
    export_study_project(documents=paths["documents.parquet"], texts=texts,
                         codings=paths["codings.parquet"], codebook=paths["codebook.yaml"],
                         out=tmp_path / "alone.qdpx", project_name="demo")
    assert (tmp_path / "project.qdpx").read_bytes() == (tmp_path / "alone.qdpx").read_bytes()


@pytest.mark.parametrize("dtype", ["str", object])
def test_review_descriptions_are_the_review_description_of_each_row(dtype):
    concepts = pd.Series(["a2", "a1", "a2", "a1", "a3", "a2"], dtype=dtype)
    rules = pd.Series(["any:排名", "all:打卡", "any:排名", "any:排名", None, "all:打卡"],
                      dtype=dtype)
    expected = [review_description(c, r) for c, r in zip(concepts.tolist(), rules.tolist())]
    assert review_descriptions(concepts, rules).tolist() == expected
    assert review_descriptions(concepts[:0], rules[:0]).tolist() == []
    no_rules = pd.Series([None, None], dtype=dtype)
    assert review_descriptions(concepts[:2], no_rules).tolist() == [
        review_description(c, r) for c, r in zip(concepts[:2].tolist(), no_rules.tolist())]
