"""Exemplar quotes: shape, offsets, order of preference, spread and determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mech_corpus import MODEL, clean_texts, codebook, codings, documents_and_segments

from gtflow.mechanisms.cases import code_table, corpus_documents, placed_codings
from gtflow.mechanisms.quotes import (
    CANDIDATE_COLUMNS,
    QUOTE_COLUMNS,
    choose_quotes,
    exemplar_quotes,
    fit_quote,
)


def test_fit_quote_trims_white_space_and_keeps_offsets():
    text = "  一二三四五六  "
    assert fit_quote(text, 0, len(text), 3, 20) == (2, 8, "一二三四五六", False)


def test_fit_quote_drops_short_spans():
    assert fit_quote("一二三", 0, 3, 4, 20) is None


def test_fit_quote_cuts_at_a_sentence_end():
    text = "一二三四五。六七八九十。"
    start, end, quote, truncated = fit_quote(text, 0, len(text), 3, 8)
    assert (start, end, quote, truncated) == (0, 6, "一二三四五。…", True)
    assert text[start:end] == quote[:-1] and len(quote) <= 8


def test_fit_quote_cuts_hard_without_a_sentence_end():
    text = "一二三四五六七八九十"
    assert fit_quote(text, 0, 10, 3, 6) == (0, 5, "一二三四五…", True)


def test_fit_quote_ignores_a_sentence_end_that_leaves_too_little():
    text = "一。二三四五六七八九十"
    assert fit_quote(text, 0, len(text), 3, 6) == (0, 5, "一。二三四…", True)


def candidates(rows):
    frame = pd.DataFrame(rows, columns=["doc_id", "start", "end", "origin", "coder", "source_type"])
    frame["item_type"], frame["item_id"] = "concept", "c1"
    frame["origin_rank"] = frame["origin"].map({"qdpx": 0, "csv": 1, "auto": 2})
    return frame[CANDIDATE_COLUMNS]


TEXTS = {d: f"{d}的第一句话很长很长。{d}的第二句话也很长。" for d in ("I1", "I2", "I3", "P1", "Q1")}


def test_manual_before_auto_and_one_quote_per_document():
    frame = candidates([("I1", 0, 11, "auto", "auto", "interview"),
                        ("I1", 11, 21, "csv", "coder_a", "interview"),
                        ("I2", 0, 11, "auto", "auto", "interview")])
    quotes = choose_quotes(frame, TEXTS, 2, 4, 40, {})
    assert quotes[["doc_id", "start", "origin", "rank"]].values.tolist() == [
        ["I1", 11, "csv", 1], ["I2", 0, "auto", 2]]


def test_round_robin_over_source_types():
    frame = candidates([("I1", 0, 11, "auto", "auto", "interview"),
                        ("I2", 0, 11, "auto", "auto", "interview"),
                        ("I3", 0, 11, "auto", "auto", "interview"),
                        ("P1", 0, 11, "auto", "auto", "web_page"),
                        ("Q1", 0, 11, "auto", "auto", "web_post")])
    quotes = choose_quotes(frame, TEXTS, 3, 4, 40, {})
    assert quotes["source_type"].tolist() == ["interview", "web_page", "web_post"]
    assert quotes["rank"].tolist() == [1, 2, 3]


def test_choice_does_not_depend_on_row_order():
    rows = [("I1", 0, 11, "auto", "auto", "interview"), ("I2", 0, 11, "auto", "auto", "interview"),
            ("I3", 11, 21, "auto", "auto", "interview"), ("P1", 0, 11, "auto", "auto", "web_page")]
    first = choose_quotes(candidates(rows), TEXTS, 2, 4, 40, {})
    second = choose_quotes(candidates(rows[::-1]), TEXTS, 2, 4, 40, {})
    pd.testing.assert_frame_equal(first, second)


@pytest.fixture()
def study_quotes():
    documents, segments = documents_and_segments()
    docs = corpus_documents(documents)
    placed = placed_codings(codings(segments), docs, codebook().hierarchy())
    texts = clean_texts()
    quotes = exemplar_quotes(placed, segments[segments["doc_id"].isin(set(docs["doc_id"]))],
                             texts, MODEL, code_table(codebook()), 2, 4, 40)
    return quotes, texts


def test_quotes_cite_offsets_into_the_clean_text(study_quotes):
    quotes, texts = study_quotes
    assert list(quotes.columns) == QUOTE_COLUMNS
    assert len(quotes)
    for row in quotes.to_dict("records"):
        cited = texts[row["doc_id"]][row["start"]:row["end"]]
        assert cited == (row["quote"][:-1] if row["truncated"] else row["quote"])


def test_quotes_per_item_and_edges(study_quotes):
    quotes, _ = study_quotes
    assert quotes.groupby(["item_type", "item_id"]).size().max() <= 2
    assert not quotes.duplicated(["item_type", "item_id", "doc_id"]).any()
    assert quotes["item_type"].drop_duplicates().tolist() == ["concept", "node", "edge"]
    edges = quotes[quotes["item_type"] == "edge"]
    # M1->M2 co-occur within a turn in I1 (s1 + s2) and I3 (one sentence); P1 has them in two turns.
    assert sorted(edges.loc[edges["item_id"] == "M1->M2", "doc_id"]) == ["I1", "I3"]
    assert "K2->M2" not in set(edges["item_id"])
    i1 = edges[(edges["item_id"] == "M1->M2") & (edges["doc_id"] == "I1")].iloc[0]
    assert i1["quote"] == "权责失衡，乡镇兜底。上面压下来的任务太多了。"
    # The manual coding of c1 in I1 is preferred over the auto coding of the same sentence.
    c1 = quotes[(quotes["item_type"] == "concept") & (quotes["item_id"] == "c1")]
    assert c1.iloc[0]["origin"] == "csv" and c1.iloc[0]["coder"] == "coder_a"
    assert "Q2" not in set(quotes["doc_id"])


def test_concept_quotes_show_each_passage_once_and_fall_back_to_a_coded_span():
    from gtflow import contracts
    from gtflow.mechanisms.quotes import concept_quotes

    quotes = contracts.frame("quotes", [
        {"item_type": "concept", "item_id": "c1", "rank": 1, "doc_id": "D", "start": 0, "end": 4,
         "quote": "一二三四"},
        {"item_type": "concept", "item_id": "c2", "rank": 1, "doc_id": "D", "start": 0, "end": 4,
         "quote": "一二三四"},
        {"item_type": "concept", "item_id": "c2", "rank": 2, "doc_id": "D", "start": 4, "end": 8,
         "quote": "五六七八"}])
    codings = contracts.frame("codings", [
        {"doc_id": "D", "start": 8, "end": 9, "concept_id": "c3"},
        {"doc_id": "D", "start": 8, "end": 11, "concept_id": "c3"}])
    texts = {"D": "一二三四五六七八九十甲"}
    shown = concept_quotes(quotes, codings, texts, ["c1", "c2", "c3", "c4"], 2, 10)
    assert shown[["concept_id", "rank", "start", "end"]].values.tolist() == [
        ["c1", 1, 0, 4], ["c2", 2, 4, 8], ["c3", 0, 8, 11]]
    assert contracts.problems("concept_quotes", shown) == []


def test_fitted_spans_trim_exactly_where_white_space_borders_them():
    import random

    from gtflow.mechanisms.quotes import fitted_span, trimmed_span

    rng = random.Random(5)
    alphabet = "涟源平安。 \n\tab　"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        bare_start, bare_end = trimmed_span(text, start, end)
        fitted = fitted_span(text, start, end, 2, 12)
        if bare_end - bare_start < 2:
            assert fitted is None
        else:
            assert fitted[0] == bare_start and fitted[1] <= bare_end
            assert not text[fitted[0]].isspace() and not text[fitted[1] - 1].isspace()


def random_spans(seed: int, rows: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """Spans of every length (empty, reversed, longer than the bounds) over texts with white
    space, sentence ends and non-ASCII characters, documents repeated."""
    import random

    rng = random.Random(seed)
    alphabet = "涟源平安。 \n\tab　！x"
    texts = {f"D{i}é": "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
             for i in range(8)}
    spans = []
    for _ in range(rows):
        doc_id = rng.choice(sorted(texts))
        start = rng.randint(0, len(texts[doc_id]))
        end = rng.randint(max(start - 2, 0), len(texts[doc_id]))
        spans.append((doc_id, start, end))
    frame = pd.DataFrame(spans, columns=["doc_id", "start", "end"]).astype(
        {"doc_id": "string[pyarrow]", "start": "int64", "end": "int64"})
    return frame, texts


@pytest.mark.parametrize("bounds", [(0, 12), (1, 5), (3, 12), (6, 30), (50, 60)])
def test_fit_spans_match_fitting_each_span_in_python(bounds):
    from gtflow.mechanisms.quotes import NOT_FITTED, fit_spans, fitted_span

    frame, texts = random_spans(11, 3000)
    starts, ends, truncated = fit_spans(frame, texts, *bounds)
    expected = [fitted_span(texts[d], s, e, *bounds) or NOT_FITTED
                for d, s, e in zip(frame["doc_id"], frame["start"], frame["end"])]
    assert list(zip(starts.tolist(), ends.tolist(), truncated.tolist())) == expected
    assert (starts.dtype, ends.dtype, truncated.dtype) == (np.int64, np.int64, bool)
    empty = fit_spans(frame.iloc[0:0], texts, *bounds)
    assert [len(a) for a in empty] == [0, 0, 0]


def test_quotable_codings_keep_exactly_the_codings_that_fit():
    from gtflow.mechanisms.quotes import fitted_span, quotable_codings

    frame, texts = random_spans(12, 2000)
    frame["concept_id"] = [f"c{i % 3}" for i in range(len(frame))]
    quotable = quotable_codings(frame, texts, 3, 12)
    fits = [fitted_span(texts[d], s, e, 3, 12)
            for d, s, e in zip(frame["doc_id"], frame["start"], frame["end"])]
    kept = [i for i, f in enumerate(fits) if f is not None]
    assert quotable.index.tolist() == kept
    assert list(zip(quotable["fit_start"], quotable["fit_end"], quotable["fit_truncated"])) == [
        fits[i] for i in kept]
    pd.testing.assert_frame_equal(quotable[list(frame.columns)], frame.iloc[kept])


def merged_edge_candidates(placed_turns, edges, level_of):
    """The pandas way edge candidates were made (a merge of each edge's ends on doc_id and
    turn), kept as the reference of :func:`gtflow.mechanisms.quotes.edge_candidates`."""
    from gtflow.coding.codebook import edge_id
    from gtflow.frames import sorted_stably, starts_of_runs
    from gtflow.mechanisms.cases import codings_under
    from gtflow.mechanisms.quotes import EDGE_CODING_COLUMNS

    keep = ["turn", *EDGE_CODING_COLUMNS]
    for source, target in edges:
        a = codings_under(placed_turns, source, level_of[source])[keep]
        b = codings_under(placed_turns, target, level_of[target])[keep]
        pairs = a.merge(b.drop(columns="source_type"), on=["doc_id", "turn"], suffixes=("_a", "_b"))
        if pairs.empty:
            continue
        pairs["start"] = pairs[["start_a", "start_b"]].min(axis=1)
        pairs["end"] = pairs[["end_a", "end_b"]].max(axis=1)
        pairs["origin_rank"] = pairs[["origin_rank_a", "origin_rank_b"]].max(axis=1)
        pairs["origin"] = pairs["origin_a"].where(pairs["origin_rank_a"] >= pairs["origin_rank_b"],
                                                  pairs["origin_b"])
        pairs["coder"] = [a_ if a_ == b_ else "+".join(sorted({a_, b_}))
                          for a_, b_ in zip(pairs["coder_a"].tolist(), pairs["coder_b"].tolist())]
        pairs["width"] = pairs["end"] - pairs["start"]
        pairs = sorted_stably(pairs, ["doc_id", "turn", "origin_rank", "width", "start", "end",
                                      "coder"])
        pairs = pairs[starts_of_runs(pairs, ["doc_id", "turn"])]
        yield pairs.assign(item_type="edge", item_id=edge_id(source, target))[CANDIDATE_COLUMNS]


def random_placed_turns(seed: int, rows: int) -> pd.DataFrame:
    """Codings with turns: documents out of order, negative and large turns, ties of every
    sort key, origins of one rank with different names, coders with non-ASCII names."""
    import random

    rng = random.Random(seed)
    origins = {"auto": 3, "csv": 2, "review": 0, "other": 4, "import": 4}
    records = []
    for _ in range(rows):
        origin = rng.choice(sorted(origins))
        start = rng.randint(0, 6)
        concept = rng.choice(["c1", "c2", "c3"])
        records.append({
            "doc_id": rng.choice(["D2", "D10", "Dé", "D1", "文"]), "start": start,
            "end": start + rng.randint(0, 4), "origin": origin, "origin_rank": origins[origin],
            "coder": rng.choice(["auto", "coder_b", "coder_a", "Zoë"]),
            "source_type": "web_post", "seg_id": rng.randint(0, 3),
            "concept_id": concept, "category_id": {"c1": "K1", "c2": "K1", "c3": "K2"}[concept],
            "turn": rng.choice([0, 1, -3, 2**40])})
    columns = ["doc_id", "start", "end", "origin", "origin_rank", "coder", "source_type", "seg_id",
               "concept_id", "category_id", "turn"]
    return pd.DataFrame(records, columns=columns).astype({
        "doc_id": "str", "start": "int64", "end": "int64", "origin_rank": "int64", "seg_id": "int64",
        "turn": "int64", "origin": "str", "coder": "str", "concept_id": "str", "category_id": "str"})


@pytest.mark.parametrize("seed", range(6))
def test_edge_candidates_match_the_merge_of_both_ends(seed):
    from gtflow.mechanisms.quotes import edge_candidates

    placed_turns = random_placed_turns(seed, [0, 1, 5, 40, 200, 600][seed])
    edges = [("c1", "c2"), ("c2", "c1"), ("c1", "c1"), ("K1", "c3"), ("K2", "K1"), ("c3", "c9")]
    level_of = {"c1": "concept", "c2": "concept", "c3": "concept", "c9": "concept",
                "K1": "category", "K2": "category"}
    ours = list(edge_candidates(placed_turns, edges, level_of))
    reference = list(merged_edge_candidates(placed_turns, edges, level_of))
    assert len(ours) == len(reference)
    for mine, theirs in zip(ours, reference):
        pd.testing.assert_frame_equal(mine.reset_index(drop=True),
                                      theirs.reset_index(drop=True))


def grouped_best_quotes(candidates, texts, per_item, min_chars, max_chars):
    """The pandas way the quotes of a batch were chosen (a map of the source types, groupby
    cumcount and head), kept as the reference of :func:`gtflow.mechanisms.quotes.best_quotes`."""
    from gtflow.frames import sorted_stably, starts_of_runs
    from gtflow.mechanisms.cases import SOURCE_TYPES
    from gtflow.mechanisms.quotes import MANUAL_ORIGINS, shaped_candidates, spread_key

    shaped = shaped_candidates(candidates, texts, min_chars, max_chars)
    if shaped.empty:
        return shaped.assign(rank=pd.Series(dtype="int64"))
    shaped["is_auto"] = (~shaped["origin"].isin(MANUAL_ORIGINS)).astype(int)
    shaped["source_order"] = shaped["source_type"].map({s: i for i, s in enumerate(SOURCE_TYPES)})
    item = ["item_type", "item_id"]
    best = sorted_stably(shaped, [*item, "doc_id", "is_auto", "truncated", "origin_rank",
                                  "start", "end", "coder"])
    best = best[starts_of_runs(best, [*item, "doc_id"])]
    best["spread"] = [spread_key(t, i, d) for t, i, d in
                      zip(best["item_type"].tolist(), best["item_id"].tolist(),
                          best["doc_id"].tolist())]
    best = sorted_stably(best, [*item, "is_auto", "source_order", "truncated", "spread"])
    best["turn_in_type"] = best.groupby([*item, "is_auto", "source_order"]).cumcount()
    best = sorted_stably(best, [*item, "is_auto", "turn_in_type", "source_order", "truncated",
                                "spread"])
    chosen = best.groupby(item, sort=False).head(per_item).copy()
    chosen["rank"] = chosen.groupby(item, sort=False).cumcount() + 1
    return chosen


@pytest.mark.parametrize(("seed", "rows", "per_item"), [(0, 0, 2), (1, 1, 1), (2, 60, 2),
                                                       (3, 400, 3), (4, 400, 1), (5, 900, 5)])
def test_best_quotes_match_the_grouped_choice(seed, rows, per_item):
    import random

    from gtflow.mechanisms.quotes import best_quotes

    rng = random.Random(seed)
    texts = {d: f"{d}的第一句话很长很长。 {d}的第二句话也很长。" * 3
             for d in ("I1", "I2", "I3", "P1", "P2", "Q1", "Q2", "文")}
    source_of = {"I": "interview", "P": "web_page", "Q": "web_post", "文": "web_post"}
    records = []
    for _ in range(rows):
        doc_id = rng.choice(sorted(texts))
        origin = rng.choice(["auto", "auto", "csv", "review", "qdpx"])
        start = rng.randint(0, 20)
        records.append((rng.choice(["concept", "node", "edge"]), rng.choice(["c1", "K1", "é"]),
                        doc_id, start, start + rng.randint(0, 40), origin,
                        {"review": 0, "qdpx": 1, "csv": 2, "auto": 3}[origin],
                        "auto" if origin == "auto" else rng.choice(["coder_a", "Zoë"]),
                        source_of[doc_id[0]]))
    frame = pd.DataFrame(records, columns=CANDIDATE_COLUMNS).astype(
        {"start": "int64", "end": "int64", "origin_rank": "int64"})
    frame = frame.astype({c: "str" for c in CANDIDATE_COLUMNS if frame[c].dtype == object})
    ours = best_quotes(frame, texts, per_item, 4, 30)
    reference = grouped_best_quotes(frame, texts, per_item, 4, 30)
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), reference.reset_index(drop=True))
    if rows > 100:
        assert len(ours) and ours["rank"].max() == per_item


def test_source_orders_are_the_map_of_the_source_types():
    from gtflow.mechanisms.cases import SOURCE_TYPES
    from gtflow.mechanisms.quotes import source_orders

    order = {s: i for i, s in enumerate(SOURCE_TYPES)}
    for values in (["web_post", "interview", "web_page", "web_post"], [], ["web_post", "blog"]):
        for dtype in ("str", object):
            types = pd.Series(values, dtype=dtype)
            pd.testing.assert_series_equal(pd.Series(source_orders(types)),
                                           pd.Series(types.map(order)), check_dtype=bool(values))
