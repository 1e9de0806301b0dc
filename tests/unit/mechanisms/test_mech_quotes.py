"""Exemplar quotes: shape, offsets, order of preference, spread and determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from mech_corpus import MODEL, clean_texts, codebook, codings, documents_and_segments

from gtflow.mechanisms.cases import SOURCE_TYPES, code_table, corpus_documents, placed_codings
from gtflow.mechanisms.quotes import (
    CANDIDATE_COLUMNS,
    CHOSEN_COLUMNS,
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
    alphabet = "涟源平安。 \n\tab　！x😀\ud800\u2028"
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
def test_fitted_arrays_match_fitting_each_span_in_python(bounds):
    from gtflow.mechanisms.quotes import NOT_FITTED, DocumentTexts, fitted_arrays, fitted_span

    frame, texts = random_spans(11, 3000)
    doc_ids = pa.array(sorted(texts), type=pa.large_string())
    numbers = pd.Series(range(len(doc_ids)), index=doc_ids.to_pylist())[frame["doc_id"]].to_numpy()
    spans = (numbers, frame["start"].to_numpy(np.int64), frame["end"].to_numpy(np.int64))
    starts, ends, truncated = fitted_arrays(DocumentTexts(doc_ids, texts), *spans, *bounds)
    expected = [fitted_span(texts[d], s, e, *bounds) or NOT_FITTED
                for d, s, e in zip(frame["doc_id"], frame["start"], frame["end"])]
    assert list(zip(starts.tolist(), ends.tolist(), truncated.tolist())) == expected
    assert (starts.dtype, ends.dtype, truncated.dtype) == (np.int64, np.int64, bool)
    empty = fitted_arrays(DocumentTexts(doc_ids, texts), *(a[:0] for a in spans), *bounds)
    assert [len(a) for a in empty] == [0, 0, 0]


def test_plain_spans_are_those_fitting_leaves_as_they_are():
    from gtflow.mechanisms.quotes import DocumentTexts, fitted_span, plain_spans

    frame, texts = random_spans(12, 3000)
    doc_ids = pa.array(sorted(texts), type=pa.large_string())
    numbers = pd.Series(range(len(doc_ids)), index=doc_ids.to_pylist())[frame["doc_id"]].to_numpy()
    starts, ends = frame["start"].to_numpy(np.int64), frame["end"].to_numpy(np.int64)
    long_enough = np.flatnonzero(ends - starts >= 3)
    plain = plain_spans(DocumentTexts(doc_ids, texts), numbers[long_enough],
                        starts[long_enough], ends[long_enough], 12)
    assert 0 < plain.sum() < len(plain)
    for row, is_plain in zip(long_enough.tolist(), plain.tolist()):
        text = texts[frame["doc_id"].iloc[row]]
        fitted = fitted_span(text, int(starts[row]), int(ends[row]), 3, 12)
        assert is_plain == (fitted == (starts[row], ends[row], False))


def merged_edge_candidates(placed_turns, edges, level_of):
    """The pandas way edge candidates were made (a merge of each edge's ends on doc_id and
    turn), kept as the reference of :func:`gtflow.mechanisms.quotes.edge_candidates`."""
    from reference_quotes import EDGE_CODING_COLUMNS

    from gtflow.coding.codebook import edge_id
    from gtflow.frames import sorted_stably, starts_of_runs
    from gtflow.mechanisms.cases import codings_under


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


def candidate_records(source, item_id, candidates):
    """Edge candidates (:class:`gtflow.mechanisms.quotes.Candidates`) as the rows of a frame
    of :data:`CANDIDATE_COLUMNS`."""
    return [{"item_type": "edge", "item_id": item_id, "doc_id": doc_id, "start": start,
             "end": end, "origin": source.origins[origin], "origin_rank": rank,
             "coder": candidates.coders[coder], "source_type": source.source_types[doc].as_py()}
            for doc_id, doc, start, end, origin, rank, coder in zip(
                source.doc_ids.take(candidates.doc).to_pylist(), candidates.doc.tolist(),
                candidates.start.tolist(), candidates.end.tolist(), candidates.origin.tolist(),
                candidates.origin_rank.tolist(), candidates.coder.tolist())]


def by_document(record):
    return record["doc_id"]


@pytest.mark.parametrize("seed", range(6))
def test_edge_candidates_match_the_merge_of_both_ends(seed):
    from gtflow.mechanisms.quotes import QuoteSource, edge_candidates

    placed_turns = random_placed_turns(seed, [0, 1, 5, 40, 200, 600][seed])
    edges = [("c1", "c2"), ("c2", "c1"), ("c1", "c1"), ("K1", "c3"), ("K2", "K1"), ("c3", "c9")]
    level_of = {"c1": "concept", "c2": "concept", "c3": "concept", "c9": "concept",
                "K1": "category", "K2": "category"}
    source = QuoteSource.of(placed_turns)
    ours = [candidate_records(source, item_id, candidates) for item_id, candidates in
            edge_candidates(source, placed_turns, placed_turns["turn"].to_numpy(np.int64),
                            np.ones(len(placed_turns), dtype=bool), edges, level_of)]
    reference = [frame.to_dict("records")
                 for frame in merged_edge_candidates(placed_turns, edges, level_of)]
    # Documents may come in another order (numbered as they appear, not by doc_id); within a
    # document the candidates keep turn order, which is all that breaks ties later.
    assert [sorted(records, key=by_document) for records in ours] == reference
    if seed >= 4:  # every edge but the one to an uncoded concept has candidates
        assert len(ours) == len(edges) - 1


def grouped_best_quotes(candidates, texts, per_item, min_chars, max_chars):
    """The pandas way the quotes of a batch were chosen (a map of the source types, groupby
    cumcount and head), kept as the reference of :func:`gtflow.mechanisms.quotes.best_quotes`."""
    from reference_quotes import shaped_candidates

    from gtflow.frames import sorted_stably, starts_of_runs
    from gtflow.mechanisms.cases import SOURCE_TYPES
    from gtflow.mechanisms.quotes import MANUAL_ORIGINS, spread_key

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
    ours = best_quotes(frame, texts, per_item, 4, 30).sort_values(["item_type", "item_id", "rank"])
    reference = grouped_best_quotes(frame, texts, per_item, 4, 30)
    assert list(ours.columns) == CHOSEN_COLUMNS
    assert (ours.to_dict("records")
            == reference.sort_values(["item_type", "item_id", "rank"])[CHOSEN_COLUMNS].to_dict("records"))
    if rows > 100:
        assert len(ours) and ours["rank"].max() == per_item


def random_study(seed: int, n_docs: int, n_codings: int, manual: float, sort: bool):
    """Placed codings, segments and texts of a random study: spans bordered by white space,
    too short and too long ones, manual and auto codings of every origin, several coders,
    codings of sentences the segments lack, a sentence listed twice with different turns,
    non-ASCII document ids; a share ``manual`` of the codings manual; codings sorted as
    placed_codings sorts them, or not."""
    import itertools
    import random

    from gtflow.frames import sorted_stably

    rng = random.Random(seed)
    alphabet = "涟源平安治理创新。 \n\t　！?ab😀"
    concepts = {"c1": "K1", "c2": "K1", "c3": "K2", "c4": "K3", "c5": "K3"}
    mains = {"K1": "M1", "K2": "M1", "K3": "M2"}
    origins = {"auto": 3, "csv": 2, "review": 0, "qdpx": 1}
    doc_ids = [rng.choice(["D", "文", "Dé", "d"]) + str(i) for i in range(n_docs)]
    texts, sources, segment_rows = {}, {}, []
    for doc_id in doc_ids:
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 90)))
        texts[doc_id], sources[doc_id] = text, rng.choice(SOURCE_TYPES)
        bounds = sorted({0, len(text), *(rng.randint(0, len(text)) for _ in range(4))})
        turn = 0
        for seg_id, (start, end) in enumerate(itertools.pairwise(bounds)):
            turn += rng.random() < 0.4
            segment_rows.append((doc_id, seg_id, turn, start, end))
        if turn and rng.random() < 0.5:  # the last sentence again, in the first turn
            segment_rows.append((*segment_rows[-1][:2], 0, *segment_rows[-1][3:]))
    records = []
    for _ in range(n_codings):
        doc_id = rng.choice(doc_ids)
        text = texts[doc_id]
        start = rng.randint(0, len(text))
        end = min(len(text), start + rng.choice([0, 2, 5, 12, 30, 80]))
        origin = rng.choice(sorted(origins)) if rng.random() < manual else "auto"
        concept = rng.choice(sorted(concepts))
        records.append({
            "doc_id": doc_id, "seg_id": rng.randint(0, 6), "start": start, "end": end,
            "concept_id": concept, "coder": "auto" if origin == "auto" else rng.choice(
                ["coder_a", "Zoë", "b"]), "origin": origin, "rule": "", "source_type": sources[doc_id],
            "category_id": concepts[concept], "main_category_id": mains[concepts[concept]],
            "core_id": "C", "origin_rank": origins[origin]})
    placed = pd.DataFrame(records, columns=["doc_id", "seg_id", "start", "end", "concept_id",
                                            "coder", "origin", "rule", "source_type",
                                            "category_id", "main_category_id", "core_id",
                                            "origin_rank"]).astype(
        {"seg_id": "int64", "start": "int64", "end": "int64", "origin_rank": "int64"})
    if sort:
        placed = sorted_stably(placed, ["doc_id", "seg_id", "concept_id", "origin_rank", "coder",
                                        "start", "end"]).reset_index(drop=True)
    segments = pd.DataFrame(segment_rows, columns=["doc_id", "seg_id", "turn", "start", "end"])
    codes = pd.DataFrame(
        [("C", "core"), ("M1", "main_category"), ("M2", "main_category"), ("M3", "main_category"),
         ("K1", "category"), ("K2", "category"), ("K3", "category"),
         *((c, "concept") for c in concepts), ("c9", "concept")], columns=["code_id", "level"])
    return placed, segments, texts, codes


RANDOM_MODEL = {
    "nodes": [{"id": n} for n in ("M1", "K1", "K3", "M2", "C", "M3", "K1")],
    "edges": [{"from": a, "to": b} for a, b in (("M1", "M2"), ("K1", "K3"), ("K1", "K1"),
                                                 ("C", "M2"), ("M3", "M1"), ("K3", "M1"),
                                                 ("M1", "M2"))]}


@pytest.mark.parametrize(("seed", "n_docs", "n_codings", "manual", "sort", "bounds"), [
    (0, 0, 0, 0.5, True, (2, 2, 20)), (1, 1, 1, 0.5, True, (2, 1, 20)),
    (2, 6, 40, 0.5, True, (2, 4, 20)), (3, 30, 400, 0.3, True, (3, 3, 25)),
    (4, 30, 400, 0.0, False, (2, 6, 14)), (5, 80, 1500, 0.0, True, (5, 1, 8)),
    (6, 200, 3000, 0.02, False, (1, 8, 60))])
def test_exemplar_quotes_match_the_former_choice(seed, n_docs, n_codings, manual, sort, bounds,
                                                 monkeypatch):
    import reference_quotes

    placed, segments, texts, codes = random_study(seed, n_docs, n_codings, manual, sort)
    ours = exemplar_quotes(placed, segments, texts, RANDOM_MODEL, codes, *bounds)
    # Small batches as well: the former choice did not depend on where batches were cut.
    for batch_rows in (60_000, 7):
        monkeypatch.setattr(reference_quotes, "CANDIDATE_BATCH_ROWS", batch_rows)
        former = reference_quotes.exemplar_quotes(placed, segments, texts, RANDOM_MODEL, codes,
                                                  *bounds)
        if batch_rows > n_codings:  # a twice-named node or edge is one item, as in one batch
            pd.testing.assert_frame_equal(ours, former)
        else:
            pd.testing.assert_frame_equal(ours, former.drop_duplicates(ignore_index=True))
    if n_codings > 100:
        assert set(ours["item_type"]) == {"concept", "node", "edge"}
        assert (ours["origin"] != "auto").any() == (manual > 0)
        if manual >= 0.3:  # edges quoting pairs of two coders' codings
            assert ours["coder"].str.contains("+", regex=False).any()


def test_spread_order_sorts_by_every_word_when_first_words_tie():
    from gtflow.mechanisms.quotes import spread_order

    rng = np.random.default_rng(3)
    for rows in (0, 1, 2, 50, 400):
        # Few distinct words: rows of one group share first (and later) words.
        spread = rng.integers(0, 3, size=(rows, 4)).astype(np.uint64) * np.uint64(2**63 - 1)
        group = rng.integers(0, 4, size=rows)
        expected = sorted(range(rows), key=lambda i: (group[i], *spread[i].tolist(), i))
        assert spread_order(group, spread).tolist() == expected


@pytest.mark.parametrize(("seed", "spread"), [(0, 4), (1, 4), (2, 2**40), (3, 2**62)])
def test_first_rows_of_pairs_are_the_first_row_of_each_pair(seed, spread):
    from gtflow.mechanisms.quotes import first_rows_of_pairs

    rng = np.random.default_rng(seed)
    for rows in (0, 1, 30, 500):
        table_a = rng.integers(0, 6, size=rows)
        table_b = rng.integers(-spread, spread, size=rows, dtype=np.int64)
        if seed == 1:  # sorted, as the clean stage writes sentences
            order = np.lexsort((table_b, table_a))
            table_a, table_b = table_a[order], table_b[order]
        a = rng.integers(0, 7, size=200)
        b = np.where(rng.random(200) < 0.7, rng.choice(np.r_[table_b, 0], size=200),
                     rng.integers(-spread, spread, size=200, dtype=np.int64))
        first = {}
        for row, pair in enumerate(zip(table_a.tolist(), table_b.tolist())):
            first.setdefault(pair, row)
        expected = [first.get(pair, -1) for pair in zip(a.tolist(), b.tolist())]
        assert first_rows_of_pairs(table_a, table_b, a, b).tolist() == expected
