"""The exemplar quotes as they were chosen before the choice was made of arrays of numbers:
a frame of candidates per item, batches of items sorted by their text columns.

Kept as the reference that :func:`gtflow.mechanisms.quotes.exemplar_quotes` must equal (see
tests/unit/mechanisms/test_mech_quotes.py); the span fitting itself (``fitted_span``) is the
library's, tested on its own, as are the pieces the change left as they were
(``pairs_in_units``, ``spread_key``, ``ordered_quotes``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow.coding.codebook import edge_id
from gtflow.frames import first_of_runs, sorted_stably, starts_of_runs
from gtflow.mechanisms.cases import LEVEL_COLUMN, SOURCE_TYPES, codings_under, level_mask
from gtflow.mechanisms.quotes import (
    CANDIDATE_COLUMNS,
    MANUAL_ORIGINS,
    NOT_FITTED,
    fitted_span,
    ordered_quotes,
    pairs_in_units,
    spread_key,
)

EDGE_CODING_COLUMNS = ["doc_id", "start", "end", "origin", "origin_rank", "coder", "source_type"]
CANDIDATE_BATCH_ROWS = 60_000
FIT_COLUMNS = ["fit_start", "fit_end", "fit_truncated"]
FIT_CHUNK_ROWS = 200_000


def quotable_codings(placed: pd.DataFrame, texts: dict[str, str], min_chars: int,
                     max_chars: int) -> pd.DataFrame:
    """The codings whose span is long enough to quote, with its fitted span
    (:data:`FIT_COLUMNS`).

    A coding is a candidate of its concept and of every node above it: fitting each coding
    once here, not once per item, is most of what choosing the quotes costs on a large corpus;
    and one too short to quote is dropped here, before the items are gathered (on a web corpus
    most codings are a few words).
    """
    starts = np.empty(len(placed), dtype=np.int64)
    ends = np.empty(len(placed), dtype=np.int64)
    truncated = np.empty(len(placed), dtype=bool)
    for first in range(0, len(placed), FIT_CHUNK_ROWS):  # Python tuples for a chunk at a time
        chunk = slice(first, first + FIT_CHUNK_ROWS)
        starts[chunk], ends[chunk], truncated[chunk] = fit_spans(
            placed.iloc[chunk], texts, min_chars, max_chars)
    fits = starts >= 0
    return placed[fits].assign(fit_start=starts[fits], fit_end=ends[fits],
                               fit_truncated=truncated[fits])


def fit_spans(spans: pd.DataFrame, texts: dict[str, str], min_chars: int,
              max_chars: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and truncated flag of the fitted span of each row (doc_id, start, end) of
    ``spans`` (start -1: too short)."""
    span_starts = spans["start"].to_numpy(np.int64)
    span_ends = spans["end"].to_numpy(np.int64)
    starts = np.full(len(spans), NOT_FITTED[0], dtype=np.int64)
    ends = np.full(len(spans), NOT_FITTED[1], dtype=np.int64)
    truncated = np.full(len(spans), NOT_FITTED[2], dtype=bool)
    # Trimming only shortens a span: one already shorter than min_chars is too short without
    # its text being looked at (most codings of a web corpus, a few words each).
    rows = np.flatnonzero(span_ends - span_starts >= min_chars)
    if len(rows):
        doc_ids = pa.array(spans["doc_id"], from_pandas=True).take(rows).to_pylist()
        fitted = [fitted_span(texts[d], s, e, min_chars, max_chars) or NOT_FITTED for d, s, e in
                  zip(doc_ids, span_starts[rows].tolist(), span_ends[rows].tolist())]
        fit_starts, fit_ends, fit_truncated = zip(*fitted)
        starts[rows], ends[rows], truncated[rows] = fit_starts, fit_ends, fit_truncated
    return starts, ends, truncated


def concept_candidates(placed: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """Quote candidates of each coded concept (one per coding), a frame per concept; with the
    fitted spans when ``placed`` has them (:func:`quotable_codings`)."""
    columns = candidate_columns(placed)
    for concept, rows in placed.groupby("concept_id", sort=False):
        yield rows.assign(item_type="concept", item_id=concept)[columns]


def candidate_columns(placed: pd.DataFrame) -> list[str]:
    """The candidate columns, and the fitted span's when the codings carry it."""
    return [*CANDIDATE_COLUMNS, *(c for c in FIT_COLUMNS if c in placed)]


def node_candidates(placed: pd.DataFrame, nodes: list[str],
                    level_of: dict[str, str]) -> Iterator[pd.DataFrame]:
    """Quote candidates of each model node (the codings of every concept below it), a frame
    per node."""
    columns = candidate_columns(placed)
    for node in nodes:
        rows = codings_under(placed, node, level_of[node])
        yield rows.assign(item_type="node", item_id=node)[columns]


def with_turns(placed: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Codings with the speaker turn of the sentence they are anchored to (``seg_id``); only the
    columns edge candidates use, since this copy is held while every edge is paired."""
    turns = segments[["doc_id", "seg_id", "turn"]].drop_duplicates(["doc_id", "seg_id"])
    levels = [column for column in LEVEL_COLUMN.values() if column in placed]
    return placed[[*EDGE_CODING_COLUMNS, "seg_id", *levels]].merge(turns, on=["doc_id", "seg_id"],
                                                                   how="inner")


def edge_candidates(placed_turns: pd.DataFrame, edges: list[tuple[str, str]],
                    level_of: dict[str, str]) -> Iterator[pd.DataFrame]:
    """Quote candidates of each edge (per turn holding both ends, the tightest pair of codings),
    a frame per edge."""
    unit = turn_units(placed_turns)
    columns = {name: placed_turns[name].to_numpy(np.int64)
               for name in ("start", "end", "origin_rank")}
    coder_codes, coder_names = pd.factorize(placed_turns["coder"])
    coder_codes = coder_codes.astype(np.int64)
    for source, target in edges:
        a = np.flatnonzero(level_mask(placed_turns, source, level_of[source]))
        b = np.flatnonzero(level_mask(placed_turns, target, level_of[target]))
        pair_a, pair_b = pairs_in_units(unit, a, b)
        if not len(pair_a):
            continue
        yield edge_pair_candidates(placed_turns, unit, columns, coder_codes, list(coder_names),
                                   pair_a, pair_b, edge_id(source, target))


def turn_units(placed_turns: pd.DataFrame) -> np.ndarray:
    """A number per coding naming its (doc_id, turn), ascending in that order."""
    if not len(placed_turns):
        return np.zeros(0, dtype=np.int64)
    doc_numbers = pd.factorize(placed_turns["doc_id"], sort=True)[0].astype(np.int64)
    turns = placed_turns["turn"].to_numpy(np.int64)
    order = np.lexsort((turns, doc_numbers))
    changed = np.ones(len(order), dtype=bool)
    changed[1:] = ((doc_numbers[order][1:] != doc_numbers[order][:-1])
                   | (turns[order][1:] != turns[order][:-1]))
    unit = np.empty(len(order), dtype=np.int64)
    unit[order] = np.cumsum(changed) - 1
    return unit


def edge_pair_candidates(placed_turns: pd.DataFrame, unit: np.ndarray,
                         columns: dict[str, np.ndarray], coder_codes: np.ndarray,
                         coder_names: list[str], pair_a: np.ndarray, pair_b: np.ndarray,
                         item_id: str) -> pd.DataFrame:
    """The edge's candidate of each unit: of the unit's pairs (codings ``pair_a`` of the
    source, ``pair_b`` of the target), the one of the lowest (origin rank, width, start, end,
    coder), the first of equals; its span runs from the earlier start to the later end."""
    start = np.minimum(columns["start"][pair_a], columns["start"][pair_b])
    end = np.maximum(columns["end"][pair_a], columns["end"][pair_b])
    rank_a, rank_b = columns["origin_rank"][pair_a], columns["origin_rank"][pair_b]
    origin_rank = np.maximum(rank_a, rank_b)
    coder = pair_coders(coder_codes[pair_a], coder_codes[pair_b], coder_names)
    coder_order = np.unique(coder, return_inverse=True)[1]  # sorted by code point, as Arrow
    order = np.lexsort((coder_order, end, start, end - start, origin_rank, unit[pair_a]))
    best = order[first_of_runs(unit[pair_a][order])]
    # The origin of the pair's higher-ranked coding (the source's of equals).
    origin_row = np.where(rank_a[best] >= rank_b[best], pair_a[best], pair_b[best])
    source_rows = placed_turns.iloc[pair_a[best]].reset_index(drop=True)
    return pd.DataFrame({
        "item_type": "edge", "item_id": item_id, "doc_id": source_rows["doc_id"],
        "start": start[best], "end": end[best],
        "origin": placed_turns["origin"].iloc[origin_row].reset_index(drop=True),
        "origin_rank": origin_rank[best], "coder": coder[best].tolist(),
        "source_type": source_rows["source_type"]}, columns=CANDIDATE_COLUMNS)


def pair_coders(a: np.ndarray, b: np.ndarray, names: list[str]) -> np.ndarray:
    """The coder of each pair of codings (coder numbers into ``names``): the one coder, or
    both joined by "+" in sorted order."""
    labels = np.empty(len(a), dtype=object)
    same = a == b
    labels[same] = np.asarray(names, dtype=object)[a[same]]
    for x, y in set(zip(a[~same].tolist(), b[~same].tolist())):
        labels[~same & (a == x) & (b == y)] = "+".join(sorted({names[x], names[y]}))
    return labels


def shaped_candidates(candidates: pd.DataFrame, texts: dict[str, str], min_chars: int,
                      max_chars: int) -> pd.DataFrame:
    """Candidates with the offsets and truncated flag of their quote; too-short spans dropped.

    Candidates that carry their fitted span (:data:`FIT_COLUMNS`, from :func:`quotable_codings`)
    are not fitted again; of the others each distinct span (doc_id, start, end) is fitted once,
    however many items it is a candidate for. The quote text itself is cut later, for the
    chosen quotes only.
    """
    unique = candidates.drop_duplicates(["item_type", "item_id", "doc_id", "start", "end", "origin",
                                         "coder"]).reset_index(drop=True)
    if unique.empty:
        return unique.assign(truncated=pd.Series(dtype=bool))[[*CANDIDATE_COLUMNS, "truncated"]]
    starts, ends, truncated = fitted_columns(unique, texts, min_chars, max_chars)
    fits = starts >= 0
    shaped = unique[fits].reset_index(drop=True)
    shaped["start"], shaped["end"] = starts[fits].astype(np.int64), ends[fits].astype(np.int64)
    shaped["truncated"] = truncated[fits].astype(bool)
    return shaped[[*CANDIDATE_COLUMNS, "truncated"]]


def fitted_columns(candidates: pd.DataFrame, texts: dict[str, str], min_chars: int,
                   max_chars: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and truncated flag of each candidate's fitted span (start -1: too short):
    carried over where the candidate has them, fitted once per distinct span where not."""
    starts = np.full(len(candidates), -1, dtype=np.int64)
    ends = np.full(len(candidates), -1, dtype=np.int64)
    truncated = np.zeros(len(candidates), dtype=bool)
    carried = (candidates["fit_start"].notna().to_numpy() if "fit_start" in candidates
               else np.zeros(len(candidates), dtype=bool))
    if carried.any():
        starts[carried] = candidates["fit_start"].to_numpy()[carried]
        ends[carried] = candidates["fit_end"].to_numpy()[carried]
        truncated[carried] = candidates["fit_truncated"].to_numpy()[carried].astype(bool)
    rest = np.flatnonzero(~carried)
    if len(rest):
        unfitted = candidates.iloc[rest]
        span_of = unfitted.groupby(["doc_id", "start", "end"], sort=False).ngroup().to_numpy()
        spans = unfitted.iloc[pd.Series(np.arange(len(unfitted))).groupby(span_of).first().to_numpy()]
        fit_starts, fit_ends, fit_truncated = fit_spans(spans, texts, min_chars, max_chars)
        starts[rest], ends[rest], truncated[rest] = (fit_starts[span_of], fit_ends[span_of],
                                                     fit_truncated[span_of])
    return starts, ends, truncated


def best_quotes(candidates: pd.DataFrame, texts: dict[str, str], per_item: int, min_chars: int,
                max_chars: int) -> pd.DataFrame:
    """The chosen quotes of the items in ``candidates`` (every candidate of each item present),
    ranked within each item, without their text (see the module docstring for the rule)."""
    shaped = shaped_candidates(candidates, texts, min_chars, max_chars)
    if shaped.empty:
        return shaped.assign(rank=pd.Series(dtype="int64"))
    shaped["is_auto"] = (~shaped["origin"].isin(MANUAL_ORIGINS)).astype(int)
    shaped["source_order"] = source_orders(shaped["source_type"])
    item = ["item_type", "item_id"]
    best = sorted_stably(shaped, [*item, "doc_id", "is_auto", "truncated", "origin_rank",
                                  "start", "end", "coder"])
    best = best[starts_of_runs(best, [*item, "doc_id"])]
    best["spread"] = [spread_key(t, i, d) for t, i, d in
                      zip(best["item_type"].tolist(), best["item_id"].tolist(),
                          best["doc_id"].tolist())]
    best = sorted_stably(best, [*item, "is_auto", "source_order", "truncated", "spread"])
    best["turn_in_type"] = positions_in_runs(best, [*item, "is_auto", "source_order"])
    best = sorted_stably(best, [*item, "is_auto", "turn_in_type", "source_order", "truncated",
                                "spread"])
    position = positions_in_runs(best, item)
    chosen = best[position < per_item].copy()
    chosen["rank"] = position[position < per_item] + 1
    return chosen


def source_orders(source_types: pd.Series) -> pd.Series | np.ndarray:
    """Each source type's place in :data:`SOURCE_TYPES` (what a ``map`` of it gives), looked
    up by Arrow: pandas maps Arrow text one value at a time."""
    values = pa.array(source_types, from_pandas=True)
    found = (pc.index_in(values, value_set=pa.array(SOURCE_TYPES, type=values.type))
             if pa.types.is_string(values.type) or pa.types.is_large_string(values.type) else None)
    if found is None or found.null_count:  # a type the corpus never has: pandas' NaN, as before
        return source_types.map({s: i for i, s in enumerate(SOURCE_TYPES)})
    return np.asarray(found.to_numpy(), dtype=np.int64)


def positions_in_runs(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """For a frame sorted by ``keys`` (without missing values): each row's position among the
    rows of its keys, which there is ``groupby(keys).cumcount()``; neighbours compared, not
    the text keys hashed."""
    index = np.arange(len(frame), dtype=np.int64)
    run_first = np.maximum.accumulate(np.where(starts_of_runs(frame, keys), index, 0)) \
        if len(frame) else index
    return index - run_first


def choose_quotes(candidates: pd.DataFrame, texts: dict[str, str], per_item: int, min_chars: int,
                  max_chars: int, item_order: dict[tuple[str, str], int]) -> pd.DataFrame:
    """The exemplar quotes of every item in ``candidates`` (see the module docstring)."""
    return ordered_quotes(best_quotes(candidates, texts, per_item, min_chars, max_chars), texts,
                          item_order)


def item_batches(frames: Iterable[pd.DataFrame], rows: int) -> Iterator[pd.DataFrame]:
    """Whole items' candidate frames joined into batches of about ``rows`` rows, so memory
    holds one batch of candidates, not every item's."""
    batch, size = [], 0
    for frame in frames:
        if len(frame):
            batch.append(frame)
            size += len(frame)
        if size >= rows:
            yield pd.concat(batch, ignore_index=True)
            batch, size = [], 0
    if batch:
        yield pd.concat(batch, ignore_index=True)


def exemplar_quotes(placed: pd.DataFrame, segments: pd.DataFrame, texts: dict[str, str],
                    model: dict, codes: pd.DataFrame, per_item: int, min_chars: int,
                    max_chars: int) -> pd.DataFrame:
    """quotes.csv: quotes for every coded concept, every model node and every model edge."""
    level_of = dict(zip(codes["code_id"], codes["level"]))
    nodes = [n["id"] for n in model["nodes"]]
    edges = [(e["from"], e["to"]) for e in model["edges"]]
    fitted = quotable_codings(placed, texts, min_chars, max_chars)
    candidates = itertools.chain(concept_candidates(fitted),
                                 node_candidates(fitted, nodes, level_of),
                                 edge_candidates(with_turns(placed, segments), edges, level_of))
    chosen = [best_quotes(batch, texts, per_item, min_chars, max_chars)
              for batch in item_batches(candidates, CANDIDATE_BATCH_ROWS)]
    chosen = [c for c in chosen if len(c)]
    concepts = codes.loc[codes["level"] == "concept", "code_id"].tolist()
    item_order = {("concept", c): i for i, c in enumerate(concepts)}
    item_order.update({("node", n): i for i, n in enumerate(nodes)})
    item_order.update({("edge", edge_id(a, b)): i for i, (a, b) in enumerate(edges)})
    return ordered_quotes(pd.concat(chosen, ignore_index=True) if chosen else pd.DataFrame(),
                          texts, item_order)
