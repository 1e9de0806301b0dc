"""Post exports: JSONL and CSV, threads through parent_id."""

from __future__ import annotations

import json

import pytest

from gtflow.errors import InputError
from gtflow.ingest.posts import ingest_posts

POSTS = [
    {"id": "p1", "url": "https://w.example.com/1", "date": "2019-06-18 10:02:00", "author": "小编",
     "text": "#平安涟源# APP上线啦！", "parent_id": None},
    {"id": "p2", "url": "https://w.example.com/1?c=2", "date": "2019-06-18", "author": "老陈",
     "text": "下了，界面还可以。", "parent_id": "p1"},
    {"id": "p3", "url": "https://w.example.com/1?c=3", "date": "2019-06-19", "author": "小编",
     "text": "谢谢支持～", "parent_id": "p2"},
]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_jsonl_posts_are_documents_with_threads(tmp_path):
    table = ingest_posts(write_jsonl(tmp_path / "weibo.jsonl", POSTS))
    assert table["doc_id"].tolist() == ["p1", "p2", "p3"]
    assert table["parent_id"].tolist() == ["", "p1", "p2"]
    assert table["date"].tolist() == ["2019-06-18", "2019-06-18", "2019-06-19"]
    assert set(table["source_type"]) == {"web_post"}
    assert table["line"].tolist() == [1, 2, 3]
    assert table["location"].iloc[0] == "weibo"


def test_csv_posts_with_multiline_text_and_bom(tmp_path):
    path = tmp_path / "forum.csv"
    path.write_text("\ufeffid,url,date,author,text,parent_id\n"
                    't1,https://f.example.com/1,2019-07-02,街坊,"第一行\n第二行，有逗号",\n'
                    "t2,https://f.example.com/2,2019-07-03,网友,回复,t1\n", encoding="utf-8")
    table = ingest_posts(path)
    assert table["text"].tolist() == ["第一行\n第二行，有逗号", "回复"]
    assert table["parent_id"].tolist() == ["", "t1"]
    assert table["line"].tolist() == [2, 4]
    assert table["encoding"].iloc[0] == "utf-8-sig"


def test_post_without_text_is_kept_as_a_document_without_turns(tmp_path):
    records = [dict(POSTS[0], text="")]
    table = ingest_posts(write_jsonl(tmp_path / "e.jsonl", records))
    assert len(table) == 0  # no turn; the clean stage has nothing to code


def test_numeric_ids_are_text(tmp_path):
    records = [dict(POSTS[0], id=101), dict(POSTS[1], id=102, parent_id=101)]
    table = ingest_posts(write_jsonl(tmp_path / "n.jsonl", records))
    assert table["doc_id"].tolist() == ["101", "102"] and table["parent_id"].tolist() == ["", "101"]


@pytest.mark.parametrize(("lines", "message", "line"), [
    (['{"id": "p1", "url": "u", "date": "2019-01-01", "author": "a", "text": "t", "parent_id": null}',
      '{"id": "p2", "url": "u", "date": "2019-01-01", "author": "a", "text": "t" "parent_id": null}'],
     "not valid JSON", 2),
    (['["not", "an", "object"]'], "one JSON object per line", 1),
    (['{"id": "p1", "url": "u", "date": "2019-01-01", "text": "t"}'], "lacks author, parent_id", 1),
    (['{"id": "p1", "url": "u", "date": "June", "author": "a", "text": "t", "parent_id": null}'],
     "not YYYY-MM-DD", 1),
    (['{"id": "p/1", "url": "u", "date": "2019-01-01", "author": "a", "text": "t", "parent_id": null}'],
     "may contain only", 1),
    (['{"id": "p1", "url": "u", "date": "2019-01-01", "author": "a", "text": {"x": 1}, "parent_id": null}'],
     "holds a JSON dict", 1),
    (['{"id": "p1", "url": "u", "date": "2019-01-01", "author": "a", "text": "t", "parent_id": null}',
      '', '{"id": "p1", "url": "u", "date": "2019-01-01", "author": "a", "text": "t", "parent_id": null}'],
     "appears twice", 3),
    (['{"id": "p2", "url": "u", "date": "2019-01-01", "author": "a", "text": "t", "parent_id": "p0"}'],
     "replies to 'p0'", 1),
])
def test_malformed_jsonl(tmp_path, lines, message, line):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        ingest_posts(path)
    assert error.value.line == line


def test_csv_with_extra_field_names_the_record_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,url,date,author,text,parent_id\nt1,u,2019-01-01,a,\"多\n行\",\n"
                    "t2,u,2019-01-01,a,t,,extra\n", encoding="utf-8")
    with pytest.raises(InputError, match="more fields than the header") as error:
        ingest_posts(path)
    assert error.value.line == 4


def test_empty_export_and_wrong_suffix(tmp_path):
    (tmp_path / "e.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        ingest_posts(tmp_path / "e.jsonl")
    (tmp_path / "x.json").write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="not a post export"):
        ingest_posts(tmp_path / "x.json")
