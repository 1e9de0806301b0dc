"""Post exports: JSONL and CSV, threads through parent_id."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gtflow.errors import ConfigError, InputError
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
     "has date 'June', which is none of 2021-03-18 10:20, ISO 8601", 1),
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


# Exports in their tools' own shapes, mapped by ingest.posts.fields -----------------------------

#: The header the weibo-search scraper writes to its CSV files.
WEIBO_SEARCH_HEADER = ("id,bid,user_id,用户昵称,微博正文,头条文章url,发布位置,艾特用户,话题,转发数,"
                       "评论数,点赞数,发布时间,发布工具,微博图片url,微博视频url,retweet_id")
WEIBO_SEARCH_ROWS = [
    # the original is written before the repost that points to it through retweet_id
    ("4617632456785922,KzxQ1a2Bc,1088839965,涟源政法小编,#平安涟源# APP今天正式上线啦！,,湖南 娄底,,"
     "平安涟源,12,30,45,2021-03-18 10:20,iPhone客户端,,,"),
    ("4617701234567890,KzxR9d8Ef,5551234567,涟水边的老陈,转发理由：注册要填身份证号，有点担心,,,"
     "涟源政法小编,,0,2,1,2021-03-18 11:05,Android,,,4617632456785922"),
    ('4617788888888888,KzxS7g6Hi,6662345678,手机里装不下了,"又一个政务APP？\n功能是不是重复了",,,,,'
     "1,0,3,2021-03-19 08:00,微博 weibo.com,,,"),
]
WEIBO_SEARCH_FIELDS = {"id": "id", "url": None, "date": "发布时间", "author": "用户昵称",
                       "text": "微博正文", "parent_id": "retweet_id"}


def write_weibo_search(path, rows=WEIBO_SEARCH_ROWS, header=WEIBO_SEARCH_HEADER):
    path.write_text("\ufeff" + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_weibo_search_export_is_read_through_a_field_mapping(tmp_path):
    table = ingest_posts(write_weibo_search(tmp_path / "weibo_search_app.csv"), WEIBO_SEARCH_FIELDS)
    assert table["doc_id"].tolist() == ["4617632456785922", "4617701234567890",
                                        "4617788888888888"]
    assert table["parent_id"].tolist() == ["", "4617632456785922", ""]  # the repost's parent
    assert table["date"].tolist() == ["2021-03-18", "2021-03-18", "2021-03-19"]
    assert table["author"].tolist() == ["涟源政法小编", "涟水边的老陈", "手机里装不下了"]
    assert table["url"].tolist() == ["", "", ""]
    assert table["text"].iloc[2] == "又一个政务APP？\n功能是不是重复了"
    assert table["line"].tolist() == [2, 3, 4]


def test_an_unmapped_export_of_another_shape_says_how_to_map_it(tmp_path):
    with pytest.raises(InputError, match="map other column names with ingest.posts.fields") as caught:
        ingest_posts(write_weibo_search(tmp_path / "weibo_search_app.csv"))
    assert caught.value.line == 1


def test_a_mapped_column_missing_from_the_csv_is_one_line(tmp_path):
    fields = dict(WEIBO_SEARCH_FIELDS, text="正文")
    with pytest.raises(InputError) as caught:
        ingest_posts(write_weibo_search(tmp_path / "weibo_search_app.csv"), fields)
    message = str(caught.value)
    assert "\n" not in message and caught.value.line == 1
    assert "has no column '正文' (mapped to text) named by ingest.posts.fields" in message
    assert "its columns are id, bid, user_id, 用户昵称, 微博正文" in message


def test_a_mapped_field_missing_from_a_jsonl_record_names_the_record(tmp_path):
    records = [{"mid": "m1", "created_at": "2021-03-18T10:20:00+08:00", "content": "第一条"},
               {"mid": "m2", "content": "第二条"}]
    fields = {"id": "mid", "date": "created_at", "text": "content", "url": None, "author": None,
              "parent_id": None}
    with pytest.raises(InputError, match="record has no column 'created_at' "
                                         r"\(mapped to date\)") as caught:
        ingest_posts(write_jsonl(tmp_path / "export.jsonl", records), fields)
    assert caught.value.line == 2


def test_the_first_mapping_whose_name_or_glob_matches_the_file_applies():
    from gtflow.ingest.post_fields import fields_for_file

    fields = {"weibo_search_*.csv": {"text": "微博正文"}, "weibo_search_app.csv": {"text": "x"},
              "forum.jsonl": {"text": "body"}}
    assert fields_for_file("weibo_search_app.csv", fields) == {"text": "微博正文"}
    assert fields_for_file("forum.jsonl", fields) == {"text": "body"}
    assert fields_for_file("forum.csv", fields) == {}
    assert fields_for_file("forum.csv", None) == {}


@pytest.mark.parametrize(("written", "year", "zone", "date"), [
    ("2021-03-18 10:20", None, "UTC", "2021-03-18"),
    ("2021-03-18", None, "UTC", "2021-03-18"),
    ("2021-03-18T23:30:00+08:00", None, "UTC", "2021-03-18"),  # the writer's own calendar date
    ("2021-03-18T02:20:00Z", None, "UTC", "2021-03-18"),
    ("2021-03-18 10:20:00 CST", None, "UTC", "2021-03-18"),  # a date, then what ISO lacks
    ("20210318T102000", None, "UTC", "2021-03-18"),
    ("1616034000", None, "UTC", "2021-03-18"),
    ("1616083200", None, "UTC", "2021-03-18"),  # 16:00 UTC ...
    ("1616083200", None, "Asia/Shanghai", "2021-03-19"),  # ... is midnight in Shanghai
    ("1616034000.5", None, "UTC", "2021-03-18"),
    ("1616034000000", None, "UTC", "2021-03-18"),  # milliseconds
    ("03月18日 10:20", 2021, "UTC", "2021-03-18"),
    ("3月8日", 2020, "UTC", "2020-03-08"),
    ("2019年12月31日 23:59", 2021, "UTC", "2019-12-31"),  # a written year wins
])
def test_post_dates_in_the_common_forms(written, year, zone, date):
    from gtflow.ingest.posts import post_date, time_zone

    assert post_date(written, year, time_zone(zone)) == date


@pytest.mark.parametrize(("written", "year", "message"), [
    ("03月18日 10:20", None, "has no year; set ingest.posts.year"),
    ("02月30日 10:20", 2021, "is none of 2021-03-18 10:20, ISO 8601, epoch seconds"),
    ("昨天 10:20", 2021, "is none of"),
    ("12345", None, "is none of"),
    ("2021-02-30 10:20", None, "is none of"),
])
def test_dates_that_cannot_be_read_name_the_post(tmp_path, written, year, message):
    records = [dict(POSTS[0], date=written)]
    with pytest.raises(InputError, match=message) as caught:
        ingest_posts(write_jsonl(tmp_path / "d.jsonl", records), year=year)
    assert f"post 'p1' has date '{written}'" in caught.value.reason and caught.value.line == 1


def test_epoch_dates_follow_the_configured_time_zone_and_a_bad_zone_is_one_line(tmp_path):
    path = write_jsonl(tmp_path / "e.jsonl", [dict(POSTS[0], date=1616083200)])
    assert ingest_posts(path, timezone="Asia/Shanghai")["date"].tolist() == ["2021-03-19"]
    with pytest.raises(ConfigError, match="ingest.posts.timezone': 'Mars/Base' is not a time zone"):
        ingest_posts(path, timezone="Mars/Base")


def test_the_config_schema_checks_a_mapping_and_names_a_misspelt_field():
    from gtflow.config import complete_config

    mapping = {"weibo_search_*.csv": WEIBO_SEARCH_FIELDS}
    config = complete_config({"ingest": {"posts": {"fields": mapping, "year": 2021}}})
    assert config["ingest"]["posts"]["fields"] == mapping
    assert config["ingest"]["posts"]["timezone"] == "UTC"
    with pytest.raises(InputError, match="key 'ingest.posts.fields.weibo_search_\\*.csv.txt': "
                                         "unknown key; did you mean 'text'"):
        complete_config({"ingest": {"posts": {"fields": {"weibo_search_*.csv": {"txt": "微博正文"}}}}})


def test_validate_reads_each_export_through_its_mapping(tmp_path):
    import yaml

    from gtflow.init import init_study
    from gtflow.validate import validate_study

    init_study(tmp_path / "s")
    write_weibo_search(tmp_path / "s" / "data" / "raw" / "web" / "posts" / "weibo_search_app.csv")
    config_path = tmp_path / "s" / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    unmapped = validate_study(tmp_path / "s")
    assert any("map other column names with ingest.posts.fields" in p for p in unmapped.problems)
    config["ingest"]["posts"]["fields"] = {"weibo_search_*.csv": WEIBO_SEARCH_FIELDS}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    mapped = validate_study(tmp_path / "s")
    assert mapped.problems == [] and "data/raw/web/posts/weibo_search_app.csv" in mapped.checked


def test_an_export_read_in_chunks_is_the_export_read_whole(tmp_path):
    from gtflow.ingest.posts import ingest_post_chunks

    # p0 replies to p3, which comes later and in another chunk: still in the export.
    posts = [dict(POSTS[0], id="p0", parent_id="p3"), *POSTS, dict(POSTS[1], id="p4", text="")]
    export = write_jsonl(tmp_path / "weibo.jsonl", posts)
    chunks = list(ingest_post_chunks(export, chunk_posts=2))
    assert [len(c) for c in chunks] == [2, 2, 0]  # p4 has no text, hence no turn
    whole = ingest_posts(export)
    joined = pd.concat(chunks[:2], ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole)
    assert whole["doc_id"].tolist() == ["p0", "p1", "p2", "p3"]


def test_a_reply_to_a_post_outside_the_export_stops_it_after_the_last_chunk(tmp_path, capsys):
    from gtflow.contracts import table
    from gtflow.ingest.steps import ingest_posts_file
    from gtflow.runner import run_step

    posts = [*POSTS, dict(POSTS[1], id="p9", parent_id="gone")]
    export = write_jsonl(tmp_path / "weibo.jsonl", posts)
    out = tmp_path / table("ingest_turns").path.format(source="posts", stem="weibo")
    with pytest.raises(SystemExit):
        run_step(ingest_posts_file, raw=export, out=out)
    assert "line 4: post 'p9' replies to 'gone'" in capsys.readouterr().err
    assert not out.exists() and not any(out.parent.iterdir())


def numbered_posts(count: int) -> list[dict]:
    return [dict(POSTS[i % 3], id=f"p{i}", parent_id=f"p{i - 1}" if i % 4 else None,
                 text=f"第{i}条：{POSTS[i % 3]['text']}") for i in range(count)]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_an_export_read_by_two_workers_is_the_export_read_by_one(tmp_path, suffix):
    from gtflow.ingest.posts import ingest_post_chunks
    from gtflow.parallel import Workers

    posts = numbered_posts(23)
    export = tmp_path / f"weibo{suffix}"
    if suffix == ".jsonl":
        write_jsonl(export, posts)
    else:
        pd.DataFrame(posts).to_csv(export, index=False)
    alone = list(ingest_post_chunks(export, chunk_posts=5))
    with Workers(2) as workers:
        pooled = list(ingest_post_chunks(export, chunk_posts=5, workers=workers))
    assert len(pooled) == len(alone) == 5
    for mine, reference in zip(pooled, alone):
        pd.testing.assert_frame_equal(mine, reference)


@pytest.mark.parametrize(("problems", "reported"), [
    # a repeated id (line 4) before a malformed line (line 9, next chunk)
    ({4: "repeat", 9: "bad json"}, "line 4: post id 'p1' appears twice (first at line 2)"),
    # in the same chunk: the repeated id (line 3) comes first
    ({3: "repeat", 4: "bad json"}, "line 3: post id 'p1' appears twice (first at line 2)"),
    # the malformed line (line 3) comes before the repeated id (line 5)
    ({3: "bad json", 5: "repeat"}, "line 3: is not valid JSON"),
])
def test_workers_report_the_first_problem_in_line_order(tmp_path, problems, reported):
    from gtflow.ingest.posts import ingest_post_chunks
    from gtflow.parallel import Workers

    lines = [json.dumps(post, ensure_ascii=False) for post in numbered_posts(12)]
    for line_no, problem in problems.items():
        lines[line_no - 1] = ("{not json" if problem == "bad json" else
                              json.dumps(dict(numbered_posts(2)[1]), ensure_ascii=False))
    export = tmp_path / "weibo.jsonl"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for count in (1, 2):
        with Workers(count) as workers, pytest.raises(InputError) as raised:
            list(ingest_post_chunks(export, chunk_posts=4, workers=workers))
        assert raised.value.describe().startswith(f"{export}, {reported}")


def test_a_short_csv_row_after_a_repeated_id_in_an_earlier_batch_is_reported_second(tmp_path):
    from gtflow.ingest.posts import ingest_post_chunks
    from gtflow.parallel import Workers

    posts = numbered_posts(12)
    posts[2] = dict(posts[1])  # line 4 repeats p1 (line 3): the header is line 1
    export = tmp_path / "weibo.csv"
    pd.DataFrame(posts).to_csv(export, index=False)
    lines = export.read_text(encoding="utf-8").splitlines()
    lines[10] = "p10,only two fields"  # line 11, in the third batch
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for count in (1, 2):
        with Workers(count) as workers, pytest.raises(InputError) as raised:
            list(ingest_post_chunks(export, chunk_posts=4, workers=workers))
        assert raised.value.describe() == (
            f"{export}, line 4: post id 'p1' appears twice (first at line 3)")


# --- the batch fast paths give what the per-post code gave ---------------------------------

LANGUAGE_TEXTS = ["", "   ", "123 !?", "平安涟源", "APP上线啦", "The app is gone.", "ab 平", "abcde 平",
                  "abcd 平", "豈 compatibility ideograph", "㐀 extension A", "𠀀 extension B",
                  "ＡＢＣ full-width", "café au lait", "\ud800 lone surrogate 平", "emoji 😀 only",
                  "line\nbreak\t平安"]


@pytest.mark.parametrize("group", [1, 3, 4096])
def test_languages_of_a_batch_are_language_of_each_text(group):
    from gtflow.ingest.documents import language_of, languages_of

    texts = LANGUAGE_TEXTS * 3
    assert languages_of(texts, group) == [language_of(text) for text in texts]
    assert languages_of([], group) == []


def test_a_batch_of_posts_is_the_table_document_frame_builds(tmp_path):
    import datetime as dt

    from gtflow.ingest.documents import document_frame, language_of
    from gtflow.ingest.posts import PostForm, column_names, ingest_post_batch

    records = [dict(POSTS[0], text="  spaced English text  "), dict(POSTS[1], id=7, author=None),
               dict(POSTS[2], text=""), dict(POSTS[0], id="p4", date=1616034000, parent_id="p1")]
    path = write_jsonl(tmp_path / "mix.jsonl", records)
    lines = list(enumerate(path.read_text(encoding="utf-8").splitlines(keepends=True), start=1))
    form = PostForm(path, column_names(None), False, None, dt.UTC, "utf-8", "digest", True)
    table, posts, problem = ingest_post_batch(None, (form, lines))
    assert problem is None and [post_id for post_id, _, _ in posts] == ["p1", "7", "p3", "p4"]
    expected_posts = [("p1", "2019-06-18", "小编", "spaced English text", "", 1),
                      ("7", "2019-06-18", "", POSTS[1]["text"], "p1", 2),
                      ("p4", "2021-03-18", "小编", POSTS[0]["text"], "p1", 4)]
    documents = [{"doc_id": doc_id, "source_type": "web_post", "title": "", "date": date,
                  "author": author, "respondent_id": "", "url": records[line - 1]["url"],
                  "lang": language_of(text), "raw_path": str(path), "encoding": "utf-8",
                  "location": "mix", "parent_id": parent}
                 for doc_id, date, author, text, parent, line in expected_posts]
    turns = {doc_id: [{"turn": 0, "speaker": "", "role": "", "timestamp": "", "line": line,
                       "text": text}] for doc_id, _, _, text, _, line in expected_posts}
    expected = document_frame(path, documents, turns, "digest")
    pd.testing.assert_frame_equal(table, expected)
    assert table.dtypes.tolist() == expected.dtypes.tolist()


def test_a_record_missing_a_column_and_holding_an_object_reports_the_missing_column(tmp_path):
    record = {"id": "p1", "url": {"a": 1}, "date": "2019-01-01", "text": "t", "parent_id": None}
    path = write_jsonl(tmp_path / "both.jsonl", [record])
    with pytest.raises(InputError, match="lacks author"):
        ingest_posts(path)
    record["author"] = "a"
    with pytest.raises(InputError, match="field 'url' holds a JSON dict"):
        ingest_posts(write_jsonl(path, [record]))


def test_values_of_every_json_type_become_the_text_str_gives():
    from gtflow.ingest.posts import column_names, post_fields

    record = {"id": 12, "url": 1.5, "date": "  2019-01-01 ", "author": True, "text": " t ",
              "parent_id": None}
    assert post_fields(record, column_names(None)) == {
        "id": "12", "url": "1.5", "date": "2019-01-01", "author": "True", "text": "t",
        "parent_id": ""}
    assert post_fields(record, column_names({"url": None}))["url"] == ""
    assert post_fields({**record, "url": [1]}, column_names(None)) is None
    assert post_fields({k: v for k, v in record.items() if k != "text"}, column_names(None)) is None


def test_a_date_read_once_is_reused_and_a_bad_one_is_never_remembered(tmp_path):
    from gtflow.ingest.posts import check_post

    dates: dict[str, str] = {}
    first = check_post(dict(POSTS[0]), tmp_path, 1, dates=dates)
    again = check_post(dict(POSTS[0], id="p9"), tmp_path, 2, dates=dates)
    assert first["date"] == again["date"] == "2019-06-18"
    assert dates == {"2019-06-18 10:02:00": "2019-06-18"}
    for line in (3, 4):
        with pytest.raises(InputError, match="has date 'June'") as caught:
            check_post(dict(POSTS[0], date="June"), tmp_path, line, dates=dates)
        assert caught.value.line == line
    assert "June" not in dates


def test_a_line_with_a_byte_order_mark_gets_json_loads_message(tmp_path):
    from gtflow.ingest.posts import parse_jsonl_line

    with pytest.raises(InputError, match="Unexpected UTF-8 BOM") as caught:
        parse_jsonl_line("\ufeff" + json.dumps(POSTS[0]), 5, tmp_path / "x.jsonl")
    assert caught.value.line == 5
    with pytest.raises(InputError, match=r"not valid JSON \(Expecting"):
        parse_jsonl_line("{", 1, tmp_path / "x.jsonl")
