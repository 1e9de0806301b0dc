"""Importing a REFI-QDA project as a gtflow study folder."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
import yaml
from refi_fixtures import ATLAS_TEXT, build_atlas_qdpx, guid

from gtflow.errors import InputError
from gtflow.refi import import_into_study, read_project
from gtflow.refi.study_import import safe_slug, unique_slugs


def _front_matter_and_body(path):
    content = path.read_text(encoding="utf-8")
    assert content.startswith("---\n")
    header, body = content[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body


def _read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _codebook_ids(codebook):
    return ({codebook["core"]["id"]}
            | {m["id"] for m in codebook["main_categories"]}
            | {c["id"] for c in codebook["categories"]}
            | {c["id"] for c in codebook["concepts"]})


def _check_hierarchy(codebook):
    mains = {m["id"] for m in codebook["main_categories"]}
    categories = {c["id"]: c["parent"] for c in codebook["categories"]}
    assert set(categories.values()) <= mains
    assert all(c["parent"] in categories for c in codebook["concepts"])
    # every level is filled: each main category has a category, each category a concept
    assert mains == set(categories.values())
    assert set(categories) == {c["parent"] for c in codebook["concepts"]}


# ----------------------------------------------------------------------------- NVivo sample

@pytest.fixture(scope="module")
def nvivo_study(nvivo_sample, tmp_path_factory):
    study = tmp_path_factory.mktemp("nvivo_study")
    summary = import_into_study(nvivo_sample, study)
    return study, summary, read_project(nvivo_sample)


def test_nvivo_study_files(nvivo_study):
    study, summary, _ = nvivo_study
    assert summary["vendor"] == "nvivo"
    assert summary["documents"] == ["videos_selection", "videos_10_selected"]
    assert summary["selections"] == summary["codings_written"] == 303
    for relative in summary["files"]:
        assert (study / relative).is_file(), relative
    assert sorted(p.name for p in (study / "data" / "raw" / "interviews").iterdir()) == \
        ["videos_10_selected.txt", "videos_selection.txt"]


def test_nvivo_transcripts_have_front_matter_and_normalized_text(nvivo_study):
    study, _, project = nvivo_study
    for source, doc_id in zip(project.sources, ["videos_selection", "videos_10_selected"],
                              strict=True):
        meta, body = _front_matter_and_body(study / "data/raw/interviews" / f"{doc_id}.txt")
        assert meta == {"id": doc_id, "date": dt.date.fromisoformat(source.created[:10]),
                        "respondent": "", "interviewer": "", "location": "",
                        "note": "imported from nvivo12win-sample.qdpx (REFI-QDA)"}
        assert body == source.text


def test_nvivo_codebook_maps_every_code(nvivo_study):
    study, _summary, project = nvivo_study
    codebook = yaml.safe_load((study / "config/codebook.yaml").read_text(encoding="utf-8"))
    assert codebook["core"]["id"] == "CORE"
    assert codebook["core"]["label"] == project.name
    assert len(codebook["main_categories"]) == 12  # the 12 top-level codes
    _check_hierarchy(codebook)
    ids = _codebook_ids(codebook)
    assert len(ids) == len(codebook["main_categories"]) + len(codebook["categories"]) \
        + len(codebook["concepts"]) + 1  # ids are unique
    assert all("rules" not in concept for concept in codebook["concepts"])

    rows = _read_csv(study / "config/refi_code_map.csv")
    assert len(rows) == 152
    assert {row["code_guid"] for row in rows} == {code.guid for code in project.codes}
    assert all(row["gtflow_id"] in ids for row in rows)
    concepts = {c["id"] for c in codebook["concepts"]}
    coded = {s.code_guid for s in project.selections}
    for row in rows:
        if row["code_guid"] in coded or int(row["level"]) >= 3:
            assert row["concept_id"] in concepts, row
    # labels are the code names
    labels = {c["id"]: c["label"] for c in codebook["concepts"]}
    covid = next(r for r in rows if r["code_name"] == "COVID")
    assert labels[covid["concept_id"]] == "COVID"


def test_nvivo_coder_files_match_the_text(nvivo_study):
    study, summary, project = nvivo_study
    coding_files = sorted((study / "data/coding").glob("*.csv"))
    assert [p.stem for p in coding_files] == summary["coders"] == ["Gergo"]
    config = yaml.safe_load((study / "config/config.yaml").read_text(encoding="utf-8"))
    assert config == {"study": {"name": "Untitled", "title": "Untitled"},
                      "reliability": {"coders": ["Gergo"]}}
    codebook = yaml.safe_load((study / "config/codebook.yaml").read_text(encoding="utf-8"))
    concepts = {c["id"] for c in codebook["concepts"]}
    bodies = {doc: _front_matter_and_body(study / "data/raw/interviews" / f"{doc}.txt")[1]
              for doc in summary["documents"]}
    rows = [row for path in coding_files for row in _read_csv(path)]
    assert len(rows) == 303
    assert list(rows[0]) == ["doc_id", "start", "end", "quote", "concept_id", "coder"]
    for row in rows:
        assert row["quote"] == bodies[row["doc_id"]][int(row["start"]):int(row["end"])]
        assert row["concept_id"] in concepts
    code_map = {r["code_guid"]: r["concept_id"]
                for r in _read_csv(study / "config/refi_code_map.csv")}
    expected = sorted((s.start, s.end, code_map[s.code_guid]) for s in project.selections)
    assert sorted((int(r["start"]), int(r["end"]), r["concept_id"]) for r in rows) == expected


def test_nvivo_model(nvivo_study):
    study, _, _ = nvivo_study
    model = yaml.safe_load((study / "config/model.yaml").read_text(encoding="utf-8"))
    assert model["layers"] == [{"id": "themes", "label": "主题", "label_en": "Themes"}]
    assert [n["id"] for n in model["nodes"]] == [f"M{i}" for i in range(1, 13)]
    assert {n["layer"] for n in model["nodes"]} == {"themes"}
    assert (model["edges"], model["storyline"], model["recommendations"]) == ([], "", [])


# ----------------------------------------------------------------------------- ATLAS.ti style

def test_atlas_hierarchy_from_double_colon_names(tmp_path):
    study = tmp_path / "study"
    summary = import_into_study(build_atlas_qdpx(tmp_path / "atlas.qdpx"), study)
    codebook = yaml.safe_load((study / "config/codebook.yaml").read_text(encoding="utf-8"))
    _check_hierarchy(codebook)
    assert [(m["id"], m["label"]) for m in codebook["main_categories"]] == \
        [("M1", "Feelings"), ("M2", "Trust")]
    assert [(c["id"], c["parent"], c["label"]) for c in codebook["categories"]] == [
        ("C1", "M1", "Feelings"),   # "Feelings" is coded itself: it gets its own concept
        ("C2", "M1", "anger"), ("C3", "M1", "joy"), ("C4", "M2", "Trust")]
    assert [(c["id"], c["parent"], c["label"]) for c in codebook["concepts"]] == [
        ("c1", "C1", "Feelings"), ("c2", "C2", "anger"), ("c3", "C3", "joy"),
        ("c4", "C4", "Trust")]
    assert codebook["main_categories"][0]["definition"] == "How people feel"
    code_map = {r["code_name"]: r for r in _read_csv(study / "config/refi_code_map.csv")}
    assert code_map["Feelings::anger"]["concept_id"] == "c2"
    assert code_map["Feelings::anger"]["code_path"] == "Feelings > anger"

    assert summary["coders"] == ["Ana", "Bo_Li"]
    ana = _read_csv(study / "data/coding/Ana.csv")
    bo = _read_csv(study / "data/coding/Bo_Li.csv")
    doc = "Interview_1_Ana"
    assert [(r["doc_id"], r["quote"], r["concept_id"]) for r in ana] == [
        (doc, "I felt angry 😤 about the app.", "c1"), (doc, "angry 😤", "c2")]
    # the whole-document coding spans the text
    assert [(r["quote"], r["concept_id"], r["start"], r["end"]) for r in bo] == [
        (ATLAS_TEXT, "c4", "0", str(len(ATLAS_TEXT))), ("glad", "c3",
         str(ATLAS_TEXT.index("glad")), str(ATLAS_TEXT.index("glad") + 4))]
    meta, body = _front_matter_and_body(study / "data/raw/interviews" / f"{doc}.txt")
    assert meta["date"] == dt.date(2024, 3, 5)
    assert body == ATLAS_TEXT
    notes = _read_csv(study / "config/refi_notes.csv")
    assert notes == [{"note_guid": guid(60), "name": "Anger memo", "user": "Ana",
                      "refers_to": f"selection:{guid(30)}",
                      "text": "Anger is aimed at the app.\nFollow up."}]
    config = yaml.safe_load((study / "config/config.yaml").read_text(encoding="utf-8"))
    assert config["study"] == {"name": "Feelings_study", "title": "Feelings study"}


def test_refuses_to_overwrite_a_study(tmp_path):
    qdpx = build_atlas_qdpx(tmp_path / "atlas.qdpx")
    import_into_study(qdpx, tmp_path / "study")
    with pytest.raises(InputError, match="already exists"):
        import_into_study(qdpx, tmp_path / "study")
    assert import_into_study(qdpx, tmp_path / "study", overwrite=True)["codes"] == 4


def test_missing_date_defaults(tmp_path):
    qdpx = build_atlas_qdpx(tmp_path / "atlas.qdpx")
    import zipfile

    with zipfile.ZipFile(qdpx) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["Project.qde"] = members["Project.qde"].replace(
        b' creationDateTime="2024-03-05T10:00:00Z"', b"")
    undated = tmp_path / "undated.qdpx"
    with zipfile.ZipFile(undated, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    import_into_study(undated, tmp_path / "s")
    meta, _ = _front_matter_and_body(tmp_path / "s/data/raw/interviews/Interview_1_Ana.txt")
    assert meta["date"] == dt.date(1970, 1, 1)


def test_slugs():
    assert safe_slug("访谈 01 (李)") == "访谈_01_李"
    assert safe_slug("访谈", ascii_only=True, fallback="x") == "x"
    assert unique_slugs(["a b", "a_b", "A b", ""], fallback="doc") == ["a_b", "a_b-2", "A_b-3",
                                                                     "doc"]


def test_gtflow_export_imports_with_its_own_core(tmp_path):
    """write_project → import_into_study keeps core/main/category/concept levels and codings."""
    import pandas as pd

    from gtflow.refi import write_project

    text = "问：为什么？\n答：考核排名，天天打卡。"
    codebook = {
        "core": {"id": "CORE", "label": "伪创新", "definition": "核心"},
        "main_categories": [{"id": "AA1", "label": "压力"}],
        "categories": [{"id": "A1", "parent": "AA1", "label": "上级压力"}],
        "concepts": [{"id": "a1", "parent": "A1", "label": "考核排名"},
                     {"id": "a2", "parent": "A1", "label": "打卡"}],
    }
    start = text.index("天天打卡")
    codings = pd.DataFrame([{"doc_id": "i1", "start": start, "end": start + 4,
                             "concept_id": "a2", "coder": "li"}])
    qdpx = write_project(tmp_path / "g.qdpx", sources=[("i1", "访谈1", text)],
                         codebook=codebook, codings=codings, project_name="伪创新研究")
    import_into_study(qdpx, tmp_path / "s")
    imported = yaml.safe_load((tmp_path / "s/config/codebook.yaml").read_text(encoding="utf-8"))
    assert imported["language"] == "zh"
    assert imported["core"]["label"] == "伪创新"
    assert [m["label"] for m in imported["main_categories"]] == ["压力"]
    assert [c["label"] for c in imported["categories"]] == ["上级压力"]
    assert [c["label"] for c in imported["concepts"]] == ["考核排名", "打卡"]
    rows = _read_csv(tmp_path / "s/data/coding/li.csv")
    assert [(r["doc_id"], r["quote"], r["concept_id"]) for r in rows] == [("访谈1", "天天打卡", "c2")]
    code_map = _read_csv(tmp_path / "s/config/refi_code_map.csv")
    assert [r["gtflow_id"] for r in code_map] == ["CORE", "M1", "C1", "c1", "c2"]


# ----------------------------------------------------------------------------- partial projects

def build_mixed_project(path):
    """Two readable text sources beside a PDF, an audio and a picture source and a text source
    whose file is missing from the archive."""
    from refi_fixtures import QDA_NS, make_qdpx

    text = "Nurse: The tablet logged me out twice.\nThen I used paper again."
    start = text.index("logged me out")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {QDA_NS} name="Tablets" origin="NVivo 14">
  <Users><User guid="{guid(1)}" name="Ana"/></Users>
  <CodeBook><Codes>
    <Code guid="{guid(10)}" name="Barriers" isCodable="true" color="#aa0000">
      <Code guid="{guid(11)}" name="Logouts" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <PDFSource guid="{guid(20)}" name="Ward policy.pdf" path="internal://{guid(20)}.pdf">
      <PDFSelection guid="{guid(30)}" page="1" firstX="1" firstY="1" secondX="9" secondY="9">
        <Coding guid="{guid(40)}" creatingUser="{guid(1)}"><CodeRef targetGUID="{guid(10)}"/></Coding>
      </PDFSelection>
    </PDFSource>
    <TextSource guid="{guid(21)}" name="Interview 1" plainTextPath="internal://{guid(21)}.txt">
      <PlainTextSelection guid="{guid(31)}" startPosition="{start}" endPosition="{start + 13}"
          creatingUser="{guid(1)}">
        <Coding guid="{guid(41)}" creatingUser="{guid(1)}"><CodeRef targetGUID="{guid(11)}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <AudioSource guid="{guid(22)}" name="Interview 2 audio" path="internal://{guid(22)}.m4a"/>
    <TextSource guid="{guid(23)}" name="Interview 2" plainTextPath="internal://{guid(23)}.txt"/>
    <PictureSource guid="{guid(24)}" name="Nurses station.jpg" path="internal://{guid(24)}.jpg"/>
    <TextSource guid="{guid(25)}" name="Interview 3">
      <PlainTextContent>Nobody asked us.</PlainTextContent>
    </TextSource>
  </Sources>
</Project>
"""
    return make_qdpx(path, qde, {f"sources/{guid(21)}.txt": text.encode("utf-8"),
                                 f"sources/{guid(20)}.pdf": b"%PDF-1.4"})


def test_a_partial_project_imports_its_codebook_and_text_sources(tmp_path):
    summary = import_into_study(build_mixed_project(tmp_path / "mixed.qdpx"), tmp_path / "s")
    assert summary["documents"] == ["Interview_1", "Interview_3"]
    assert summary["codes"] == 2 and summary["codings_written"] == 1
    assert summary["skipped"] == {"PDF source": 1, "audio source": 1, "missing text file": 1,
                                  "picture source": 1}
    assert summary["warnings"] == [
        (f"source 'Interview 2': its text file 'internal://{guid(23)}.txt' is missing from the "
         "project; skipped"),
        "PDF source 'Ward policy.pdf' skipped: only text sources are imported",
        "audio source 'Interview 2 audio' skipped: only text sources are imported",
        "picture source 'Nurses station.jpg' skipped: only text sources are imported"]
    rows = _read_csv(tmp_path / "s/data/coding/Ana.csv")
    assert [(r["doc_id"], r["quote"]) for r in rows] == [("Interview_1", "logged me out")]
    codebook = yaml.safe_load((tmp_path / "s/config/codebook.yaml").read_text(encoding="utf-8"))
    assert codebook["main_categories"][0]["color"] == "#aa0000"


def test_strict_import_stops_at_a_missing_text_file(tmp_path):
    with pytest.raises(InputError, match="'Interview 2': its text file .* is missing"):
        import_into_study(build_mixed_project(tmp_path / "mixed.qdpx"), tmp_path / "s",
                          strict=True)
    assert not (tmp_path / "s" / "config" / "codebook.yaml").exists()


def test_the_import_command_warns_once_per_skipped_source_and_sums_up(tmp_path, capsys):
    from gtflow.cli import main

    project = build_mixed_project(tmp_path / "mixed.qdpx")
    assert main(["import-qdpx", str(project), "--into", str(tmp_path / "s")]) == 0
    captured = capsys.readouterr()
    warnings = captured.err.strip().splitlines()
    assert len(warnings) == 4 and all(w.startswith("gtflow: warning: ") for w in warnings)
    assert captured.out.strip().splitlines()[-1] == (
        "imported 2 text source(s), 2 code(s), 1 coding(s) by 1 coder(s); skipped 4 source(s) "
        "(1 PDF source, 1 audio source, 1 missing text file, 1 picture source)")
    assert main(["import-qdpx", str(project), "--into", str(tmp_path / "t"), "--strict"]) == 1
    assert "is missing from the project" in capsys.readouterr().err
