"""Transcripts: .txt/.md/.docx, front matter, speaker tags, timestamps, roster check."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtflow.errors import InputError
from gtflow.ingest.transcripts import ingest_transcript

KNOWN = {"R01", "R02"}
FRONT = "---\nid: {id}\ndate: 2021-03-18\nrespondent: {respondent}\ninterviewer: INT-A\nlocation: 镇政府\n---\n"


@pytest.fixture
def write_transcript(tmp_path: Path):
    """Write a transcript (front matter + body, encoded as asked) and return its path."""

    def write(body: str, name: str = "T01.md", encoding: str = "utf-8", respondent: str = "R01",
              raw: bytes | None = None) -> Path:
        path = tmp_path / name
        text = FRONT.format(id=Path(name).stem, respondent=respondent) + body
        path.write_bytes(raw if raw is not None else text.encode(encoding))
        return path

    return write


def test_markdown_transcript_becomes_turns_with_metadata(write_transcript):
    path = write_transcript("问：您好，先介绍一下？\n\n答：好。我在镇里干了十八年。\n接着说第二行。\n")
    table = ingest_transcript(path, KNOWN)
    assert table["speaker"].tolist() == ["问", "答"]
    assert table["role"].tolist() == ["interviewer", "respondent"]
    assert table["text"].tolist()[1] == "好。我在镇里干了十八年。\n接着说第二行。"
    assert table["line"].tolist() == [8, 10]
    row = table.iloc[0]
    assert (row.doc_id, row.source_type, row.date, row.respondent_id, row.author, row.location) == (
        "T01", "interview", "2021-03-18", "R01", "INT-A", "镇政府")
    assert row.encoding == "utf-8" and row.lang == "zh" and len(row.sha256_raw) == 64


@pytest.mark.parametrize(("body", "speakers", "roles"), [
    ("访谈者：请讲。\n受访者：好的。\n", ["访谈者", "受访者"], ["interviewer", "respondent"]),
    ("Q: How did it start?\nA: With a meeting.\n", ["Q", "A"], ["interviewer", "respondent"]),
    ("Q：全角冒号。\nA：也可以。\n", ["Q", "A"], ["interviewer", "respondent"]),
    ("张三：我先说。\n李四: 我补充。\n张三：再说一句。\n李四：好。\n",
     ["张三", "李四", "张三", "李四"], ["speaker"] * 4),
])
def test_speaker_tags_in_chinese_and_english(write_transcript, body, speakers, roles):
    table = ingest_transcript(write_transcript(body), KNOWN)
    assert table["speaker"].tolist() == speakers
    assert table["role"].tolist() == roles


def test_a_name_like_prefix_used_once_is_text_not_a_speaker(write_transcript):
    table = ingest_transcript(write_transcript("问：怎么看？\n答：我的意见：不行。\n比如：这样。\n"), KNOWN)
    assert table["speaker"].tolist() == ["问", "答"]
    assert "比如：这样。" in table["text"].iloc[1]


def test_timestamps_are_a_column_not_text(write_transcript):
    body = ("[00:00:05] 问：您好。\n[00:12:31] 答：好的。\n答：[00:13:02] 第二段。\n"
            "（00:14:00）接着说。\n")
    table = ingest_transcript(write_transcript(body), KNOWN)
    assert table["timestamp"].tolist() == ["00:00:05", "00:12:31", "00:13:02"]
    assert table["text"].tolist() == ["您好。", "好的。", "第二段。\n接着说。"]
    assert not table["text"].str.contains(r"\d\d:\d\d").any()


def test_unbracketed_clock_is_not_a_speaker(write_transcript):
    table = ingest_transcript(write_transcript("问：几点？\n答：10:30开会，\n10:45结束。\n"), KNOWN)
    assert table["speaker"].tolist() == ["问", "答"]


def test_txt_in_gb18030_records_its_encoding(write_transcript):
    table = ingest_transcript(write_transcript("问：您好。\n答：好。\n", name="T02.txt",
                                               encoding="gb18030"), KNOWN)
    assert table["encoding"].iloc[0] == "gb18030"
    assert table["text"].tolist() == ["您好。", "好。"]


def test_utf16_with_bom_and_crlf(write_transcript):
    text = ("---\nid: T03\ndate: 2021-03-18\nrespondent: R01\ninterviewer: INT-A\n"
            "location: x\n---\n问：您好。\n答：好。\n").replace("\n", "\r\n")
    path = write_transcript("", name="T03.txt", raw=text.encode("utf-16"))
    table = ingest_transcript(path, KNOWN)
    assert table["encoding"].iloc[0] == "utf-16"
    assert table["text"].tolist() == ["您好。", "好。"]


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def test_docx_transcript(tmp_path):
    path = write_docx(tmp_path / "D01.docx", ["---", "id: D01", "date: 2021-04-02",
                                              "respondent: R02", "interviewer: INT-B",
                                              "location: 村委会", "---", "问：您好，请介绍一下。",
                                              "答：我是网格员。", "", "答：[00:03:10] 第二段。"])
    table = ingest_transcript(path, KNOWN)
    assert table["encoding"].iloc[0] == "docx"
    assert table["doc_id"].iloc[0] == "D01"
    assert table["speaker"].tolist() == ["问", "答", "答"]
    assert table["timestamp"].tolist() == ["", "", "00:03:10"]
    assert table["text"].tolist() == ["您好，请介绍一下。", "我是网格员。", "第二段。"]


def test_docx_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "bad.docx"
    path.write_text("not a word file", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.docx: is not a .docx file"):
        ingest_transcript(path, KNOWN)


def test_empty_docx_is_refused(tmp_path):
    with pytest.raises(InputError, match="empty"):
        ingest_transcript(write_docx(tmp_path / "E.docx", []), KNOWN)


def test_extra_front_matter_and_title(write_transcript, tmp_path):
    path = tmp_path / "T09.md"
    path.write_text("---\nid: T09\ntitle: 第二次访谈\ndate: 2021-03-18\nrespondent: R01\n"
                    "interviewer: INT-A\nlocation: ''\nnote: 合成\n---\n问：好。\n", encoding="utf-8")
    table = ingest_transcript(path, KNOWN)
    assert table["title"].iloc[0] == "第二次访谈"


def test_unknown_respondent_names_the_front_matter_line(write_transcript):
    with pytest.raises(InputError) as error:
        ingest_transcript(write_transcript("问：好。\n", respondent="R99"), KNOWN)
    assert error.value.line == 4
    assert "respondent 'R99' is not in the roster" in str(error.value)


def test_respondent_without_a_roster_is_an_error(write_transcript):
    with pytest.raises(InputError, match="the study has no roster"):
        ingest_transcript(write_transcript("问：好。\n"), None)


def test_no_respondent_needs_no_roster(write_transcript):
    assert len(ingest_transcript(write_transcript("问：好。\n", respondent="''"), None)) == 1


@pytest.mark.parametrize(("text", "message", "line"), [
    ("问：没有前言。\n", "no YAML front matter", 1),
    ("---\nid: T01\ndate: 2021-01-01\n问：好\n", "not closed", 1),
    ("---\nid: T01\ndate: [2021\n---\n问：好\n", "not valid YAML", 3),
    ("---\nid: T01\ndate: 2021-01-01\n---\n问：好\n", "lacks respondent, interviewer, location", 2),
    ("---\nid: T 01\ndate: 2021-01-01\nrespondent: R01\ninterviewer: I\nlocation: x\n---\n问：好\n",
     "may contain only", 2),
    ("---\nid: T01\ndate: 18 March\nrespondent: R01\ninterviewer: I\nlocation: x\n---\n问：好\n",
     "not a date", 3),
    ("---\nid: T01\ndate: 2021-01-01\nrespondent: R01\ninterviewer: I\nlocation: x\n---\n\n\n",
     "no transcript text", 8),
])
def test_bad_front_matter(tmp_path, text, message, line):
    path = tmp_path / "T01.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        ingest_transcript(path, KNOWN)
    assert error.value.line == line
    assert error.value.path == str(path)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "T01.rtf"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a transcript type"):
        ingest_transcript(path, KNOWN)
