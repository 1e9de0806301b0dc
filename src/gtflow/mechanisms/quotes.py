"""Exemplar quotes for concepts, model nodes and model edges, chosen deterministically.

Candidates
    concept / node: every coding of the concept (of any concept below the node), its span the
    coding's ``start..end``. edge: every speaker turn in which both ends are coded; the span is
    the tightest pair of codings (one per end) in that turn, from the earlier start to the later
    end. An edge quote counts as manual only when both of its codings are manual.

Shape
    Leading and trailing white space is trimmed (offsets move with it). A span shorter than
    ``min_chars`` is not a candidate. A span longer than ``max_chars`` is cut: at the last
    sentence end (。！？!?；; or a line break) that keeps at least ``min_chars`` characters,
    otherwise hard at ``max_chars - 1`` characters, and "…" is appended. ``start``/``end``
    always cite the quoted characters without the "…": ``text[start:end]`` equals the quote
    (minus the trailing "…" when ``truncated``).

Choice (per item, ``per_item`` quotes)
    1. at most one quote per document: the document's best candidate (manual before auto, then
       untruncated before truncated, then earliest);
    2. manual quotes before auto quotes;
    3. within each, round-robin over source types (interview, web page, web post), so one item's
       quotes spread over kinds of material; inside a source type, untruncated first, then a
       stable hash of (item, document) — a fixed order that varies between items, so the same
       document is not quoted for everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow.coding.codebook import edge_id
from gtflow.frames import first_of_runs, offsets_within_runs, positions_by_code, value_numbers
from gtflow.mechanisms.cases import LEVEL_COLUMN, SOURCE_TYPES
from gtflow.mechanisms.codepoints import JoinedTexts, is_white_space

QUOTE_COLUMNS = ["item_type", "item_id", "rank", "doc_id", "start", "end", "quote", "origin", "coder",
                 "source_type", "truncated"]
#: A chosen quote before its text is cut.
CHOSEN_COLUMNS = [c for c in QUOTE_COLUMNS if c != "quote"]
CANDIDATE_COLUMNS = ["item_type", "item_id", "doc_id", "start", "end", "origin", "origin_rank",
                     "coder", "source_type"]
ITEM_TYPES = ("concept", "node", "edge")
CONCEPT_QUOTE_FIELDS = ["rank", "doc_id", "start", "end", "quote", "truncated"]
SENTENCE_ENDS = set("。！？!?；;\n")
ELLIPSIS = "…"
#: Spans fitted at a time (their texts and offsets are Python values meanwhile).
FIT_CHUNK_ROWS = 200_000
#: What a span too short to quote is fitted to (start -1 marks it).
NOT_FITTED = (-1, -1, False)
MANUAL_ORIGINS = {"csv", "qdpx", "review"}
NO_ROWS = np.zeros(0, dtype=np.int64)


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def fitted_span(text: str, start: int, end: int, min_chars: int,
                max_chars: int) -> tuple[int, int, bool] | None:
    """(start, end, truncated) of the quoted characters of a span within the length bounds
    (without the "…" a truncated quote ends in), or None if the span is too short."""
    if start < end and (text[start].isspace() or text[end - 1].isspace()):
        start, end = trimmed_span(text, start, end)  # most spans need no trimming: no call
    if end - start < min_chars:
        return None
    if end - start <= max_chars:
        return start, end, False
    room = max(max_chars - len(ELLIPSIS), 1)
    window = text[start:start + room]
    cut = next((i + 1 for i in range(len(window) - 1, -1, -1)
                if window[i] in SENTENCE_ENDS and i + 1 >= min_chars), room)
    start, cut_end = trimmed_span(text, start, start + cut)
    return start, cut_end, True


def quote_text(text: str, start: int, end: int, truncated: bool) -> str:
    """The quote of a fitted span: its characters, and "…" when it was cut."""
    return text[start:end] + (ELLIPSIS if truncated else "")


def fit_quote(text: str, start: int, end: int, min_chars: int,
              max_chars: int) -> tuple[int, int, str, bool] | None:
    """(start, end, quote, truncated) of a span within the length bounds, or None if too short."""
    fitted = fitted_span(text, start, end, min_chars, max_chars)
    if fitted is None:
        return None
    start, end, truncated = fitted
    return start, end, quote_text(text, start, end, truncated), truncated


@dataclass(frozen=True)
class DocumentTexts:
    """The texts of numbered documents: number i is ``doc_ids[i]``, its text ``texts[doc_id]``."""

    doc_ids: pa.Array
    texts: dict[str, str]

    def of(self, numbers: np.ndarray) -> list[str]:
        """The texts of some document numbers, in that order."""
        texts = self.texts
        return [texts[d] for d in self.doc_ids.take(numbers).to_pylist()]


def fitted_arrays(texts: DocumentTexts, docs: np.ndarray, span_starts: np.ndarray,
                  span_ends: np.ndarray, min_chars: int,
                  max_chars: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and truncated flag of the fitted span (:func:`fitted_span`) of each span
    (document number, start, end); start -1: too short."""
    starts = np.full(len(docs), NOT_FITTED[0], dtype=np.int64)
    ends = np.full(len(docs), NOT_FITTED[1], dtype=np.int64)
    truncated = np.full(len(docs), NOT_FITTED[2], dtype=bool)
    # Trimming only shortens a span: one already shorter than min_chars is too short without
    # its text being looked at (most codings of a web corpus, a few words each).
    rows = np.flatnonzero(span_ends - span_starts >= min_chars)
    for first in range(0, len(rows), FIT_CHUNK_ROWS):
        chunk = rows[first:first + FIT_CHUNK_ROWS]
        plain = plain_spans(texts, docs[chunk], span_starts[chunk], span_ends[chunk], max_chars)
        fast, slow = chunk[plain], chunk[~plain]
        starts[fast], ends[fast] = span_starts[fast], span_ends[fast]
        if len(slow):
            fitted = [fitted_span(t, s, e, min_chars, max_chars) or NOT_FITTED for t, s, e in
                      zip(texts.of(docs[slow]), span_starts[slow].tolist(),
                          span_ends[slow].tolist())]
            starts[slow], ends[slow], truncated[slow] = zip(*fitted)
    return starts, ends, truncated


def plain_spans(texts: DocumentTexts, docs: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                max_chars: int) -> np.ndarray:
    """Per span (document number, start, end; none shorter than the quotes' minimum): whether
    it is quoted as it is, not longer than ``max_chars`` and without white space to trim at
    either end. Looked up in numpy (most spans are): the rest are fitted in Python."""
    text, distinct = pd.factorize(docs)
    joined = JoinedTexts.of(texts.of(distinct))
    plain = joined.within(text, starts, ends) & (ends - starts <= max_chars)
    rows = np.flatnonzero(plain)
    plain[rows] = ~(is_white_space(joined.at(text[rows], starts[rows]))
                    | is_white_space(joined.at(text[rows], ends[rows] - 1)))
    return plain


@dataclass(frozen=True)
class Candidates:
    """Quote candidates of one item as arrays, an earlier row winning a tie: the document (a
    number into :attr:`QuoteSource.doc_ids`), the quoted span (fitted) and its truncated flag,
    the origin (a number into :attr:`QuoteSource.origins`) and its rank, and the coder (a
    number into ``coders``, which are sorted by code point: numbers order as names do)."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    truncated: np.ndarray
    origin: np.ndarray
    origin_rank: np.ndarray
    coder: np.ndarray
    coders: list[str]

    def take(self, rows: np.ndarray) -> Candidates:
        """The candidates at some row positions, in that order."""
        return Candidates(self.doc[rows], self.start[rows], self.end[rows], self.truncated[rows],
                          self.origin[rows], self.origin_rank[rows], self.coder[rows],
                          self.coders)


@dataclass(frozen=True)
class QuoteSource:
    """What choosing quotes reads of some codings, as numbers. Per coding: its document
    (``doc``, numbering ``doc_ids``), origin (numbering ``origins``), origin rank and coder
    (numbering ``coders``, sorted by code point). Per document: its source type and that
    type's place in :data:`SOURCE_TYPES` (``source_order``; one past the end for another)."""

    doc_ids: pa.Array
    source_types: pa.Array
    source_order: np.ndarray
    origins: list[str]
    doc: np.ndarray
    origin: np.ndarray
    origin_rank: np.ndarray
    coder: np.ndarray
    coders: list[str]

    @classmethod
    def of(cls, codings: pd.DataFrame) -> QuoteSource:
        """Number the documents, origins and coders of codings (doc_id, origin, origin_rank,
        coder and source_type)."""
        doc, doc_ids, first_rows = value_numbers(
            pa.array(codings["doc_id"], from_pandas=True).cast(pa.large_string()))
        source_types = pa.array(codings["source_type"], from_pandas=True).cast(
            pa.large_string()).take(first_rows)
        origin, origins = pd.factorize(codings["origin"])
        coder, coders = sorted_codes(codings["coder"])
        return cls(doc_ids, source_types, source_places(source_types),
                   [str(o) for o in origins], doc, origin.astype(np.int64),
                   codings["origin_rank"].to_numpy(np.int64), coder, coders)

    def candidates(self, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                   truncated: np.ndarray) -> Candidates:
        """The codings at some row positions as candidates quoting the given spans."""
        return Candidates(self.doc[rows], starts, ends, truncated, self.origin[rows],
                          self.origin_rank[rows], self.coder[rows], self.coders)


def source_places(source_types: pa.Array) -> np.ndarray:
    """Each source type's place in :data:`SOURCE_TYPES` (one past the end for another)."""
    found = pc.index_in(source_types, value_set=pa.array(SOURCE_TYPES, type=source_types.type))
    return found.fill_null(len(SOURCE_TYPES)).to_numpy(zero_copy_only=False).astype(np.int64)


def sorted_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """A number per value into the sorted distinct values (code point order, as Arrow sorts
    text), and those values."""
    codes, uniques = pd.factorize(values)
    names = [str(u) for u in uniques]
    order = sorted(range(len(names)), key=names.__getitem__)
    place = np.empty(len(names), dtype=np.int64)
    place[order] = np.arange(len(names), dtype=np.int64)
    return place[codes], [names[i] for i in order]


def best_of_documents(candidates: Candidates, is_auto: np.ndarray) -> np.ndarray:
    """Row of each document's best candidate (manual before auto, untruncated before
    truncated, lower origin rank, then earlier start, earlier end, lower coder; the first of
    equals), in document number order."""
    c = candidates
    order = np.lexsort((c.coder, c.end, c.start, c.origin_rank, c.truncated, is_auto, c.doc))
    return order[first_of_runs(c.doc[order])]


def spread_key(item_type: str, item_id: str, doc_id: str) -> str:
    """A fixed pseudo-random order of documents that differs from item to item."""
    return hashlib.sha256(f"{item_type}\x1f{item_id}\x1f{doc_id}".encode()).hexdigest()


def spread_words(item_type: str, item_id: str, doc_ids: list[bytes]) -> np.ndarray:
    """:func:`spread_key` of each document (doc ids as UTF-8) as four 64-bit words a row,
    which order as the hexadecimal keys do (the digest's bytes, most significant first)."""
    prefix = f"{item_type}\x1f{item_id}\x1f".encode()
    digests = b"".join([hashlib.sha256(prefix + d).digest() for d in doc_ids])
    return np.frombuffer(digests, dtype=">u8").reshape(-1, 4).astype(np.uint64)


def ranked_choice(is_auto: np.ndarray, source_order: np.ndarray, truncated: np.ndarray,
                  spread: np.ndarray, per_item: int) -> np.ndarray:
    """Positions of the chosen quotes among one item's candidates (one per document), in
    rank order: steps 2 and 3 of the module docstring."""
    kind = is_auto.astype(np.int64) * (len(SOURCE_TYPES) + 1) + source_order
    by_type = spread_order(kind * 2 + truncated, spread)
    turn_in_type = np.empty(len(by_type), dtype=np.int64)
    turn_in_type[by_type] = positions_in_runs(kind[by_type])
    # A turn's candidates are one per source type: (manual first, turn, source type) is a
    # total order of them, and only the first per_item turns can be chosen.
    early = np.flatnonzero(turn_in_type < per_item)
    order = np.lexsort((source_order[early], turn_in_type[early], is_auto[early]))
    return early[order[:per_item]]


def spread_order(group: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """The order by group, then spread (four words a row, the first most significant): sorted
    by the first word only unless two rows of a group share it."""
    order = np.lexsort((spread[:, 0], group))
    group_sorted, first_word = group[order], spread[order, 0]
    if ((group_sorted[1:] == group_sorted[:-1]) & (first_word[1:] == first_word[:-1])).any():
        order = np.lexsort((spread[:, 3], spread[:, 2], spread[:, 1], spread[:, 0], group))
    return order


def positions_in_runs(*sorted_keys: np.ndarray) -> np.ndarray:
    """Each element's position in its run of equal keys (the keys sorted together)."""
    n = len(sorted_keys[0])
    index = np.arange(n, dtype=np.int64)
    if not n:
        return index
    starts = np.zeros(n, dtype=bool)
    starts[0] = True
    for key in sorted_keys:
        starts[1:] |= key[1:] != key[:-1]
    return index - np.maximum.accumulate(np.where(starts, index, 0))


class ChosenQuotes:
    """The chosen quotes of items, gathered item by item (:meth:`add`) into one frame."""

    def __init__(self, source: QuoteSource, per_item: int) -> None:
        self.source, self.per_item = source, per_item
        self.is_auto = np.array([o not in MANUAL_ORIGINS for o in source.origins], dtype=bool)
        self.doc_bytes = source.doc_ids.cast(pa.large_binary())
        self.columns: dict[str, list] = {c: [] for c in CHOSEN_COLUMNS}

    def add(self, item_type: str, item_id: str, candidates: Candidates) -> None:
        """Choose the quotes of one item from its candidates (see the module docstring)."""
        if len(candidates.doc):
            self.add_best(item_type, item_id, candidates.take(
                best_of_documents(candidates, self.is_auto[candidates.origin])))

    def add_best(self, item_type: str, item_id: str, best: Candidates) -> None:
        """Choose the quotes of one item from each document's best candidate (step 1 of the
        module docstring done: one candidate per document)."""
        if not len(best.doc):
            return
        source = self.source
        spread = spread_words(item_type, item_id, self.doc_bytes.take(best.doc).to_pylist())
        chosen = best.take(ranked_choice(self.is_auto[best.origin], source.source_order[best.doc],
                                         best.truncated, spread, self.per_item))
        columns, n = self.columns, len(chosen.doc)
        columns["item_type"] += [item_type] * n
        columns["item_id"] += [item_id] * n
        columns["rank"] += range(1, n + 1)
        columns["doc_id"] += source.doc_ids.take(chosen.doc).to_pylist()
        columns["start"] += chosen.start.tolist()
        columns["end"] += chosen.end.tolist()
        columns["origin"] += [source.origins[o] for o in chosen.origin.tolist()]
        columns["coder"] += [chosen.coders[c] for c in chosen.coder.tolist()]
        columns["source_type"] += source.source_types.take(chosen.doc).to_pylist()
        columns["truncated"] += chosen.truncated.tolist()

    def frame(self) -> pd.DataFrame:
        """The chosen quotes (without their text), item by item in the order added."""
        return pd.DataFrame(self.columns, columns=CHOSEN_COLUMNS).astype(
            {"rank": "int64", "start": "int64", "end": "int64", "truncated": bool})


def level_codes(codings: pd.DataFrame, level: str) -> tuple[np.ndarray, dict[str, int]]:
    """Per coding the number of its code at one level (-1: none), and each code's number."""
    column = LEVEL_COLUMN[level]
    if column not in codings:
        return np.full(len(codings), -1, dtype=np.int64), {}
    codes, names = pd.factorize(codings[column])
    return codes.astype(np.int64), {str(name): i for i, name in enumerate(names)}


def choose_coding_quotes(chosen: ChosenQuotes, placed: pd.DataFrame, texts: DocumentTexts,
                         items: list[tuple[str, str, str]], min_chars: int,
                         max_chars: int) -> None:
    """Choose the quotes of concepts and model nodes, ``items`` (item type, code id, level):
    the candidates of each are the codings under its code, quoting their own spans (fitted
    once for every item; the too short are no candidates)."""
    source = chosen.source
    starts, ends, truncated = fitted_arrays(texts, source.doc, placed["start"].to_numpy(np.int64),
                                            placed["end"].to_numpy(np.int64), min_chars,
                                            max_chars)
    quotable = np.flatnonzero(starts >= 0)
    # The quotable codings in the order that ranks them (:func:`best_of_documents`), sorted
    # once for every item: an item's codings keep it, so the first of each document's run
    # is its best, and no item is sorted on its own.
    best_first = quotable[np.lexsort((
        source.coder[quotable], ends[quotable], starts[quotable], source.origin_rank[quotable],
        truncated[quotable], chosen.is_auto[source.origin[quotable]], source.doc[quotable]))]
    by_level = {}
    for level in dict.fromkeys(level for _, _, level in items):
        codes, numbers = level_codes(placed, level)
        by_level[level] = (positions_by_code(codes, best_first), numbers)
    for item_type, code_id, level in items:
        rows_of, numbers = by_level[level]
        rows = rows_of.get(numbers.get(code_id, -1))
        if rows is not None:
            best = rows[first_of_runs(source.doc[rows])]
            chosen.add_best(item_type, code_id,
                            source.candidates(best, starts[best], ends[best], truncated[best]))


def coding_turns(placed: pd.DataFrame, segments: pd.DataFrame,
                 source: QuoteSource) -> tuple[np.ndarray, np.ndarray]:
    """Per coding the speaker turn of the sentence it is anchored to (``seg_id``; the first
    row of the segments naming it), and whether there is one."""
    turns = np.zeros(len(placed), dtype=np.int64)
    if not len(placed) or not len(segments):
        return turns, np.zeros(len(placed), dtype=bool)
    # The sentences' documents numbered by their runs (the clean stage writes them grouped),
    # then each distinct one looked up among the codings' documents: not every sentence's id.
    runs, run_ids, _ = value_numbers(pa.array(segments["doc_id"], from_pandas=True).cast(
        pa.large_string()))
    segment_doc = pc.index_in(run_ids, value_set=source.doc_ids).fill_null(-1).to_numpy(
        zero_copy_only=False).astype(np.int64)[runs]
    known = np.flatnonzero(segment_doc >= 0)
    segment_doc = segment_doc[known]
    found = first_rows_of_pairs(segment_doc, segments["seg_id"].to_numpy(np.int64)[known],
                                source.doc, placed["seg_id"].to_numpy(np.int64))
    has_turn = found >= 0
    turns[has_turn] = segments["turn"].to_numpy(np.int64)[known][found[has_turn]]
    return turns, has_turn


def first_rows_of_pairs(table_a: np.ndarray, table_b: np.ndarray, a: np.ndarray,
                        b: np.ndarray) -> np.ndarray:
    """Per pair (a[i], b[i]) the first row of the table (table_a, table_b) holding it, -1
    where none does; ``a`` and ``table_a`` are numbers 0, 1, ... (documents)."""
    if not len(table_a):
        return np.full(len(a), -1, dtype=np.int64)
    low = int(min(table_b.min(initial=0), b.min(initial=0)))
    width = int(max(table_b.max(initial=0), b.max(initial=0))) - low + 1
    size = int(max(table_a.max(initial=0), a.max(initial=0))) + 1
    if size * width >= 2**62:  # no one integer key for both: a hashed pair index
        index = pd.MultiIndex.from_arrays([table_a, table_b])
        first = np.flatnonzero(~index.duplicated())
        found = index[first].get_indexer(pd.MultiIndex.from_arrays([a, b]))
        return np.where(found >= 0, first[found], -1)
    # One key per pair; the table sorted by it (stably: the first of equal pairs first), as
    # the clean stage writes sentences already (then not sorted again).
    table_keys = table_a * width + (table_b - low)
    keys = a * width + (b - low)
    order = (np.arange(len(table_keys)) if (np.diff(table_keys) > 0).all() else
             np.argsort(table_keys, kind="stable"))
    sorted_keys = table_keys[order]
    position = np.minimum(np.searchsorted(sorted_keys, keys), len(order) - 1)
    return np.where(sorted_keys[position] == keys, order[position], -1)


def turn_units(docs: np.ndarray, turns: np.ndarray) -> np.ndarray:
    """A number per coding naming its (document number, turn), ascending in that order."""
    if not len(docs):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((turns, docs))
    changed = np.ones(len(order), dtype=bool)
    changed[1:] = ((docs[order][1:] != docs[order][:-1])
                   | (turns[order][1:] != turns[order][:-1]))
    unit = np.empty(len(order), dtype=np.int64)
    unit[order] = np.cumsum(changed) - 1
    return unit


def choose_edge_quotes(chosen: ChosenQuotes, placed: pd.DataFrame, segments: pd.DataFrame,
                       texts: DocumentTexts, edges: list[tuple[str, str]],
                       level_of: dict[str, str], min_chars: int, max_chars: int) -> None:
    """Choose the quotes of model edges (:func:`edge_candidates`; spans fitted, the too short
    no candidates)."""
    turns, has_turn = coding_turns(placed, segments, chosen.source)
    items = list(edge_candidates(chosen.source, placed, turns, has_turn, edges, level_of))
    if not items:
        return
    # Every edge's spans fitted at once: the texts they are cut from are joined once.
    starts, ends, truncated = fitted_arrays(
        texts, *(np.concatenate([getattr(c, name) for _, c in items])
                 for name in ("doc", "start", "end")), min_chars, max_chars)
    first = 0
    for item_id, candidates in items:
        end = first + len(candidates.doc)
        fits = np.flatnonzero(starts[first:end] >= 0)
        chosen.add("edge", item_id, replace(candidates.take(fits), start=starts[first:end][fits],
                                            end=ends[first:end][fits],
                                            truncated=truncated[first:end][fits]))
        first = end


def edge_candidates(source: QuoteSource, placed: pd.DataFrame, turns: np.ndarray,
                    has_turn: np.ndarray, edges: list[tuple[str, str]],
                    level_of: dict[str, str]) -> Iterator[tuple[str, Candidates]]:
    """(edge id, candidates) of each edge whose ends share a turn: per turn holding both ends,
    the tightest pair of codings (:func:`edge_pair_candidates`), its span not yet fitted.
    ``turns`` is each coding's turn where ``has_turn``; the other codings are left out."""
    with_turn = np.flatnonzero(has_turn)
    unit = np.full(len(placed), -1, dtype=np.int64)
    unit[with_turn] = turn_units(source.doc[with_turn], turns[with_turn])
    spans = placed["start"].to_numpy(np.int64), placed["end"].to_numpy(np.int64)
    by_level = {}
    for level in dict.fromkeys(level_of[code] for edge in edges for code in edge):
        codes, numbers = level_codes(placed, level)
        by_level[level] = (positions_by_code(codes, with_turn), numbers)

    def rows_under(code_id: str) -> np.ndarray:
        rows_of, numbers = by_level[level_of[code_id]]
        return rows_of.get(numbers.get(code_id, -1), NO_ROWS)

    for from_id, to_id in edges:
        pair_a, pair_b = pairs_in_units(unit, rows_under(from_id), rows_under(to_id))
        if len(pair_a):
            yield edge_id(from_id, to_id), edge_pair_candidates(source, unit, *spans, pair_a,
                                                                pair_b)


def pairs_in_units(unit: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (row of ``a``, row of ``b``) in the same unit, in the order an inner merge of the
    two on the unit gives them: by ``a``'s order, then ``b``'s."""
    b_order = np.argsort(unit[b], kind="stable")
    b_units = unit[b][b_order]
    first = np.searchsorted(b_units, unit[a], side="left")
    counts = np.searchsorted(b_units, unit[a], side="right") - first
    pair_a = np.repeat(a, counts)
    pair_b = b[b_order[np.repeat(first, counts) + offsets_within_runs(counts)]]
    return pair_a, pair_b


def edge_pair_candidates(source: QuoteSource, unit: np.ndarray, starts: np.ndarray,
                         ends: np.ndarray, pair_a: np.ndarray, pair_b: np.ndarray) -> Candidates:
    """The edge's candidate of each unit, in unit order: of the unit's pairs (codings
    ``pair_a`` of the source, ``pair_b`` of the target), the one of the lowest (origin rank,
    width, start, end, coder), the first of equals; its span runs from the earlier start to
    the later end (not yet fitted), its origin is that of the pair's higher-ranked coding
    (the source's of equals)."""
    start = np.minimum(starts[pair_a], starts[pair_b])
    end = np.maximum(ends[pair_a], ends[pair_b])
    rank_a, rank_b = source.origin_rank[pair_a], source.origin_rank[pair_b]
    origin_rank = np.maximum(rank_a, rank_b)
    coder, coders = pair_coders(source.coder[pair_a], source.coder[pair_b], source.coders)
    order = np.lexsort((coder, end, start, end - start, origin_rank, unit[pair_a]))
    best = order[first_of_runs(unit[pair_a][order])]
    origin_row = np.where(rank_a[best] >= rank_b[best], pair_a[best], pair_b[best])
    return Candidates(source.doc[pair_a[best]], start[best], end[best],
                      np.zeros(len(best), dtype=bool), source.origin[origin_row],
                      origin_rank[best], coder[best], coders)


def pair_coders(a: np.ndarray, b: np.ndarray, coders: list[str]) -> tuple[np.ndarray, list[str]]:
    """The coder of each pair of codings (``a``, ``b``: numbers into the sorted ``coders``):
    the one coder, or both joined by "+" in sorted order; as numbers into the sorted labels."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    pair_numbers, pairs = pd.factorize(low * np.int64(len(coders)) + high)
    labels = [coders[x] if x == y else f"{coders[x]}+{coders[y]}"
              for x, y in (divmod(int(p), len(coders)) for p in pairs)]
    distinct = sorted(set(labels))
    place = {label: i for i, label in enumerate(distinct)}
    return np.array([place[label] for label in labels], dtype=np.int64)[pair_numbers], distinct


def best_quotes(candidates: pd.DataFrame, texts: dict[str, str], per_item: int, min_chars: int,
                max_chars: int) -> pd.DataFrame:
    """The chosen quotes (:data:`CHOSEN_COLUMNS`, without their text) of every item of a
    frame of candidates (:data:`CANDIDATE_COLUMNS`, spans as coded), ranked within each item
    (see the module docstring for the rule); items in order of first appearance."""
    source = QuoteSource.of(candidates)
    chosen = ChosenQuotes(source, per_item)
    starts, ends, truncated = fitted_arrays(
        DocumentTexts(source.doc_ids, texts), source.doc, candidates["start"].to_numpy(np.int64),
        candidates["end"].to_numpy(np.int64), min_chars, max_chars)
    quotable = starts >= 0
    for (item_type, item_id), rows in candidates.groupby(["item_type", "item_id"],
                                                         sort=False).indices.items():
        rows = rows[quotable[rows]]
        chosen.add(item_type, item_id, source.candidates(rows, starts[rows], ends[rows],
                                                         truncated[rows]))
    return chosen.frame()


def ordered_quotes(chosen: pd.DataFrame, texts: dict[str, str],
                   item_order: dict[tuple[str, str], int]) -> pd.DataFrame:
    """quotes.csv rows: chosen quotes by item type, item (``item_order``), rank, with text."""
    if chosen.empty:
        return pd.DataFrame(columns=QUOTE_COLUMNS)
    chosen = chosen.copy()
    chosen["type_order"] = chosen["item_type"].map({t: i for i, t in enumerate(ITEM_TYPES)})
    chosen["item_order"] = [item_order.get((t, i), len(item_order)) for t, i in
                            zip(chosen["item_type"].tolist(), chosen["item_id"].tolist())]
    chosen = chosen.sort_values(["type_order", "item_order", "item_id", "rank"], kind="stable")
    chosen = chosen.astype({"start": "int64", "end": "int64", "rank": "int64", "truncated": bool})
    chosen["quote"] = [quote_text(texts[d], s, e, t) for d, s, e, t in
                       zip(chosen["doc_id"].tolist(), chosen["start"].tolist(),
                           chosen["end"].tolist(), chosen["truncated"].tolist())]
    return chosen[QUOTE_COLUMNS].reset_index(drop=True)


def choose_quotes(candidates: pd.DataFrame, texts: dict[str, str], per_item: int, min_chars: int,
                  max_chars: int, item_order: dict[tuple[str, str], int]) -> pd.DataFrame:
    """The exemplar quotes of every item in ``candidates`` (see the module docstring)."""
    return ordered_quotes(best_quotes(candidates, texts, per_item, min_chars, max_chars), texts,
                          item_order)


def exemplar_quotes(placed: pd.DataFrame, segments: pd.DataFrame, texts: dict[str, str],
                    model: dict, codes: pd.DataFrame, per_item: int, min_chars: int,
                    max_chars: int) -> pd.DataFrame:
    """quotes.csv: quotes for every coded concept, every model node and every model edge.

    Every item is chosen from arrays of numbers (:class:`QuoteSource`), one item at a time:
    a frame per item, sorted by its text columns, cost most of the stage's time.
    """
    level_of = dict(zip(codes["code_id"], codes["level"]))
    concepts = codes.loc[codes["level"] == "concept", "code_id"].tolist()
    nodes = [n["id"] for n in model["nodes"]]
    edges = [(e["from"], e["to"]) for e in model["edges"]]
    source = QuoteSource.of(placed)
    document_texts = DocumentTexts(source.doc_ids, texts)
    chosen = ChosenQuotes(source, per_item)
    # A code listed twice (a node named twice in the model) is one item, chosen once.
    items = [*dict.fromkeys([*(("concept", c, "concept") for c in concepts),
                             *(("node", n, level_of[n]) for n in nodes)])]
    choose_coding_quotes(chosen, placed, document_texts, items, min_chars, max_chars)
    choose_edge_quotes(chosen, placed, segments, document_texts, [*dict.fromkeys(edges)],
                       level_of, min_chars, max_chars)
    item_order = {("concept", c): i for i, c in enumerate(concepts)}
    item_order.update({("node", n): i for i, n in enumerate(nodes)})
    item_order.update({("edge", edge_id(a, b)): i for i, (a, b) in enumerate(edges)})
    return ordered_quotes(chosen.frame(), texts, item_order)


def first_coded_span(codings: pd.DataFrame, texts: dict[str, str], min_chars: int,
                     max_chars: int) -> dict | None:
    """The first coding (document order, then offsets) whose span is within the length bounds,
    as a quote row (rank 0: not one of the ranked exemplars)."""
    for row in codings.sort_values(["doc_id", "start", "end"], kind="stable").to_dict("records"):
        text = texts[row["doc_id"]][int(row["start"]):int(row["end"])]
        if min_chars <= len(text) <= max_chars:
            return {"rank": 0, "doc_id": row["doc_id"], "start": int(row["start"]),
                    "end": int(row["end"]), "quote": text, "truncated": False}
    return None


def concept_quotes(quotes: pd.DataFrame, codings: pd.DataFrame, texts: dict[str, str],
                   concept_ids: list[str], min_chars: int, max_chars: int) -> pd.DataFrame:
    """concept_quotes.csv: the one quote the report's open-coding table shows per concept.

    Concepts in codebook order; each shows its best-ranked quote (quotes.csv) whose passage
    (doc_id, start, end) no earlier concept shows — one passage often carries several concepts,
    and showing each once lets the table show more of the material — or, when every quote of
    the concept is shown already, its rank-1 quote. A concept without ranked quotes (its
    codings do not count as evidence, say) shows its first coding within the length bounds
    (``codings``: every coding on a kept document), with rank 0; without one it has no row.
    """
    by_concept: dict[str, list[dict]] = {}
    for quote in quotes[quotes["item_type"] == "concept"].sort_values(
            "rank", kind="stable").to_dict("records"):  # one frame made records, not one per concept
        by_concept.setdefault(quote["item_id"], []).append(quote)
    shown: set[tuple[str, int, int]] = set()
    rows = []
    for concept in concept_ids:
        if concept not in by_concept:
            fallback = first_coded_span(codings[codings["concept_id"] == concept], texts,
                                        min_chars, max_chars)
            if fallback:
                shown.add((fallback["doc_id"], fallback["start"], fallback["end"]))
                rows.append({"concept_id": concept, **fallback})
            continue
        candidates = by_concept[concept]
        fresh = [q for q in candidates if (q["doc_id"], q["start"], q["end"]) not in shown]
        quote = (fresh or candidates)[0]
        shown.add((quote["doc_id"], quote["start"], quote["end"]))
        rows.append({"concept_id": concept, **{k: quote[k] for k in CONCEPT_QUOTE_FIELDS}})
    return pd.DataFrame(rows, columns=["concept_id", *CONCEPT_QUOTE_FIELDS])
