"""Reading REFI-QDA projects: the real NVivo sample and small vendor-style projects."""

from __future__ import annotations

from pathlib import Path

import pytest
from refi_fixtures import (
    ATLAS_TEXT,
    QDA_NS,
    build_atlas_qdpx,
    guid,
    make_qdpx,
    utf16_units,
)

from gtflow.errors import InputError
from gtflow.refi import detect_vendor, read_project
from gtflow.refi.offsets import OffsetMap, OffsetScheme, is_word_boundary

# Selections whose span, as coded in NVivo, cuts a word: the coder's mouse slipped. They are
# reproduced as written (the NVivo positions convert exactly; see test_nvivo_slips_are_in_data).
NVIVO_CODER_SLIPS = {
    "6db718ec-4186-488b-83dd-ae1dc0942aaa",  # ends after the "A" of "AKI"
    "1f7cdeb8-49ab-4a96-bbdd-ae1dc2115ce2",  # starts after the "J" of "Javitsatok"
    "9ee54e83-9c9d-4bf3-b1dd-ae1dc26ef856",  # ends inside "hiedelem"
}


# ----------------------------------------------------------------------------- NVivo sample

@pytest.fixture(scope="module")
def nvivo(nvivo_sample):
    return read_project(nvivo_sample)


def test_nvivo_counts(nvivo):
    assert nvivo.vendor == "nvivo"
    assert nvivo.origin == "NVivo for Windows 12.6"
    assert [s.name for s in nvivo.sources] == ["videos_selection", "videos_10_selected"]
    assert len(nvivo.codes) == 152
    assert len(nvivo.selections) == 303
    assert sorted(nvivo.users.values()) == ["Gergo", "floriansipos"]
    assert nvivo.warnings == []
    assert all(s.offset_scheme == "utf16, CRLF=2" for s in nvivo.sources)


def test_nvivo_text_is_normalized(nvivo):
    for source in nvivo.sources:
        assert "\r" not in source.text
        assert not source.text.startswith("\ufeff")
        assert source.path.startswith("internal://")
    # raw files: 635 491 and 600 490 characters after the BOM, with 15 272 / 15 273 CRLFs
    assert [len(s.text) for s in nvivo.sources] == [635491 - 15272, 600490 - 15273]


def test_nvivo_code_tree(nvivo):
    codes = {code.guid: code for code in nvivo.codes}
    covid = codes["7142c1bf-1bbe-4073-88dd-ae1dbfec9f8f"]
    assert covid.name == "COVID"
    assert codes[covid.parent_guid].name == "1. Oltás típusa"
    assert codes[covid.parent_guid].description == "COVID vay nem COVID"
    assert sum(code.parent_guid is None for code in nvivo.codes) == 12


def test_nvivo_selections_fall_on_word_boundaries(nvivo):
    texts = {source.guid: source.text for source in nvivo.sources}
    off_boundary = {s.selection_guid for s in nvivo.selections
                    if not (is_word_boundary(texts[s.source_guid], s.start)
                            and is_word_boundary(texts[s.source_guid], s.end))}
    assert off_boundary == NVIVO_CODER_SLIPS
    for selection in nvivo.selections:
        assert selection.quote == texts[selection.source_guid][selection.start:selection.end]
        assert 0 <= selection.start < selection.end <= len(texts[selection.source_guid])


def test_nvivo_slips_are_in_data(nvivo):
    """The three slips are the coder's, not a conversion drift: their neighbours are exact and
    any other counting scheme breaks hundreds of selections."""
    texts = {source.guid: source.text for source in nvivo.sources}
    slips = {s.selection_guid: s for s in nvivo.selections
             if s.selection_guid in NVIVO_CODER_SLIPS}
    text = texts[next(iter(slips.values())).source_guid]
    assert text[slips["1f7cdeb8-49ab-4a96-bbdd-ae1dc2115ce2"].start - 1:][:11] == "Javitsatok "
    assert slips["6db718ec-4186-488b-83dd-ae1dc0942aaa"].quote.endswith("kizsigerelésére, A")
    assert slips["9ee54e83-9c9d-4bf3-b1dd-ae1dc26ef856"].quote.endswith("nem holmi hiede")


def test_other_counting_schemes_misplace_nvivo_selections(nvivo_sample):
    """Evidence for UTF-16/CRLF=2: counting code points instead breaks most selections."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(nvivo_sample) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        raw = archive.read("Sources/68bbdc14-c361-4432-b4dd-ae1dbfc12890.txt").decode("utf-8-sig")
    spans = [(int(e.get("startPosition")), int(e.get("endPosition")))
             for e in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection")]
    text = raw.replace("\r\n", "\n")

    def misses(scheme):
        offsets = OffsetMap(raw, scheme)
        return sum(not (is_word_boundary(text, offsets.to_codepoint(a))
                        and is_word_boundary(text, offsets.to_codepoint(b, round_up=True)))
                   for a, b in spans)

    assert misses(OffsetScheme("utf16", 2)) == 3
    assert misses(OffsetScheme("codepoint", 2)) > 200
    assert misses(OffsetScheme("utf16", 1)) > 200


@pytest.mark.parametrize(("selection_guid", "quote", "code"), [
    ("7154a758-6873-4134-badd-ae1dc04d3086",
     ("Senkit nem lehet kötelezni oltásra, ilyet csak ostoba korlátolt agyi kapacitással "
      "rendelkező emberhulladék hozhat aki nem szaporodhat és nem élhet."), "piros"),
    ("a9504413-3306-4dbc-a6dd-ae1dc06dbff2", "tudatos hal äl reklám, hatalmas árulás", "piros"),
    ("9d5ea80a-9fb7-4420-8fdd-ae1dc0ab0a83",
     "Rohadt életbe, hogy az emberre rá akarnak erőszakolni valamit, ami csak ajánlott 😤😤😤",
     None),
    # a whole emoji ZWJ sequence (facepalm, skin tone, ZWJ, female sign, VS16) at the very end
    ("bfcfc7aa-d26c-49ae-bbdd-ae1dc0c7e28c",
     "Süket duma!!!!! Olyan szintű népbutítás megy hogy az valami eszméletlen 🤦🏼\u200d♀️",
     None),
    ("00f0cbf5-ea21-46d7-a0dd-ae1dc300b366", "Nem tehetik kötelezővé! 😡😡", None),
    ("63f8f5d3-a7fb-41af-89dd-ae1dc0f6d6d5",
     "Mi az a fityesznek? Akkor írják át amikor akarják 🤣🤣🤣", None),
])
def test_nvivo_quotes_read_by_eye(nvivo, selection_guid, quote, code):
    codes = {c.guid: c.name for c in nvivo.codes}
    found = [s for s in nvivo.selections if s.selection_guid == selection_guid]
    assert found, selection_guid
    assert found[0].quote == quote
    assert found[0].user == "Gergo"
    text = nvivo.source(found[0].source_guid).text
    # each of these is a whole comment: the next character ends the line
    assert text[found[0].end] == "\n"
    if code is not None:
        assert codes[found[0].code_guid] == code


# ----------------------------------------------------------------------------- ATLAS.ti

def test_atlas_style_project(tmp_path):
    project = read_project(build_atlas_qdpx(tmp_path / "atlas.qdpx"))
    assert project.vendor == "atlasti"
    assert project.name == "Feelings study"
    source = project.sources[0]
    assert source.text == ATLAS_TEXT
    assert source.offset_scheme == "codepoint, CRLF=1"
    assert source.created == "2024-03-05T10:00:00Z"
    quotes = {(s.quote, project.code(s.code_guid).name, s.user) for s in project.selections
              if not s.whole_document}
    assert quotes == {("angry 😤", "Feelings::anger", "Ana"),
                      ("I felt angry 😤 about the app.", "Feelings", "Ana"),
                      ("glad", "Feelings::joy", "Bo Li")}
    whole = [s for s in project.selections if s.whole_document]
    assert [(w.start, w.end, w.user, project.code(w.code_guid).name) for w in whole] == \
        [(0, len(ATLAS_TEXT), "Bo Li", "Trust")]
    anger = next(s for s in project.selections if s.quote == "angry 😤")
    assert anger.description == "strong word"
    note = project.notes[0]
    assert note.text == "Anger is aimed at the app.\nFollow up."
    assert note.user == "Ana"
    assert note.refers_to == (("selection", guid(30)),)


# ----------------------------------------------------------------------------- MAXQDA (bare .qde)

def test_bare_qde_without_namespace_braced_guids(tmp_path):
    raw = "Zeile eins 😀 gut\r\nZeile zwei: schlecht\r\n"
    bad_start = raw.index("schlecht")  # standard: code points on the raw file, CRLF as 2
    upper = "{" + guid(10).upper() + "}"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="MQ" origin="MAXQDA 2022 (Release 22.0.1)">
  <Users><User guid="{{{guid(1).upper()}}}" name="Mia"/></Users>
  <CodeBook><Codes>
    <Code guid="{upper}" name="Bewertung" isCodable="true">
      <Code guid="{guid(11)}" name="negativ" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{guid(20)}" name="Zeilen" plainTextPath="internal://zeilen.txt">
      <PlainTextSelection guid="{guid(30)}" startPosition="{bad_start}"
          endPosition="{bad_start + 8}" creatingUser="{guid(1)}">
        <Coding guid="{guid(40)}" creatingUser="{{{guid(1).upper()}}}">
          <CodeRef targetGUID="{guid(11).upper()}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{guid(31)}" startPosition="6" endPosition="12">
        <Coding guid="{guid(41)}"><CodeRef targetGUID="{upper}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""
    (tmp_path / "Sources").mkdir()
    (tmp_path / "Sources" / "zeilen.txt").write_bytes(raw.encode("utf-8"))
    (tmp_path / "mq.qde").write_text(qde, encoding="utf-8")
    project = read_project(tmp_path / "mq.qde")
    assert project.vendor == "maxqda"
    assert project.codes[1].parent_guid == guid(10)
    assert sorted((s.quote, s.user) for s in project.selections) == \
        [("eins 😀", "unknown"), ("schlecht", "Mia")]
    assert project.sources[0].offset_scheme == "codepoint, CRLF=2"


# ----------------------------------------------------------------------------- QualCoder

def test_qualcoder_inline_text_nested_codes(tmp_path):
    text = "问：这个应用好用吗？\n答：不好用，天天要打卡。"
    start = text.index("天天要打卡")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {QDA_NS} name="打卡研究" origin="QualCoder 3.5">
  <Users><User guid="{guid(1)}" name="coder1"/></Users>
  <CodeBook><Codes>
    <Code guid="{guid(10)}" name="负担" isCodable="true">
      <Code guid="{guid(11)}" name="形式负担" isCodable="true">
        <Code guid="{guid(12)}" name="打卡" isCodable="true"/>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{guid(20)}" name="访谈01">
      <PlainTextContent>{text}</PlainTextContent>
      <PlainTextSelection guid="{guid(30)}" startPosition="{start}" endPosition="{start + 5}"
          creatingUser="{guid(1)}">
        <Coding guid="{guid(40)}" creatingUser="{guid(1)}"><CodeRef targetGUID="{guid(12)}"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""
    project = read_project(make_qdpx(tmp_path / "qc.qdpx", qde))
    assert project.vendor == "qualcoder"
    assert project.sources[0].path == "inline"
    assert [s.quote for s in project.selections] == ["天天要打卡"]
    assert [c.parent_guid for c in project.codes] == [None, guid(10), guid(11)]


# ----------------------------------------------------------------------------- heuristics

def _one_code_project(origin_attribute: str, spans: list[tuple[int, int]]) -> str:
    """A project with one code and one source file (Sources/e.txt) coded at the given spans."""
    selections = "".join(
        f"""<PlainTextSelection guid="{guid(30 + i)}" startPosition="{a}" endPosition="{b}">
        <Coding guid="{guid(40 + i)}"><CodeRef targetGUID="{guid(10)}"/></Coding>
      </PlainTextSelection>""" for i, (a, b) in enumerate(spans))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project {QDA_NS} name="E" {origin_attribute}>
  <CodeBook><Codes><Code guid="{guid(10)}" name="mood" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{guid(20)}" name="e" plainTextPath="internal://e.txt">{selections}
    </TextSource>
  </Sources>
</Project>
"""


def _spans(raw: str, words: list[str], measure) -> list[tuple[int, int]]:
    """Vendor spans of the words in the raw text, ``measure`` giving a prefix's length."""
    spans = []
    for word in words:
        index = raw.index(word)
        spans.append((measure(raw[:index]), measure(raw[:index + len(word)])))
    return spans


def test_unknown_origin_picks_utf16_when_words_say_so(tmp_path):
    raw = "😀😀😀 hello\r\nworld 😀 bright\r\n"
    qde = _one_code_project("", _spans(raw, ["hello", "world", "bright"], utf16_units))
    path = make_qdpx(tmp_path / "u.qdpx", qde, {"Sources/e.txt": raw.encode("utf-8")})
    project = read_project(path)
    assert project.vendor == "unknown"
    assert project.sources[0].offset_scheme == "utf16, CRLF=2"
    assert [s.quote for s in project.selections] == ["hello", "world", "bright"]


def test_taguette_utf8_bytes(tmp_path):
    raw = "拒绝 😀 hello\nworld!! 打卡 ok"
    spans = _spans(raw, ["hello", "world", "打卡"], lambda prefix: len(prefix.encode("utf-8")))
    qde = _one_code_project('origin="Taguette 1.4.1"', spans)
    path = make_qdpx(tmp_path / "t.qdpx", qde, {"Sources/e.txt": raw.encode("utf-8")})
    project = read_project(path)
    assert project.vendor == "taguette"
    assert [s.quote for s in project.selections] == ["hello", "world", "打卡"]


def test_detect_vendor():
    assert detect_vendor("NVivo 14") == "nvivo"
    assert detect_vendor("ATLAS.ti Mac") == "atlasti"
    assert detect_vendor("MAXQDA 2020") == "maxqda"
    assert detect_vendor("f4analyse") == "f4"
    assert detect_vendor("", code_names=["a::b"]) == "atlasti"
    assert detect_vendor("", qde_name="Project.qde") == "atlasti"
    assert detect_vendor("", text_paths=["internal://x.docx", "internal://x.txt"]) == "nvivo"
    assert detect_vendor("") == "unknown"


# ----------------------------------------------------------------------------- bad input

def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_project(tmp_path / "nothing.qdpx")


def test_broken_xml_names_the_line(tmp_path):
    path = make_qdpx(tmp_path / "b.qdpx", "<Project name='x'>\n<Users>\n</Project>")
    with pytest.raises(InputError) as caught:
        read_project(path)
    assert caught.value.line == 3


def test_wrong_root(tmp_path):
    path = make_qdpx(tmp_path / "c.qdpx", "<Sources/>")
    with pytest.raises(InputError, match="not <Project>"):
        read_project(path)


def test_a_codebook_exchange_file_points_to_import_qdc(tmp_path):
    path = tmp_path / "codes.qdc"
    path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                    f'<Code guid="{guid(10)}" name="mood" isCodable="true"/></Codes></CodeBook>',
                    encoding="utf-8")
    with pytest.raises(InputError, match="is a REFI-QDA codebook \\(.qdc\\), not a project; "
                                         "import it with 'gtflow import-qdc FILE --into STUDY'"):
        read_project(path)


def test_missing_source_text(tmp_path):
    qde = f"""<Project {QDA_NS} name="x"><Sources>
      <TextSource guid="{guid(20)}" name="lost" plainTextPath="internal://lost.txt"/>
    </Sources></Project>"""
    with pytest.raises(InputError, match="'lost'.*missing"):
        read_project(make_qdpx(tmp_path / "m.qdpx", qde))


def test_zip_without_qde(tmp_path):
    import zipfile

    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(InputError, match="no project.qde"):
        read_project(path)


def test_unknown_code_reference_is_warned(tmp_path):
    qde = f"""<Project {QDA_NS} name="x"><Sources>
      <TextSource guid="{guid(20)}" name="s"><PlainTextContent>abc def</PlainTextContent>
        <PlainTextSelection guid="{guid(30)}" startPosition="0" endPosition="3">
          <Coding guid="{guid(40)}"><CodeRef targetGUID="{guid(99)}"/></Coding>
        </PlainTextSelection>
      </TextSource></Sources></Project>"""
    project = read_project(make_qdpx(tmp_path / "w.qdpx", qde))
    assert project.selections == []
    assert "unknown code" in project.warnings[0]


def test_read_accepts_str_path(tmp_path):
    path = build_atlas_qdpx(tmp_path / "a.qdpx")
    assert read_project(str(path)).sources[0].name == "Interview 1 (Ana)"
    assert isinstance(Path(read_project(path).path), Path)


def test_external_source_is_read_only_from_the_allowed_folder(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "one.txt").write_text("Trust came late.\r\nIt stayed.", encoding="utf-8")
    qde = f"""<Project {QDA_NS} name="x" basePath="{texts}"><Sources>
      <TextSource guid="{guid(20)}" name="one" plainTextPath="relative://one.txt"/>
    </Sources></Project>"""
    path = make_qdpx(tmp_path / "e.qdpx", qde)
    with pytest.raises(InputError, match=r"source 'one' points outside the project "
                                         r"\(relative://one.txt\).*--external-sources DIR"):
        read_project(path)
    assert read_project(path, external_sources=texts).sources[0].text == \
        "Trust came late.\nIt stayed."
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(InputError, match=r"outside the folder allowed by --external-sources"):
        read_project(path, external_sources=elsewhere)


def test_limits_apply_to_sources_inside_the_archive(tmp_path):
    from gtflow.limits import default_limits

    qde = f"""<Project {QDA_NS} name="x"><Sources>
      <TextSource guid="{guid(20)}" name="big" plainTextPath="internal://big.txt"/>
    </Sources></Project>"""
    path = make_qdpx(tmp_path / "b.qdpx", qde, {"Sources/big.txt": b"a" * 2_000_000})
    small = default_limits().with_overrides(source_mb=1)
    with pytest.raises(InputError, match="member Sources/big.txt unpacks to more than 1 MB"):
        read_project(path, limits=small)
    assert len(read_project(path).sources[0].text) == 2_000_000


@pytest.mark.parametrize("folder", ["sources", "Sources"])
def test_source_texts_are_found_under_either_spelling_of_the_folder(tmp_path, folder):
    raw = "I felt angry about the app.\n"
    start = raw.index("angry")
    qde = _one_code_project('origin="QualCoder 3.5"', [(start, start + 5)])
    archive = make_qdpx(tmp_path / "a.qdpx", qde, {f"{folder}/e.txt": raw.encode("utf-8")})
    assert [s.quote for s in read_project(archive).selections] == ["angry"]
    # a bare .qde beside its folder on disk, where names are case-sensitive
    (tmp_path / "disk" / folder).mkdir(parents=True)
    (tmp_path / "disk" / folder / "e.txt").write_bytes(raw.encode("utf-8"))
    (tmp_path / "disk" / "p.qde").write_text(qde, encoding="utf-8")
    assert [s.quote for s in read_project(tmp_path / "disk" / "p.qde").selections] == ["angry"]
