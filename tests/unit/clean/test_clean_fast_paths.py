"""The clean stage's fast paths give exactly what the straightforward code gives.

Each fast path skips work it can prove would change nothing (a pass over a text without the
characters it looks for, urlsplit for a plain link, trimming a text without blanks, a dict per
turn). The reference code (tests/unit/clean/reference_clean.py, the code before the fast paths)
and the fast code must agree on many generated inputs, edge cases included.
"""

from __future__ import annotations

import random
import sys
from collections import Counter

import pandas as pd
import pytest
import reference_clean as reference

from gtflow import contracts
from gtflow.clean.deidentify import (
    DIGIT,
    Pseudonymizer,
    compile_extra_patterns,
    name_table,
    replace_identifiers,
)
from gtflow.clean.document import SEGMENT_COLUMNS
from gtflow.clean.normalize import TRANSLATION, normalize_text
from gtflow.clean.segment import WHITESPACE, sentence_spans, sentences
from gtflow.clean.steps import (
    SEGMENT_NUMBERS,
    clean_table,
    deidentification_counts,
    mention_table,
    segment_frame,
)
from gtflow.clean.texts import ShardWriter
from gtflow.clean.urls import PLAIN_URL, strip_user_ids


def random_text(rng: random.Random, pool: list[str], longest: int) -> str:
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, longest)))


# --- URLs ---------------------------------------------------------------------------------

SCHEMES = ["http", "https", "HTTPS", "hTTp", "httpſ", "httpﬆ", "ftp", "", "h ttp", "\thttp",
           " http", "\x00http", "1http", "ht\ttp"]
SEPARATORS = ["://", ":/", ":", "//", ":///", "", ":\t//", ":/\n/"]
HOSTS = ["weibo.com", "x.com:8080", "a@b.com", "user:pw@host", "[::1]", "[bad", "bad]", "例子.cn",
         "ｅｘａｍｐｌｅ.com", "", "u", "user", "host\n", "℀.com", "h\tost", "host#x", "host?uid=1"]
SEGMENTS = ["u", "U", "user", "Users", "profile", "people", "home", "uid", "UserID", "status",
            "STATUSES", "ſtatus", "statuſ", "@", "@jane", "@@", "1234567", "123456", "12345",
            "٣٤٥٦٧٨٩", "", "t", "1", "abc", "a#b", "#frag", "a?b=1", "?uid=3", "x?user_id=9",
            "\t", "u\tser", "us\ner", "ab\ncd", " ", "ü", "İ", "K", "%40jane", "ｕ", "p;params",
            "a=b", "author", "members"]
QUERIES = ["", "", "", "?", "?uid=1", "?a=1&uid=", "?userName=x&z=2", "?#", "?u=1#f", "?page=2"]
FRAGMENTS = ["", "", "", "#", "#/user/1", "#top", "#?uid=2"]


def random_url(rng: random.Random) -> str:
    """Half of them near the plain shape ``https://host/path`` the fast path reads."""
    near_plain = rng.random() < 0.5
    path = "/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(0, 5)))
    url = (rng.choice(SCHEMES[:5] if near_plain else SCHEMES)
           + ("://" if near_plain else rng.choice(SEPARATORS)) + rng.choice(HOSTS)
           + rng.choice(["/", "", "//"]) + path
           + ("" if near_plain else rng.choice(QUERIES) + rng.choice(FRAGMENTS)))
    for _ in range(rng.choice([0, 0, 0, 1, 2])):  # a stray character anywhere
        at = rng.randint(0, len(url))
        url = url[:at] + rng.choice("/?#@=:\t\n \x01[]%ſK٣") + url[at:]
    return url


def test_plain_urls_skip_urlsplit_with_the_same_result():
    rng = random.Random(15)
    urls = [random_url(rng) for _ in range(30_000)] + [
        "https://forum.example.com/t/1", "https://weibo.com/1088839965/9253767762984843",
        "http://x.com/jane/status/1", "HTTPS://A.COM/U/7", "httpſ://user/abc", "https://",
        "https:///u/1", "https://h/", "https://h//u/5", "", "/", "u/1", "https://例子.cn/u/1"]
    plain = with_user = 0
    for url in urls:
        assert strip_user_ids(url) == reference.strip_user_ids(url), repr(url)
        if PLAIN_URL.fullmatch(url):
            plain += 1
            with_user += strip_user_ids(url)[1] > 0
    assert plain > 1_000 and with_user > 100  # both branches of the fast path are exercised


# --- normalization ------------------------------------------------------------------------

NORMALIZE_POOL = (list("ab Z09中文，。") + [chr(c) for c in TRANSLATION]
                  + ["\r", "\r\n", "\n", "\n\n\n", "\t", "  ", "\u200d", "👨", "\u2600", "\ufe0f",
                     "e\u0301", "\u212b", "\uf900", "\u2000", "\u1680", "\ud800", "①"])


def test_normalize_skips_passes_only_when_they_change_nothing():
    rng = random.Random(16)
    texts = [random_text(rng, NORMALIZE_POOL, 12) for _ in range(30_000)]
    texts += ["", " ", "\u3000", "纯中文没有空格。", "plain ascii", "\r", "\u200d", "a\u200d"]
    # Each translated character alone among untranslated ones.
    texts += [f"{before}{chr(code)}{after}" for code in TRANSLATION
              for before, after in [("a", "b"), ("中", "文"), ("", "")]]
    for text in texts:
        assert normalize_text(text) == reference.normalize_text(text), repr(text)


# --- sentences ----------------------------------------------------------------------------

SENTENCE_POOL = (list("中文好的abcXYZ。！？!?；;.…”’」』》）)】\"' \n\t\u3000\u00a0") +
                 ["...", "Mr.", "e.g.", "1.", " 12.", "J.", "3.5", "……", "\n\n"])


def test_sentence_spans_fast_path_matches_the_trimming_loop():
    rng = random.Random(17)
    texts = [random_text(rng, SENTENCE_POOL, 16) for _ in range(30_000)]
    texts += ["", "。", "。。", "好", "他说：“不用了。”她走了。", " 好。 对。 ", "\u3000好。", "好。”。'",
              "“好！”？'x"]
    untrimmed = end_marks_only = 0
    for text in texts:
        offset = rng.randint(0, 9)
        expected = reference.sentence_spans(text, offset)
        assert sentence_spans(text, offset) == expected, repr(text)
        starts, ends, pieces = sentences(text)
        assert list(zip(starts, ends)) == reference.sentence_spans(text), repr(text)
        assert pieces == [text[start:end] for start, end in zip(starts, ends)], repr(text)
        untrimmed += "." not in text and not WHITESPACE.search(text)
        end_marks_only += not any(mark in text for mark in ".…\n")
    assert untrimmed > 1_000 and end_marks_only > 1_000


def test_whitespace_and_digit_patterns_read_characters_as_python_does():
    # The fast paths rely on \s being str.isspace (what strip trims) and \d str.isdecimal.
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        assert bool(WHITESPACE.match(character)) == character.isspace(), hex(code)
        assert bool(DIGIT.match(character)) == character.isdecimal(), hex(code)


# --- identifiers --------------------------------------------------------------------------

IDENTIFIER_POOL = ["电话13807381234", "138 0738 1234", "+86 13807381234", "0738-8321456", "８",
                   "身份证431382198808304153", "431382198808304154", "43138219900101001x",
                   "a.b@mail.example.com", "x＠y.cn", "@jane", "湘K·3A728", "新APP", "京A12345",
                   "https://weibo.com/u/1088839965", "http://x.com/a?uid=7", "HTTP://A.COM/U/7",
                   "2021-03-18", "13800000元", "٣٤٥٦٧٨٩٠١٢٣", "CASE-77", "CASE-AB", "罗志强", "Lee",
                   "Leeds", "，", "。", " ", "中文", "abc", "1", "12", "\n"]
EXTRA = compile_extra_patterns({
    "case": {"pattern": r"CASE-[A-Z]+", "placeholder": "13807381234"},  # a placeholder of digits
    "number": {"pattern": r"CASE-\d+", "placeholder": "[CASE]"}})  # one that removes digits


@pytest.mark.parametrize("extra", [(), EXTRA])
@pytest.mark.parametrize("regions", [("CN",), ("US", "GB"), ()])
def test_identifier_passes_skipped_without_digits_replace_the_same(extra, regions):
    rng = random.Random(18)
    texts = [random_text(rng, IDENTIFIER_POOL, 5) for _ in range(1_500)] + ["", "CASE-AB"]
    for text in texts:
        fast, slow = {}, Counter()  # the stage counts into plain dicts
        assert replace_identifiers(text, regions, extra, fast) == reference.replace_identifiers(
            text, regions, extra, slow), text
        assert Counter(fast) == slow and all(fast.values()), text  # no zero entries either


def test_an_empty_text_is_pseudonymized_like_any_other():
    plain = Pseudonymizer(name_table([{"name": "罗志强", "pseudonym": "[P01]"}], []))
    counts = Counter()
    assert plain("", counts) == "" and not counts
    # A pattern that finds the empty string (the config refuses one) still gets its way.
    odd = Pseudonymizer({}, ("CN",), compile_extra_patterns({"e": {"pattern": "x*",
                                                                    "placeholder": "[E]"}}))
    assert odd("", counts) == "[E]" and counts == Counter({"[E]": 1})


# --- whole tables -------------------------------------------------------------------------

ROSTER = [{"name": "罗志强", "aliases": "罗委员", "pseudonym": "[P01]"},
          {"name": "李娟", "aliases": "", "pseudonym": "[P02]"},
          {"name": "Margaret Lee", "aliases": "", "pseudonym": "[P03]"}]
AUTHORS = {"涟源老街坊": "[U001]", "jane": "[U002]", "罗志强": "[U003]"}
SPEAKERS = ["", "", "罗志强", "张三", "张三", "记者", "Lee", "钟老师", " 王五 ", "\u200b", "甲"]
ROLES = ["", "speaker", "speaker", "interviewer", "respondent"]
TEXT_POOL = IDENTIFIER_POOL + ["好的。", "对！", "Mr. Li said so. ", "  ", "\r\n", "…", "张三说",
                               "@涟源老街坊 你好", "@jane", "李娟娟", "王五"]


def random_turn_table(rng: random.Random, documents: int) -> pd.DataFrame:
    rows = []
    for number in range(documents):
        source = rng.choice(["web_post", "web_post", "interview", "web_page"])
        meta = {"doc_id": f"d{number}", "source_type": source,
                "title": rng.choice(["", "", "访谈罗志强", "关于李娟", "Title"]),
                "author": rng.choice(["", "涟源老街坊", "jane", "unknown", "罗志强", "李娟"]),
                "location": rng.choice(["", "李娟家里", "synth", "张三村"]),
                "url": rng.choice(["", "u", "https://forum.example.com/t/1",
                                   "https://weibo.com/u/1088839965", "http://x.com/a?uid=7",
                                   "https://medium.com/@jane/p", "https://[bad/u/1"])}
        turns = rng.choice([1, 1, 1, 2, 5])
        for turn in range(turns):
            rows.append(dict(meta, turn=turn, speaker=rng.choice(SPEAKERS), role=rng.choice(ROLES),
                             timestamp=rng.choice(["", "00:01"]), line=turn,
                             text=random_text(rng, TEXT_POOL, 6)))
    rng.shuffle(rows)  # turns of a document need not be consecutive nor in order
    return contracts.frame("ingest_turns", rows)


@pytest.mark.parametrize("seed", range(4))
def test_cleaned_tables_are_the_reference_tables(seed):
    rng = random.Random(seed)
    names = name_table(ROSTER, ["钟老师"], ["委员", "老师", "Dr."])
    names.update(mention_table(AUTHORS))
    pseudonymize = Pseudonymizer(names, ("CN",), EXTRA if seed % 2 else ())
    table = random_turn_table(rng, 300)
    fast = clean_table(table, pseudonymize, AUTHORS)
    slow = reference.clean_table(table, pseudonymize, AUTHORS)
    for got, expected in zip(fast, slow):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert len(fast[1]) > 300 and len(fast[2]) > 300


def test_an_empty_table_is_cleaned_like_the_reference():
    pseudonymize = Pseudonymizer(name_table(ROSTER, []))
    table = contracts.frame("ingest_turns", [])
    for got, expected in zip(clean_table(table, pseudonymize),
                             reference.clean_table(table, pseudonymize)):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


# --- text shards --------------------------------------------------------------------------

def test_a_shard_written_in_chunks_is_indexed_as_text_by_text(tmp_path):
    rng = random.Random(19)
    chunks = [[random_text(rng, ["a", "中", "😀", "\n", "é", ""], 6) for _ in range(size)]
              for size in (3, 0, 1, 50, 2)]
    with ShardWriter(tmp_path / "s.txt") as shard:
        indexes = [shard.add([f"d{i}" for i in range(len(texts))], texts) for texts in chunks]
    position, expected = 0, []  # the straightforward loop: one text after another
    for texts in chunks:
        for text in texts:
            size = len(text.encode("utf-8"))
            expected.append((position, position + size))
            position += size + 1
    index = pd.concat(indexes, ignore_index=True)
    assert list(zip(index["start"], index["end"])) == expected
    assert index["start"].dtype == "int64" and index["end"].dtype == "int64"
    assert (tmp_path / "s.txt").read_text(encoding="utf-8") == "".join(
        text + "\n" for texts in chunks for text in texts)
    with pytest.raises(ValueError), ShardWriter(tmp_path / "t.txt") as shard:
        shard.add(["d1"], ["a", "b"])


# --- tables built from column lists -------------------------------------------------------

def segment_columns(rows: int, text: list) -> dict[str, list]:
    return {column: (list(range(rows)) if column in SEGMENT_NUMBERS else (text * rows)[:rows])
            for column in SEGMENT_COLUMNS}


@pytest.mark.parametrize(("rows", "text"), [(0, [""]), (1, [""]), (5, ["a", "中文😀", "", "𠮷"]),
                                            (3, ["a", None])])  # None: pandas' own way
def test_segment_frame_is_pandas_frame_of_the_lists(tmp_path, rows, text):
    columns = segment_columns(rows, text)
    fast, slow = segment_frame(columns), pd.DataFrame(columns, columns=SEGMENT_COLUMNS)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    fast.to_parquet(tmp_path / "fast.parquet")
    slow.to_parquet(tmp_path / "slow.parquet")
    assert (tmp_path / "fast.parquet").read_bytes() == (tmp_path / "slow.parquet").read_bytes()


@pytest.mark.parametrize("documents", [0, 1, 200])
def test_counts_table_is_the_reference_table(documents):
    rng = random.Random(documents)
    kinds = ["[U#]", "[PHONE]", "[P#]", "[USER]", "[ID]"]
    tallies = [{kind: rng.choice([0, 1, 1, 3]) for kind in rng.sample(kinds, rng.randint(0, 3))}
               for _ in range(documents)]
    doc_ids = [f"d{rng.randint(0, 50)}" for _ in range(documents)]
    pd.testing.assert_frame_equal(deidentification_counts(doc_ids, tallies),
                                  reference.deidentification_counts(doc_ids, tallies),
                                  check_exact=True)
