"""The vectorised auto-coder gives exactly the rows of a plain unit-by-unit reference coder.

The reference below reads the rules as the codebook documents them, one unit at a time with
Python's ``in``: a unit is coded when no ``none`` phrase occurs in it and one ``any`` phrase
occurs (described by the first listed one present), or else every ``all`` phrase, or else one
``regex`` (the first listed) matches. Regexes run over the units' texts laid end to end, as the
auto-coder runs them, and count for the unit a match starts in when the match ends inside it.
"""

from __future__ import annotations

import bisect
import random
import re

import numpy as np
import pandas as pd
import pytest

from gtflow.clean.segment import sentence_spans
from gtflow.coding.autocode import AutoCoder, document_codes, stable_order
from gtflow.coding.codebook import Codebook, check_codebook

# CJK, Latin, astral (emoji, CJK extension B) and overlapping/nested words.
WORDS = ["排名", "名靠", "排名靠后", "通报", "打卡", "截图", "考核", "下载量", "挂钩", "每天",
         "rank", "ranking", "ran", "app", "😀", "😀好", "𠀋", "𠀋𠀋", "好", "下载"]
FILLER = ["我们", "的", "每周", "群里", "早上", "the", "we", "data", " ", "，", "😂", "𪚥"]
ENDS = ["。", "！", "？", ". ", "\n", "；"]
REGEXES = ["每天.{0,4}打卡", r"\brank\w*", "😀+", "^排名", "下载量?挂钩", r"[A-Za-z]{5,}"]


def reference_codings(book: Codebook, documents: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    texts = dict(zip(documents["doc_id"], documents["clean_text"]))
    segments = segments[segments["doc_id"].isin(texts)]
    sentences = list(zip(segments["doc_id"], segments["seg_id"], segments["start"], segments["end"],
                         segments["text"]))
    turns: dict[tuple, list] = {}
    for doc_id, seg_id, turn, start, end in zip(segments["doc_id"], segments["seg_id"], segments["turn"],
                                                segments["start"], segments["end"]):
        first = turns.setdefault((doc_id, turn), [doc_id, seg_id, start, end])
        first[2], first[3] = min(first[2], start), max(first[3], end)
    whole_turns = [(d, s, b, e, texts[d][b:e]) for d, s, b, e in turns.values()]
    rows = []
    for kind, units in (("sentence", sentences), ("segment", whole_turns)):
        joined = "".join(u[4] for u in units)
        bounds = np.cumsum([0] + [len(u[4]) for u in units]).tolist()
        for concept in book.concepts:
            rules = concept.get("rules") or {}
            if rules.get("unit", "sentence") != kind or not any(rules.get(k) for k in ("any", "all", "regex")):
                continue
            regex_units = [regex_hits(pattern, joined, bounds) for pattern in rules.get("regex", [])]
            for index, (doc_id, seg_id, start, end, text) in enumerate(units):
                if any(p in text for p in rules.get("none", [])):
                    continue
                rule = next((f"any:{p}" for p in rules.get("any", []) if p in text), None)
                if rule is None and rules.get("all") and all(p in text for p in rules["all"]):
                    rule = "all:" + "+".join(rules["all"])
                if rule is None:
                    rule = next((f"regex:{pattern}" for pattern, hits in zip(rules.get("regex", []), regex_units)
                                 if index in hits), None)
                if rule is not None:
                    rows.append((doc_id, seg_id, start, end, concept["id"], "auto", "auto", rule))
    frame = pd.DataFrame(rows, columns=["doc_id", "seg_id", "start", "end", "concept_id", "coder",
                                        "origin", "rule"])
    return frame.sort_values(["doc_id", "start", "concept_id", "end"], kind="stable").reset_index(drop=True)


def regex_hits(pattern: str, joined: str, bounds: list[int]) -> set[int]:
    """Units in which a match of ``pattern`` over the joined text starts and ends."""
    hits = set()
    for match in re.finditer(pattern, joined):
        unit = min(bisect.bisect_right(bounds, match.start()) - 1, len(bounds) - 2)
        if match.end() <= bounds[unit + 1]:
            hits.add(unit)
    return hits


def make_codebook(concepts: list[dict]) -> Codebook:
    raw = {"core": {"id": "CORE", "label": "core"}, "main_categories": [{"id": "AA1", "label": "m"}],
           "categories": [{"id": "A1", "parent": "AA1", "label": "c"}],
           "concepts": [{"parent": "A1", "label": c["id"], **c} for c in concepts]}
    return check_codebook(raw, "codebook.yaml")


def random_rules(rng: random.Random) -> dict:
    rules = {"unit": rng.choice(["sentence", "sentence", "segment"])}
    for key, chance in (("any", 0.8), ("all", 0.4), ("none", 0.3), ("regex", 0.25)):
        if rng.random() < chance:
            pool = REGEXES if key == "regex" else WORDS
            rules[key] = rng.sample(pool, rng.randint(1, 2 if key == "regex" else 3))
    return rules


def piece(rng: random.Random) -> str:
    """A word, sometimes broken by a line end (a sentence boundary inside a phrase), sometimes
    followed by an end mark."""
    word = rng.choice(WORDS + FILLER)
    if len(word) > 1 and rng.random() < 0.2:
        cut = rng.randint(1, len(word) - 1)
        word = word[:cut] + "\n" + word[cut:]
    return word + (rng.choice(ENDS) if rng.random() < 0.3 else "")


def random_study(seed: int) -> tuple[Codebook, pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)
    concepts = [{"id": f"c{n:02d}", "rules": random_rules(rng)} for n in range(rng.randint(1, 12))]
    rng.shuffle(concepts)  # concept ids sort otherwise than the codebook lists them
    texts, frames = {}, []
    for n in range(rng.randint(1, 6)):
        doc_id = f"doc-{rng.randint(0, 99):02d}-{n}"
        pieces = [piece(rng) for _ in range(rng.choice([0, 3, 20, 60]))]
        text = "".join(pieces)
        texts[doc_id] = text
        spans = sentence_spans(text)
        turn = np.cumsum([rng.random() < 0.3 for _ in spans]) if spans else []
        frames.append(pd.DataFrame({"doc_id": doc_id, "seg_id": np.arange(1, len(spans) + 1, dtype=np.int64),
                                    "turn": np.asarray(turn, dtype=np.int64),
                                    "start": np.array([s for s, _ in spans], dtype=np.int64),
                                    "end": np.array([e for _, e in spans], dtype=np.int64),
                                    "text": pd.Series([text[s:e] for s, e in spans], dtype=str)}))
    segments = pd.concat(frames, ignore_index=True)
    if seed % 3 == 0 and len(segments) > 2:  # one document's rows in two runs
        half = len(segments) // 2
        segments = pd.concat([segments.iloc[half:], segments.iloc[:half]], ignore_index=True)
    documents = pd.DataFrame({"doc_id": list(texts), "clean_text": list(texts.values())})
    if seed % 4 == 0 and len(documents) > 1:  # segments of a document not in this table are left out
        documents = documents.iloc[1:]
    return make_codebook(concepts), documents, segments


@pytest.mark.parametrize("seed", range(60))
def test_random_studies_are_coded_as_the_reference_codes_them(seed):
    book, documents, segments = random_study(seed)
    expected = reference_codings(book, documents, segments)
    actual = AutoCoder(book).code_table(documents, segments)
    pd.testing.assert_frame_equal(actual.astype(object), expected.astype(object))


def test_random_studies_produce_every_kind_of_rule_description():
    # Guards the test above against generating studies that code nothing interesting.
    kinds = set()
    for seed in range(60):
        book, documents, segments = random_study(seed)
        kinds |= {rule.split(":")[0] for rule in reference_codings(book, documents, segments)["rule"]}
    assert kinds == {"any", "all", "regex"}


def test_one_phrase_in_several_concepts_and_nested_phrases():
    text = "排名靠后就通报。😀好的排名。"
    segments = pd.DataFrame({"doc_id": "d", "seg_id": [1, 2], "turn": [0, 1], "start": [0, 8],
                             "end": [8, 14]})
    segments["text"] = [text[s:e] for s, e in zip(segments["start"], segments["end"])]
    book = make_codebook([
        {"id": "b", "rules": {"any": ["名靠", "排名靠后", "排名"]}},
        {"id": "a", "rules": {"any": ["排名"], "none": ["通报"]}},
        {"id": "c", "rules": {"any": ["😀好", "排名"], "unit": "segment"}},
        {"id": "d", "rules": {"any": ["排名"]}},
    ])
    documents = pd.DataFrame({"doc_id": ["d"], "clean_text": [text]})
    actual = AutoCoder(book).code_table(documents, segments)
    assert list(zip(actual["seg_id"], actual["concept_id"], actual["rule"])) == [
        (1, "b", "any:名靠"), (1, "c", "any:排名"), (1, "d", "any:排名"),
        (2, "a", "any:排名"), (2, "b", "any:排名"), (2, "c", "any:😀好"), (2, "d", "any:排名")]
    pd.testing.assert_frame_equal(actual.astype(object),
                                  reference_codings(book, documents, segments).astype(object))


def test_no_segments_and_empty_documents_give_an_empty_table_with_the_contract_columns():
    book = make_codebook([{"id": "x", "rules": {"any": ["排名"]}}])
    documents = pd.DataFrame({"doc_id": ["e"], "clean_text": [""]})
    segments = pd.DataFrame({"doc_id": pd.Series([], dtype=str), "seg_id": pd.Series([], dtype=np.int64),
                             "turn": pd.Series([], dtype=np.int64), "start": pd.Series([], dtype=np.int64),
                             "end": pd.Series([], dtype=np.int64), "text": pd.Series([], dtype=str)})
    table = AutoCoder(book).code_table(documents, segments)
    assert table.empty and list(table.columns) == ["doc_id", "seg_id", "start", "end", "concept_id",
                                                   "coder", "origin", "rule"]


def test_stable_order_packs_keys_or_falls_back_to_lexsort_with_the_same_order():
    rng = np.random.default_rng(3)
    small = [rng.integers(0, 4, 500), rng.integers(0, 3, 500), rng.integers(0, 5, 500)]
    huge = [small[0] * 2**40, small[1] * 2**40, small[2]]  # product of ranges overflows int64
    expected = sorted(range(500), key=lambda i: (small[0][i], small[1][i], small[2][i]))
    assert stable_order(small).tolist() == expected
    assert stable_order(huge).tolist() == expected


def test_document_codes_follow_the_sorted_ids_when_a_document_comes_back():
    import pyarrow as pa

    codes, names = document_codes(pa.array(["b", "b", "a", "c", "b", "a"], type=pa.large_string()))
    assert names.to_pylist() == ["a", "b", "c"]
    assert codes.tolist() == [1, 1, 0, 2, 1, 0]
