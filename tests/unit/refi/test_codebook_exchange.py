"""REFI Codebook Exchange (.qdc): export valid against Codebook.xsd, import keeping hierarchy,
descriptions and colours, and the round trip between them."""

from __future__ import annotations

import pytest
import yaml
from lxml import etree
from refi_fixtures import QDA_NS, guid, make_qdpx

from gtflow.cli import main
from gtflow.coding.codebook import load_codebook
from gtflow.errors import InputError
from gtflow.refi import import_codebook_into_study, read_codebook, write_codebook
from gtflow.refi.writer import build_codebook_xml

Q = "{urn:QDA-XML:codebook:1.0}"

CODEBOOK = {
    "core": {"id": "CORE", "label": "Abandoned tablets", "definition": "Why the app was dropped",
             "color": "#334455"},
    "main_categories": [{"id": "AA1", "label": "Workload", "definition": "Extra work",
                         "color": "#ff0000"},
                        {"id": "AA2", "label": "Trust", "color": ""}],
    "categories": [{"id": "A1", "parent": "AA1", "label": "Double entry", "color": "#00ff00"},
                   {"id": "A2", "parent": "AA2", "label": "Privacy worries"}],
    "concepts": [{"id": "a1", "parent": "A1", "label": "Paper and tablet", "definition":
                  "Writing the same note twice", "color": "#0000ff"},
                 {"id": "a2", "parent": "A1", "label": "Logins <slow> & \"clunky\""},
                 {"id": "a3", "parent": "A2", "label": "Who reads it"}],
}


def tree_of(qdc: bytes) -> list:
    """(name, description, colour, children) of every code, nested as in the file."""
    def walk(parent):
        return [(code.get("name"), code.findtext(f"{Q}Description") or "", code.get("color"),
                 walk(code)) for code in parent.findall(f"{Q}Code")]
    return walk(etree.fromstring(qdc).find(f"{Q}Codes"))


def test_the_codebook_export_validates_against_the_refi_schema(tmp_path, codebook_xsd):
    path = write_codebook(tmp_path / "codebook.qdc", CODEBOOK)
    schema = etree.XMLSchema(etree.parse(str(codebook_xsd)))
    schema.assertValid(etree.parse(str(path)))


def test_the_export_nests_codes_with_their_descriptions_and_colours():
    core, = tree_of(build_codebook_xml(CODEBOOK))
    assert core[:3] == ("Abandoned tablets", "Why the app was dropped", "#334455")
    workload, trust = core[3]
    assert workload[:3] == ("Workload", "Extra work", "#ff0000")
    assert trust[:3] == ("Trust", "", None)  # no colour, no attribute
    (double_entry, _, colour, concepts), = workload[3]
    assert (double_entry, colour) == ("Double entry", "#00ff00")
    assert [c[:3] for c in concepts] == [("Paper and tablet", "Writing the same note twice",
                                          "#0000ff"),
                                         ('Logins <slow> & "clunky"', "", None)]


def test_the_export_is_deterministic():
    assert build_codebook_xml(CODEBOOK) == build_codebook_xml(dict(CODEBOOK))


def test_a_gtflow_codebook_round_trips_through_qdc(tmp_path):
    first = write_codebook(tmp_path / "first.qdc", CODEBOOK)
    summary = import_codebook_into_study(first, tmp_path / "study")
    assert summary["codes"] == 8 and summary["colours"] == 4
    book = load_codebook(tmp_path / "study" / "config" / "codebook.yaml")
    # gtflow's own core is unwrapped again: the same four levels, ids renumbered
    assert book.core["label"] == "Abandoned tablets" and book.core.get("color") == "#334455"
    assert [(m["label"], m.get("color", "")) for m in book.main_categories] == \
        [("Workload", "#ff0000"), ("Trust", "")]
    hierarchy = book.hierarchy()
    assert list(zip(hierarchy["concept"], hierarchy["category"], hierarchy["main_category"],
                    strict=True)) == [
        ("Paper and tablet", "Double entry", "Workload"),
        ('Logins <slow> & "clunky"', "Double entry", "Workload"),
        ("Who reads it", "Privacy worries", "Trust")]
    assert book.concepts[0]["definition"] == "Writing the same note twice"
    assert book.concepts[0]["color"] == "#0000ff"
    # ... and exported again, the file says the same (only the GUIDs, made from ids, differ)
    second = write_codebook(tmp_path / "second.qdc", {
        "core": book.core, "main_categories": book.main_categories,
        "categories": book.categories, "concepts": book.concepts})
    assert tree_of(second.read_bytes()) == tree_of(first.read_bytes())


NVIVO_QDC = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14">
  <Codes>
    <Code guid="{guid(10)}" name="Barriers" isCodable="true" color="#A00">
      <Description>What stood in the way</Description>
      <Code guid="{guid(11)}" name="Time" isCodable="true" color="#C0FFEE">
        <Code guid="{guid(12)}" name="Shift handover" isCodable="true">
          <Description>Tablets at handover</Description>
          <Code guid="{guid(13)}" name="Night shift" isCodable="true"/>
        </Code>
      </Code>
      <Code guid="{guid(14)}" name="Wifi" isCodable="true" color="not-a-colour"/>
    </Code>
    <Code guid="{guid(20)}" name="Benefits" isCodable="false"/>
  </Codes>
  <Sets><Set guid="{guid(30)}" name="Set one"><MemberCode guid="{guid(12)}"/></Set></Sets>
</CodeBook>
"""


def test_a_vendor_codebook_keeps_hierarchy_descriptions_and_colours(tmp_path):
    path = tmp_path / "nvivo.qdc"
    path.write_text(NVIVO_QDC, encoding="utf-8")
    project = read_codebook(path)
    assert project.vendor == "nvivo"
    assert [(c.name, c.color) for c in project.codes] == [
        ("Barriers", "#aa0000"), ("Time", "#c0ffee"), ("Shift handover", ""),
        ("Night shift", ""), ("Wifi", ""), ("Benefits", "")]
    import_codebook_into_study(path, tmp_path / "study")
    raw = yaml.safe_load((tmp_path / "study" / "config" / "codebook.yaml").read_text("utf-8"))
    book = load_codebook(tmp_path / "study" / "config" / "codebook.yaml")
    assert raw["language"] == "en"
    assert [(m["label"], m.get("color")) for m in book.main_categories] == \
        [("Barriers", "#aa0000"), ("Benefits", None)]
    assert book.main_categories[0]["definition"] == "What stood in the way"
    assert [(c["label"], c.get("color")) for c in book.categories] == \
        [("Time", "#c0ffee"), ("Wifi", None), ("Benefits", None)]
    concepts = {c["label"]: c for c in book.concepts}
    assert set(concepts) == {"Shift handover", "Shift handover / Night shift", "Wifi",
                             "Benefits"}
    assert concepts["Shift handover"]["definition"] == "Tablets at handover"
    assert book.by_id[concepts["Shift handover / Night shift"]["parent"]]["label"] == "Time"
    code_map = (tmp_path / "study" / "config" / "refi_code_map.csv").read_text("utf-8")
    assert code_map.count("\n") == 1 + 6  # header and one row per code


def test_import_qdc_refuses_to_replace_a_codebook_unless_asked(tmp_path):
    path = tmp_path / "nvivo.qdc"
    path.write_text(NVIVO_QDC, encoding="utf-8")
    import_codebook_into_study(path, tmp_path / "study")
    with pytest.raises(InputError, match="exists already; pass --overwrite"):
        import_codebook_into_study(path, tmp_path / "study")
    assert import_codebook_into_study(path, tmp_path / "study", overwrite=True)["codes"] == 6


@pytest.mark.parametrize("content, message", [
    (f"<Project {QDA_NS} name='p'/>", "is a REFI-QDA project, not a codebook"),
    ("<CodeBook><Codes></Codes></CodeBook>", "holds no codes"),
    ("<CodeBook><Codes>", "is not well-formed XML"),
    ("<Something/>", "the root element is <Something>, not <CodeBook>"),
])
def test_what_is_not_a_codebook_is_one_line(tmp_path, content, message):
    path = tmp_path / "x.qdc"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_codebook(path)


def test_a_project_archive_handed_to_import_qdc_points_to_import_qdpx(tmp_path):
    archive = make_qdpx(tmp_path / "p.qdpx", f"<Project {QDA_NS} name='p'/>")
    with pytest.raises(InputError, match="import it with 'gtflow import-qdpx FILE"):
        read_codebook(archive)


def test_the_import_qdc_command(tmp_path, capsys):
    path = tmp_path / "nvivo.qdc"
    path.write_text(NVIVO_QDC, encoding="utf-8")
    assert main(["import-qdc", str(path), "--into", str(tmp_path / "study")]) == 0
    out = capsys.readouterr().out
    assert "main_categories: M1 Barriers, M2 Benefits" in out and "colours: 2" in out
    assert main(["import-qdc", str(path), "--into", str(tmp_path / "study")]) == 1
    assert "pass --overwrite" in capsys.readouterr().err
    assert main(["import-qdpx", str(path), "--into", str(tmp_path / "other")]) == 1
    assert "import it with 'gtflow import-qdc FILE --into STUDY'" in capsys.readouterr().err
