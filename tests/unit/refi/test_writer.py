"""Writing .qdpx: schema-valid, deterministic, and read back to the same codings."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from lxml import etree
from refi_fixtures import zipfile_member

from gtflow.errors import InputError
from gtflow.refi import gtflow_guid, read_project, write_project

CODEBOOK = {
    "version": 1,
    "language": "zh",
    "core": {"id": "CORE", "label": "伪创新的生成", "label_en": "Pseudo-innovation",
             "definition": "核心范畴"},
    "main_categories": [{"id": "AA1", "label": "压力机制", "definition": "来自上级的压力"},
                        {"id": "AA2", "label": "后果"}],
    "categories": [{"id": "A1", "parent": "AA1", "label": "上级压力"},
                   {"id": "A2", "parent": "AA2", "label": "负担"}],
    "concepts": [{"id": "a1", "parent": "A1", "label": "考核排名", "definition": "排名通报",
                  "rules": {"any": ["排名"]}},
                 {"id": "a2", "parent": "A2", "label": "打卡负担"},
                 {"id": "a3", "parent": "A2", "label": "群众不用 <app> & \"引号\""}],
}
SOURCES = [
    ("int01", "访谈 01", "问：为什么用这个App？\n答：上面考核排名😤，天天打卡。\n"),
    ("web02", "Post <2>", "No one uses it 🤦🏼\u200d♀️ at all.\r\nReally."),
]


def _codings(sources=SOURCES) -> pd.DataFrame:
    rows = []
    text = sources[0][2]
    for quote, concept, coder in [("考核排名😤", "a1", "li"), ("天天打卡", "a2", "li"),
                                  ("天天打卡", "a2", "wang"), ("考核排名", "a1", "wang")]:
        start = text.index(quote)
        rows.append({"doc_id": "int01", "start": start, "end": start + len(quote),
                     "concept_id": concept, "coder": coder})
    other = sources[1][2]
    start = other.index("No one")
    rows.append({"doc_id": "web02", "start": start, "end": other.index(" at all"),
                 "concept_id": "a3", "coder": "li"})
    start = other.index("Really")
    rows.append({"doc_id": "web02", "start": start, "end": start + 6, "concept_id": "a3",
                 "coder": "wang"})
    return pd.DataFrame(rows)


def _write(path, codings=None, sources=SOURCES):
    return write_project(path, sources=sources, codebook=CODEBOOK,
                         codings=_codings() if codings is None else codings,
                         project_name="测试项目")


def test_project_validates_against_refi_schema(tmp_path, project_xsd):
    path = _write(tmp_path / "out.qdpx")
    schema = etree.XMLSchema(etree.parse(str(project_xsd)))
    with zipfile.ZipFile(path) as archive:
        document = etree.fromstring(archive.read("project.qde"))
    schema.assertValid(document)


def test_archive_layout_and_text_files(tmp_path):
    path = _write(tmp_path / "out.qdpx")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        # the standard's lower-case folder, which NVivo for Mac, QualCoder and qc read
        assert names == ["project.qde"] + [f"sources/{gtflow_guid('source', doc)}.txt"
                                           for doc, _, _ in SOURCES]
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read(names[1]).decode("utf-8") == SOURCES[0][2]
        root = etree.fromstring(archive.read("project.qde"))
    q = "{urn:QDA-XML:project:1.0}"
    core = root.find(f"{q}CodeBook/{q}Codes/{q}Code")
    assert core.get("name") == "伪创新的生成"
    assert [c.get("name") for c in core.findall(f"{q}Code")] == ["压力机制", "后果"]
    concept = core.find(f"{q}Code/{q}Code/{q}Code")
    assert (concept.get("name"), concept.findtext(f"{q}Description")) == ("考核排名", "排名通报")
    assert sorted(u.get("name") for u in root.iter(f"{q}User")) == ["li", "wang"]


def test_two_writes_are_byte_identical(tmp_path):
    first = _write(tmp_path / "a.qdpx").read_bytes()
    # row order of the input must not matter either
    second = _write(tmp_path / "b.qdpx", codings=_codings().iloc[::-1]).read_bytes()
    assert first == second


def test_round_trip_keeps_codings(tmp_path):
    # gtflow's clean texts use "\n" only; then read-back offsets equal the written ones
    sources = [(doc, name, text.replace("\r\n", "\n")) for doc, name, text in SOURCES]
    codings = _codings(sources)
    path = _write(tmp_path / "rt.qdpx", codings=codings, sources=sources)
    project = read_project(path)
    assert project.vendor == "gtflow"
    concept_of = {gtflow_guid("code", c["id"]): c["id"] for c in CODEBOOK["concepts"]}
    doc_of = {gtflow_guid("source", doc): doc for doc, _, _ in SOURCES}
    back = {(doc_of[s.source_guid], s.start, s.end, concept_of[s.code_guid], s.user)
            for s in project.selections}
    expected = {tuple(row) for row in
                codings[["doc_id", "start", "end", "concept_id", "coder"]].itertuples(
                    index=False)}
    assert back == expected
    texts = {doc: text for doc, _, text in sources}
    for selection in project.selections:
        assert selection.quote == texts[doc_of[selection.source_guid]][
            selection.start:selection.end]
    assert len(project.codes) == 1 + 2 + 2 + 3


def test_round_trip_offsets_with_crlf_text(tmp_path):
    """Offsets are code points into the text as given (CRLF = 2); reading normalizes to \\n."""
    project = read_project(_write(tmp_path / "crlf.qdpx"))
    really = [s for s in project.selections if s.quote == "Really"]
    normalized = SOURCES[1][2].replace("\r\n", "\n")
    assert really[0].start == normalized.index("Really")


def test_unknown_concept_is_refused(tmp_path):
    codings = _codings()
    codings.loc[0, "concept_id"] = "zz9"
    with pytest.raises(InputError, match="zz9"):
        _write(tmp_path / "bad.qdpx", codings=codings)
    assert not (tmp_path / "bad.qdpx").exists()
    assert list(tmp_path.iterdir()) == []  # no partial or temporary file left


def test_offsets_outside_document_are_refused(tmp_path):
    codings = _codings()
    codings.loc[0, "end"] = 10_000
    with pytest.raises(InputError, match="outside document"):
        _write(tmp_path / "bad.qdpx", codings=codings)


def test_missing_column_is_refused(tmp_path):
    with pytest.raises(InputError, match="coder"):
        _write(tmp_path / "bad.qdpx", codings=_codings().drop(columns=["coder"]))


def test_empty_codings_still_valid(tmp_path, project_xsd):
    path = _write(tmp_path / "empty.qdpx",
                  codings=pd.DataFrame(columns=["doc_id", "start", "end", "concept_id", "coder"]))
    schema = etree.XMLSchema(etree.parse(str(project_xsd)))
    with zipfile.ZipFile(path) as archive:
        schema.assertValid(etree.fromstring(archive.read("project.qde")))
    assert read_project(path).selections == []


def test_guids_are_the_rfc_4122_uuid5_of_their_names():
    import uuid

    from gtflow.refi.writer import GTFLOW_GUID_NAMESPACE, gtflow_guid

    for kind, parts in [("code", ("a1",)), ("source", ("LY-I04",)), ("user", ("张三",)),
                        ("coding", ("d1", 0, 12, "概念😀", "auto")), ("selection", ())]:
        name = "\x1f".join([kind, *(str(p) for p in parts)])
        assert gtflow_guid(kind, *parts) == str(uuid.uuid5(GTFLOW_GUID_NAMESPACE, name))


def many_sources(count: int) -> tuple[list[tuple[str, str, str]], pd.DataFrame]:
    """``count`` posts (more than one chunk of streamed sources), each coded twice, one coding
    with a description, names and texts with characters XML must escape."""
    sources, rows = [], []
    for number in range(count):
        text = f"第{number}条：上面考核排名😤 <b>&\"天天打卡\"\n第二行。"
        # names and descriptions with every character libxml2 escapes in attributes or text
        sources.append((f"p{number:05d}", f"帖子 <{number}> & co\t\"引\"\r\n'{number % 5}'", text))
        rows.append({"doc_id": f"p{number:05d}", "start": 0, "end": 5, "concept_id": "a1",
                     "coder": "auto",
                     "description": f"any:排名 <{number % 7}> & \"x\"\r\n\t]]>'"})
        if number % 3:
            rows.append({"doc_id": f"p{number:05d}", "start": 2, "end": 9, "concept_id": "a2",
                         "coder": "li", "description": ""})
    return sources, pd.DataFrame(rows)


def test_the_streamed_project_is_the_one_tree_serialization(tmp_path):
    from gtflow.refi.writer import build_project_xml

    sources, codings = many_sources(4500)
    streamed = build_project_xml(sources=sources, codebook=CODEBOOK, codings=codings,
                                 project_name="大项目")
    parser = etree.XMLParser(remove_blank_text=True)
    whole = etree.tostring(etree.fromstring(streamed, parser), xml_declaration=True,
                           encoding="utf-8", pretty_print=True)
    assert streamed == whole
    assert streamed.count(b"<TextSource ") == 4500


def test_uncoded_sources_among_coded_ones_are_the_one_tree_serialization():
    from gtflow.refi.writer import build_project_xml

    sources, codings = many_sources(2100)  # two chunks, the second of 100 sources
    # the first source, every fourth, and the last of each chunk without codings
    uncoded = {0, 1999, 2099} | set(range(0, 2100, 4))
    codings = codings[~codings["doc_id"].isin({f"p{n:05d}" for n in uncoded})]
    streamed = build_project_xml(sources=sources, codebook=CODEBOOK, codings=codings,
                                 project_name="p")
    parser = etree.XMLParser(remove_blank_text=True)
    assert streamed == etree.tostring(etree.fromstring(streamed, parser), xml_declaration=True,
                                      encoding="utf-8", pretty_print=True)
    assert streamed.count(b'.txt"/>') == len(uncoded)
    assert streamed.count(b"</TextSource>") == 2100 - len(uncoded)
    # every GUID is gtflow_guid of what it names
    q = "{urn:QDA-XML:project:1.0}"
    code_of = {gtflow_guid("code", c["id"]): c["id"] for c in CODEBOOK["concepts"]}
    user_of = {gtflow_guid("user", u): u for u in ("auto", "li")}
    found = []
    for source in etree.fromstring(streamed).iter(f"{q}TextSource"):
        doc_id = sources[int(source.get("name").split("<")[1].split(">")[0])][0]
        assert source.get("guid") == gtflow_guid("source", doc_id)
        for selection in source.iter(f"{q}PlainTextSelection"):
            span = (doc_id, selection.get("startPosition"), selection.get("endPosition"))
            description = selection.findtext(f"{q}Description")
            assert selection.get("guid") == gtflow_guid(
                "selection", *span, *([description] if description else []))
            for coding in selection.iter(f"{q}Coding"):
                row = (*span, code_of[coding.find(f"{q}CodeRef").get("targetGUID")],
                       user_of[coding.get("creatingUser")])
                assert coding.get("guid") == gtflow_guid("coding", *row)
                found.append((*row, description or ""))
    expected = codings.astype({"start": str, "end": str})
    assert sorted(found) == sorted(expected.itertuples(index=False, name=None))


def test_the_streamed_archive_is_the_archive_zipfile_writes_member_by_member(tmp_path):
    from gtflow.refi.writer import build_project_xml

    sources, codings = many_sources(2500)
    streamed = write_project(tmp_path / "streamed.qdpx", sources=sources, codebook=CODEBOOK,
                             codings=codings, project_name="p")
    whole = tmp_path / "whole.qdpx"
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr(zipfile_member("project.qde"), build_project_xml(
            sources=sources, codebook=CODEBOOK, codings=codings, project_name="p"))
        for doc_id, _, text in sources:
            archive.writestr(zipfile_member(f"sources/{gtflow_guid('source', doc_id)}.txt"),
                             text.encode("utf-8"))
    assert streamed.read_bytes() == whole.read_bytes()


@pytest.mark.parametrize(("bad", "message"), [
    ({"doc_id": "nope"}, "record 3: coding of unknown document 'nope'"),
    ({"concept_id": "zz"}, "record 3: coding with 'zz', which is not in the codebook"),
    ({"start": 40, "end": 400}, "record 3: coding 40-400 lies outside document 'int01'"),
    ({"start": 5, "end": 5}, "record 3: coding 5-5 lies outside document 'int01'"),
])
def test_the_first_bad_coding_is_named_by_its_record(tmp_path, bad, message):
    codings = _codings()
    for column, value in bad.items():
        codings.loc[2, column] = value
    codings.loc[4, "concept_id"] = "also-bad"  # a later bad row is not the one reported
    with pytest.raises(InputError) as error:
        _write(tmp_path / "out.qdpx", codings=codings)
    assert message in str(error.value.describe())
    assert not (tmp_path / "out.qdpx").exists()


def test_a_character_xml_cannot_hold_is_refused_as_lxml_refuses_it(tmp_path):
    sources = [("d1", "name\x0bwith a vertical tab", "text")]
    with pytest.raises(ValueError, match="XML compatible"):
        _write(tmp_path / "bad.qdpx", sources=sources,
               codings=pd.DataFrame(columns=["doc_id", "start", "end", "concept_id", "coder"]))
    assert list(tmp_path.iterdir()) == []


def test_selections_come_by_span_then_description_and_codings_by_concept_then_coder():
    from gtflow.refi.writer import build_project_xml

    sources = [("d2", "d2", "0123456789"), ("d1", "d1", "abcdefghij")]
    rows = [("d1", 4, 6, "a2", "li", ""), ("d1", 0, 3, "a2", "wang", "rule b"),
            ("d1", 0, 3, "a1", "wang", ""), ("d1", 0, 3, "a1", "li", ""),
            ("d1", 0, 3, "a1", "li", ""),  # a duplicate, written once
            ("d1", 0, 3, "a2", "li", "rule a"), ("d1", 0, 2, "a3", "li", ""),
            ("d2", 1, 2, "a1", "li", "")]
    codings = pd.DataFrame(rows, columns=["doc_id", "start", "end", "concept_id", "coder",
                                          "description"])
    root = etree.fromstring(build_project_xml(sources=sources, codebook=CODEBOOK,
                                              codings=codings, project_name="p"))
    q = "{urn:QDA-XML:project:1.0}"
    concept_of = {gtflow_guid("code", c["id"]): c["id"] for c in CODEBOOK["concepts"]}
    user_of = {gtflow_guid("user", u): u for u in ("li", "wang")}
    found = []
    for source in root.iter(f"{q}TextSource"):
        for selection in source.iter(f"{q}PlainTextSelection"):
            found.append((source.get("name"), selection.get("startPosition"),
                          selection.get("endPosition"), selection.findtext(f"{q}Description"),
                          [(concept_of[c.find(f"{q}CodeRef").get("targetGUID")],
                            user_of[c.get("creatingUser")]) for c in selection.iter(f"{q}Coding")]))
    assert found == [  # sources in the order given, then spans, descriptions, concepts, coders
        ("d2", "1", "2", None, [("a1", "li")]),
        ("d1", "0", "2", None, [("a3", "li")]),
        ("d1", "0", "3", None, [("a1", "li"), ("a1", "wang")]),
        ("d1", "0", "3", "rule a", [("a2", "li")]),
        ("d1", "0", "3", "rule b", [("a2", "wang")]),
        ("d1", "4", "6", None, [("a2", "li")]),
    ]


GUID_NAMES = ["", "code\x1fa1", "user\x1f张三", "coding\x1fd1\x1f0\x1f12\x1f概念😀\x1fauto",
              # longer than one and than two SHA-1 blocks
              "selection\x1f" + "长" * 30 + "\x1fany:排名 <x> & \"y\"", "x" * 200]


def test_guids_of_names_are_guid_of_name_of_each():
    import uuid

    import pyarrow as pa

    from gtflow.refi.writer import GTFLOW_GUID_NAMESPACE, guids_of_names

    guids = guids_of_names(pa.array(GUID_NAMES)).to_pylist()
    assert guids == [str(uuid.uuid5(GTFLOW_GUID_NAMESPACE, name)) for name in GUID_NAMES]
    assert guids_of_names(pa.array(GUID_NAMES).slice(2, 3)).to_pylist() == guids[2:5]
    assert guids_of_names(pa.array([], pa.string())).to_pylist() == []


def test_uuid5_strings_set_version_and_variant_on_every_digest_byte_value():
    import uuid

    import numpy as np

    from gtflow.refi.writer import uuid5_strings

    # Every byte value at every position (the version and variant bytes included).
    digests = (np.arange(256, dtype=np.uint8)[:, None] + np.arange(20, dtype=np.uint8) * 7)
    expected = [str(uuid.UUID(bytes=row[:16].tobytes(), version=5)) for row in digests]
    assert uuid5_strings(digests).to_pylist() == expected


_REFERENCE_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                                              '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
                                              "\t": "&#9;"})


def reference_xml_attribute(value: str) -> str:
    """The per-value escaping :func:`xml_attributes` replaced."""
    import re

    if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", value):
        raise ValueError("All strings must be XML compatible")
    return value.translate(_REFERENCE_ATTRIBUTE_ESCAPES)


@pytest.mark.parametrize("values", [
    [], [""], ["plain"], ["&&", "<a & b>", '"q"', "\r\n\t", "&amp;", "'single'"],
    ["帖子 <1> & co\t\"引\"\r\n'2'", "😤🤦🏼\u200d♀️", "\x7f\x85\u2028\ufffd\U0010fffd", "]]>"],
])
def test_xml_attributes_escape_each_value_as_the_per_value_escaping(values):
    import pyarrow as pa

    from gtflow.refi.writer import xml_attributes

    assert xml_attributes(pa.array(values, pa.string())).to_pylist() == [
        reference_xml_attribute(value) for value in values]


@pytest.mark.parametrize("bad", ["\x00", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\ufffe", "\uffff"])
def test_xml_attributes_refuse_what_the_per_value_escaping_refuses(bad):
    import pyarrow as pa

    from gtflow.refi.writer import xml_attributes

    values = ["fine", f"a{bad}b", "also fine"]
    with pytest.raises(ValueError, match="XML compatible"):
        reference_xml_attribute(values[1])
    with pytest.raises(ValueError, match="XML compatible"):
        xml_attributes(pa.array(values, pa.string()))


def test_clean_sources_write_the_archive_their_texts_as_tuples_write(tmp_path):
    """Lengths and bytes read from the shards (CleanSources) against texts as Python strings."""
    from gtflow.clean.texts import gather_indexes, write_shard
    from gtflow.refi.steps import CleanSources

    sources, codings = many_sources(2100)  # two chunks
    texts = {doc_id: text for doc_id, _, text in sources}
    texts.update({"empty": "", "astral": "𠮷野家😤\r\n", "uncoded": "第二个\n"})
    root = tmp_path / "text"
    doc_ids = list(texts)
    half = len(doc_ids) // 2
    parts = [("posts", write_shard(root / "posts" / "a.txt", doc_ids[:half],
                                   [texts[d] for d in doc_ids[:half]])),
             ("pages", write_shard(root / "pages" / "b.txt", doc_ids[half:],
                                   [texts[d] for d in doc_ids[half:]]))]
    gather_indexes(parts).to_parquet(root / "index.parquet")
    asked = sorted(doc_ids)  # across both shards, not in their order
    from_shards = write_project(tmp_path / "shards.qdpx",
                                sources=CleanSources(asked, root / "index.parquet"),
                                codebook=CODEBOOK, codings=codings, project_name="p")
    from_tuples = write_project(tmp_path / "tuples.qdpx",
                                sources=[(d, d, texts[d]) for d in asked],
                                codebook=CODEBOOK, codings=codings, project_name="p")
    assert from_shards.read_bytes() == from_tuples.read_bytes()
    # Lengths in code points: a coding to the end of a text passes, one past it is refused.
    astral = len(texts["astral"])
    for end, fits in ((astral, True), (astral + 1, False)):
        rows = pd.DataFrame([{"doc_id": "astral", "start": 0, "end": end, "concept_id": "a1",
                              "coder": "li"}])
        for name, given in (("shards", CleanSources(asked, root / "index.parquet")),
                            ("tuples", [(d, d, texts[d]) for d in asked])):
            if fits:
                write_project(tmp_path / f"{name}.qdpx", sources=given, codebook=CODEBOOK,
                              codings=rows, project_name="p")
                continue
            with pytest.raises(InputError, match=f"lies outside document 'astral' \\({astral} "):
                write_project(tmp_path / f"{name}.qdpx", sources=given, codebook=CODEBOOK,
                              codings=rows, project_name="p")


@pytest.mark.parametrize("dtype", [object, "str"])
def test_positions_are_pandas_indexer_s_positions(dtype):
    from gtflow.refi.writer import _positions

    ids = ["p1", "访谈 01", "😤", "", "p10"]
    for doc_ids in (["p10", "nope", "访谈 01", "p1", "p1", "", "😤", "P1"], [], ["nope"]):
        values = pd.Series(doc_ids, dtype=dtype)
        expected = pd.Index(ids).get_indexer(pd.Series(doc_ids, dtype=object))
        assert _positions(values, ids).tolist() == expected.tolist()
    assert _positions(pd.Series(["a"], dtype=dtype), []).tolist() == [-1]


@pytest.mark.parametrize("highs", [(2, 2, 2), (1 << 20, 5000, 5000, 700, 90, 3),
                                   (1 << 40, 1 << 30, 7, 1 << 62), (1,), (1 << 62, 1 << 62),
                                   ((1 << 41) - 1, (1 << 22) - 1),   # 63 bits: one word
                                   ((1 << 41) - 1, (1 << 23) - 1)])  # 64 bits: two
def test_packed_keys_sort_and_match_rows_as_the_keys_do(highs):
    import numpy as np

    from gtflow.refi.writer import packed_keys

    random = np.random.default_rng(len(highs))
    for rows in (0, 1, 500):
        keys = [random.integers(0, high, rows, dtype=np.int64, endpoint=True) for high in highs]
        keys = [np.concatenate([key, key[: rows // 3]]) for key in keys]  # repeated rows
        words = packed_keys(keys)
        assert len(words) <= len(keys)
        order = np.lexsort(keys[::-1])
        assert np.array_equal(np.lexsort(words[::-1]), order)
        by_keys = np.any([key[order][1:] != key[order][:-1] for key in keys], axis=0) \
            if rows else np.zeros(0, dtype=bool)
        by_words = np.any([word[order][1:] != word[order][:-1] for word in words], axis=0) \
            if rows else np.zeros(0, dtype=bool)
        assert np.array_equal(by_words, by_keys)


def test_projects_written_together_are_those_written_alone(tmp_path):
    """Two projects of the same texts: each text is compressed once for both, yet each archive
    is the bytes write_project gives it alone (only the members' offsets differ)."""
    from gtflow.refi.writer import ProjectContent, write_projects

    sources, codings = many_sources(2500)
    described = codings[codings["description"] != ""]
    asked = []

    def projects():
        asked.append("first")
        yield ProjectContent(tmp_path / "together_a.qdpx", CODEBOOK, codings, "a")
        # Taken only once the first project.qde is written: its temporary holds it by now.
        [temporary] = tmp_path.glob(".together_a.qdpx.*.tmp")
        assert temporary.stat().st_size > 0
        asked.append("second")
        yield ProjectContent(tmp_path / "together_b.qdpx", CODEBOOK, described, "b_review",
                             origin="gtflow review")

    written = write_projects(projects(), sources=sources)
    assert asked == ["first", "second"] and [p.name for p in written] == [
        "together_a.qdpx", "together_b.qdpx"]
    alone_a = write_project(tmp_path / "alone_a.qdpx", sources=sources, codebook=CODEBOOK,
                            codings=codings, project_name="a")
    alone_b = write_project(tmp_path / "alone_b.qdpx", sources=sources, codebook=CODEBOOK,
                            codings=described, project_name="b_review", origin="gtflow review")
    assert written[0].read_bytes() == alone_a.read_bytes()
    assert written[1].read_bytes() == alone_b.read_bytes()
    assert alone_a.read_bytes() != alone_b.read_bytes()


def test_bad_codings_in_a_later_project_leave_no_project(tmp_path):
    from gtflow.refi.writer import ProjectContent, write_projects

    bad = _codings().assign(concept_id="zz")
    with pytest.raises(InputError, match="'zz', which is not in the codebook"):
        write_projects([ProjectContent(tmp_path / "a.qdpx", CODEBOOK, _codings(), "a"),
                        ProjectContent(tmp_path / "b.qdpx", CODEBOOK, bad, "b")],
                       sources=SOURCES)
    assert list(tmp_path.iterdir()) == []
