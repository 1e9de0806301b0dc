"""The rule-based auto-coder.

All literal phrases of all concepts (any, all and none lists) go into one Aho-Corasick automaton
(ahocorasick-rs). The units of a table — sentence segments, or whole speaker turns for rules with
``unit: segment`` — lie end to end in one UTF-8 buffer (Arrow's, so nothing is copied), which the
automaton searches in one pass; numpy maps every match to its unit by byte offset. A match that
crosses a unit boundary counts for no unit. A rule's parts are alternatives — one ``any``
phrase, or every ``all`` phrase, or one ``regex`` match — and a ``none`` phrase in the unit
vetoes them all. Each coding records the part that fired: ``any:<first listed phrase present>``,
``all:<p1+p2>`` or ``regex:<pattern>``.

Beyond the automaton's pass the work is array work, so that coding costs about one pass over the
text (``bench/autocode``): distinct (unit, phrase) pairs, the first listed phrase of each rule
without a veto (decided in bulk) and the final row order are numpy sorts of packed integer keys.
Only the other parts (``any`` under a veto, ``all``, ``regex``) are checked unit by unit in
Python, and only on the units holding one of their phrases or a regex match.
"""

from __future__ import annotations

import gc
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter

import ahocorasick_rs
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow.coding.codebook import Codebook
from gtflow.frames import contiguous, first_of_runs, offsets_within_runs

CODING_COLUMNS = ["doc_id", "seg_id", "start", "end", "concept_id", "coder", "origin", "rule"]


@dataclass
class ConceptRule:
    """One concept's compiled rule: phrase indexes into the automaton and compiled regexes."""

    concept_id: str
    unit: str
    any: tuple[int, ...]
    all: tuple[int, ...]
    none: tuple[int, ...]
    regex: tuple[re.Pattern, ...]

    @property
    def simple(self) -> bool:
        """The `any` part can be decided in bulk: there is no veto phrase to look for."""
        return bool(self.any) and not self.none

    @property
    def needs_unit_check(self) -> bool:
        """Parts decided unit by unit: `any` under a veto, `all`, `regex`."""
        return not self.simple or bool(self.all or self.regex)


@dataclass
class Units:
    """Coding units laid end to end as one UTF-8 haystack (Arrow's own buffer, no copy).

    ``bounds`` are the byte offsets of the units in ``haystack`` (n + 1 values); ``doc_codes``
    (into the sorted distinct ``doc_names``), ``seg_ids``, ``starts`` and ``ends`` say where each
    unit lies in its document's clean text.
    """

    texts: pa.Array
    haystack: np.ndarray
    bounds: np.ndarray
    doc_codes: np.ndarray
    doc_names: pa.Array
    seg_ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Units:
        texts = contiguous(pa.array(frame["text"], type=pa.large_string()))
        buffers = texts.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int64)[texts.offset:texts.offset + len(texts) + 1]
        data = (np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None
                else np.empty(0, np.uint8))
        doc_codes, doc_names = document_codes(contiguous(pa.array(frame["doc_id"], type=pa.large_string())))
        return cls(texts=texts, haystack=data[offsets[0]:offsets[-1]], bounds=offsets - offsets[0],
                   doc_codes=doc_codes, doc_names=doc_names, seg_ids=frame["seg_id"].to_numpy(np.int64),
                   starts=frame["start"].to_numpy(np.int64), ends=frame["end"].to_numpy(np.int64))

    def __len__(self) -> int:
        return len(self.seg_ids)

    def locate(self, bounds: np.ndarray, match_starts: np.ndarray,
               match_ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit of each match (by its start) and whether the match ends inside that unit."""
        unit = np.searchsorted(bounds, match_starts, side="right") - 1
        unit = np.clip(unit, 0, len(self) - 1)
        return unit, match_ends <= bounds[unit + 1]

    def text(self) -> tuple[str, np.ndarray]:
        """The haystack as text and the units' code-point bounds in it (for regexes)."""
        lengths = np.asarray(pc.utf8_length(self.texts), dtype=np.int64)
        return self.haystack.tobytes().decode("utf-8"), np.r_[0, np.cumsum(lengths)]


@dataclass
class Codings:
    """Codings of one unit kind as arrays of codes, before they become an Arrow table."""

    doc_codes: np.ndarray
    doc_names: pa.Array
    seg_ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    rules: np.ndarray
    descriptions: np.ndarray
    description_labels: list[str]


class AutoCoder:
    """Compiled rules of a codebook, ready to code many documents."""

    def __init__(self, codebook: Codebook) -> None:
        phrases: dict[str, int] = {}

        def indexes(values: list[str]) -> tuple[int, ...]:
            return tuple(phrases.setdefault(v, len(phrases)) for v in values)

        self.rules: list[ConceptRule] = []
        for concept in codebook.concepts:
            rules = concept.get("rules") or {}
            if not any(rules.get(k) for k in ("any", "all", "regex")):
                continue
            self.rules.append(ConceptRule(
                concept_id=concept["id"], unit=rules.get("unit", "sentence"),
                any=indexes(rules.get("any", [])), all=indexes(rules.get("all", [])),
                none=indexes(rules.get("none", [])),
                regex=tuple(re.compile(p) for p in rules.get("regex", []))))
        self.phrases = list(phrases)
        # A DFA searches about 1.7x faster than the default NFA here; codebooks are small enough
        # (hundreds of phrases) for its larger memory use not to matter.
        self.automaton = (ahocorasick_rs.BytesAhoCorasick(
            [p.encode("utf-8") for p in self.phrases],
            implementation=ahocorasick_rs.Implementation.DFA) if self.phrases else None)
        self.phrase_bytes = np.array([len(p.encode("utf-8")) for p in self.phrases], dtype=np.int64)
        self.concept_ids = [r.concept_id for r in self.rules]
        # Rows are sorted by concept id as Arrow sorts strings (by code point, as Python does).
        order = {c: n for n, c in enumerate(sorted(set(self.concept_ids)))}
        self.concept_rank = np.array([order[c] for c in self.concept_ids], dtype=np.int64)
        # (rule, position in the rule's any-list) of every phrase of the simple rules, grouped by
        # phrase: phrase p owns slots simple_slots[p]:simple_slots[p + 1].
        triples = sorted((p, r, pos) for r, rule in enumerate(self.rules) if rule.simple
                         for pos, p in enumerate(rule.any))
        simple_phrase = np.array([t[0] for t in triples], dtype=np.int64)
        self.simple_slots = np.searchsorted(simple_phrase, np.arange(len(self.phrases) + 1))
        self.simple_rule = np.array([t[1] for t in triples], dtype=np.int64)
        self.simple_position = np.array([t[2] for t in triples], dtype=np.int64)
        # Every rule's any-list laid end to end: phrase of (rule, position) without a lookup table.
        self.any_start = np.r_[0, np.cumsum([len(r.any) for r in self.rules])].astype(np.int64)
        self.any_phrases = np.array([p for r in self.rules for p in r.any], dtype=np.int64)
        # Phrases that can make a rule fire unit by unit: its first all-phrase, and its
        # any-phrases when a veto applies.
        self.complex_triggers: dict[int, list[int]] = {}
        for r, rule in enumerate(self.rules):
            triggers = set(rule.all[:1]) | (set() if rule.simple else set(rule.any))
            for phrase in triggers:
                self.complex_triggers.setdefault(phrase, []).append(r)

    def find_phrases(self, units: Units) -> tuple[np.ndarray, np.ndarray]:
        """Unique (unit, phrase) pairs for every phrase occurrence wholly inside a unit, sorted."""
        if self.automaton is None or not len(units):
            return np.empty(0, np.int64), np.empty(0, np.int64)
        with gc_paused():
            found = self.automaton.find_matches_as_indexes(units.haystack, overlapping=True)
            # Phrase and end of the (phrase, start, end) tuples, each in one pass (cheaper than
            # np.array(found)); the start follows from the phrase's length.
            phrase = np.fromiter(map(itemgetter(0), found), np.int64, len(found))
            ends = np.fromiter(map(itemgetter(2), found), np.int64, len(found))
            del found
        unit, inside = units.locate(units.bounds, ends - self.phrase_bytes[phrase], ends)
        keys = (unit * len(self.phrases) + phrase)[inside]
        # Matches come by end offset, so the units of those inside one are already in order: a
        # stable (run-merging) sort of the keys is nearly linear; np.unique would hash them.
        keys.sort(kind="stable")
        keys = keys[first_of_runs(keys)]
        return keys // len(self.phrases), keys % len(self.phrases)

    def simple_codings(self, unit: np.ndarray, phrase: np.ndarray) -> tuple[np.ndarray, ...]:
        """(unit, rule, phrase) arrays for the simple rules, sorted by unit and rule: the first
        listed phrase of each rule per unit."""
        left = self.simple_slots[phrase]
        counts = self.simple_slots[phrase + 1] - left
        if not len(counts) or counts.max() <= 1:  # each phrase in at most one simple rule
            pair = np.flatnonzero(counts)
            slot = left[pair]
        else:
            pair = np.repeat(np.arange(len(unit)), counts)
            # Expand each pair's [left, left + count) range of slots without a Python loop.
            slot = offsets_within_runs(counts) + np.repeat(left, counts)
        units, rules, positions = unit[pair], self.simple_rule[slot], self.simple_position[slot]
        order = stable_order([units, rules, positions])
        units, rules, positions = units[order], rules[order], positions[order]
        first = first_of_runs(units * len(self.rules) + rules)
        units, rules, positions = units[first], rules[first], positions[first]
        return units, rules, self.any_phrases[self.any_start[rules] + positions]

    def complex_codings(self, units: Units, unit: np.ndarray, phrase: np.ndarray,
                        rule_numbers: list[int]) -> list[tuple[int, int, str]]:
        """(unit, rule, description) for rules with all/none/regex parts, checked per unit."""
        # Only the phrases of these rules matter here: the Python loop sees no other pair.
        relevant = np.array(sorted({p for r in rule_numbers for p in
                                    (*self.rules[r].any, *self.rules[r].all, *self.rules[r].none)}),
                            dtype=np.int64)
        mask = np.isin(phrase, relevant)
        present: dict[int, set[int]] = {}
        for u, p in zip(unit[mask].tolist(), phrase[mask].tolist()):
            present.setdefault(u, set()).add(p)
        wanted = set(rule_numbers)
        results: dict[tuple[int, int], str] = {}
        for u, phrases in present.items():
            for p in phrases:
                for r in self.complex_triggers.get(p, ()):
                    if r in wanted and (u, r) not in results:
                        description = self.fires(self.rules[r], phrases)
                        if description:
                            results[(u, r)] = description
        regex_rules = [r for r in rule_numbers if self.rules[r].regex]
        text, bounds = units.text() if regex_rules else ("", np.zeros(1, np.int64))
        for r in regex_rules:
            rule = self.rules[r]
            for pattern in rule.regex:
                spans = np.array([m.span() for m in pattern.finditer(text)], dtype=np.int64).reshape(-1, 2)
                located, inside = units.locate(bounds, spans[:, 0], spans[:, 1])
                for u in located[inside].tolist():
                    if (u, r) not in results and not any(p in present.get(u, ()) for p in rule.none):
                        results[(u, r)] = f"regex:{pattern.pattern}"
        return [(u, r, d) for (u, r), d in results.items()]

    def fires(self, rule: ConceptRule, present: set[int]) -> str | None:
        """The rule description if ``rule`` fires on a unit whose phrases are ``present``.

        The parts are alternatives: one `any` phrase, or every `all` phrase; a `none` phrase
        vetoes both (regexes are checked separately, under the same veto).
        """
        if any(p in present for p in rule.none):
            return None
        first = next((p for p in rule.any if p in present), None)
        if first is not None:
            return f"any:{self.phrases[first]}"
        if rule.all and all(p in present for p in rule.all):
            return "all:" + "+".join(self.phrases[p] for p in rule.all)
        return None

    def code_units(self, units: Units, unit_kind: str) -> Codings | None:
        """Codings of the rules of one unit kind (None when no rule has this unit)."""
        numbers = [n for n, r in enumerate(self.rules) if r.unit == unit_kind]
        if not numbers or not len(units):
            return None
        unit, phrase = self.find_phrases(units)
        u, rule_no, description = self.simple_codings(unit, phrase)
        keep = np.array([r.unit == unit_kind for r in self.rules])[rule_no]
        u, rule_no, description = u[keep], rule_no[keep], description[keep]
        labels = ["any:" + p for p in self.phrases]
        complex_numbers = [n for n in numbers if self.rules[n].needs_unit_check]
        extra = self.complex_codings(units, unit, phrase, complex_numbers) if complex_numbers else []
        if extra:
            extra_unit = np.array([e[0] for e in extra], dtype=np.int64)
            extra_rule = np.array([e[1] for e in extra], dtype=np.int64)
            new = ~np.isin(extra_unit * len(self.rules) + extra_rule, u * len(self.rules) + rule_no)
            u, rule_no = np.r_[u, extra_unit[new]], np.r_[rule_no, extra_rule[new]]
            description = np.r_[description, np.arange(new.sum(), dtype=np.int64) + len(labels)]
            labels += [e[2] for e, is_new in zip(extra, new.tolist()) if is_new]
        return Codings(doc_codes=units.doc_codes[u], doc_names=units.doc_names,
                       seg_ids=units.seg_ids[u], starts=units.starts[u], ends=units.ends[u],
                       rules=rule_no, descriptions=description, description_labels=labels)

    def code_arrow(self, documents: pd.DataFrame, segments: pd.DataFrame) -> pa.Table:
        """Auto-codings of every document (doc_id, clean_text) with its sentence segments.

        Segments need doc_id, seg_id, turn, start, end and text (= clean_text[start:end]).
        Rows are sorted by doc_id, start, concept_id, end.
        """
        sentences = Units.from_frame(segments)
        known = np.asarray(pc.is_in(sentences.doc_names, value_set=contiguous(
            pa.array(documents["doc_id"], type=pa.large_string()))), dtype=bool)
        segs = segments
        if not known.all():  # segments of other documents: leave them out
            segs = segments[known[sentences.doc_codes]]
            sentences = Units.from_frame(segs)
        parts = [self.code_units(sentences, "sentence")]
        if len(segs) and any(rule.unit == "segment" for rule in self.rules):
            parts.append(self.code_units(Units.from_frame(turn_units(documents, segs)), "segment"))
        return self.codings_table([p for p in parts if p is not None])

    def codings_table(self, parts: list[Codings]) -> pa.Table:
        """The codings of every unit kind in one Arrow table (CODING_COLUMNS), sorted by doc_id,
        start, concept_id and end (stable: ties keep the order of ``parts``)."""
        if not parts:
            return empty_codings()
        names = pc.unique(pa.concat_arrays([p.doc_names for p in parts]))
        names = names.take(pc.sort_indices(names))
        docs = np.concatenate([np.asarray(pc.index_in(p.doc_names, value_set=names), dtype=np.int64)
                               [p.doc_codes] for p in parts])
        offsets = np.cumsum([0] + [len(p.description_labels) for p in parts])
        descriptions = np.concatenate([p.descriptions + o for p, o in zip(parts, offsets)])
        seg_ids, starts, ends, rules = (np.concatenate([getattr(p, f) for p in parts])
                                        for f in ("seg_ids", "starts", "ends", "rules"))
        order = stable_order([docs, starts, self.concept_rank[rules], ends])
        return pa.table({
            "doc_id": labelled(docs[order], names),
            "seg_id": seg_ids[order], "start": starts[order], "end": ends[order],
            "concept_id": labelled(rules[order], self.concept_ids),
            "coder": repeated("auto", len(order)),
            "origin": repeated("auto", len(order)),
            "rule": labelled(descriptions[order], [d for p in parts for d in p.description_labels]),
        })

    def code_table(self, documents: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
        """:meth:`code_arrow` as a pandas frame."""
        return self.code_arrow(documents, segments).to_pandas()

    def code_document(self, doc_id: str, text: str, segments: pd.DataFrame) -> list[dict]:
        """Auto-codings of one document, as records."""
        segments = segments.assign(text=[text[s:e] for s, e in zip(segments["start"].tolist(),
                                                                    segments["end"].tolist())])
        table = self.code_table(pd.DataFrame({"doc_id": [doc_id], "clean_text": [text]}), segments)
        return table.to_dict("records")


@contextmanager
def gc_paused():
    """Python's cyclic garbage collector off for a while: the automaton returns one tuple per
    match, and hundreds of thousands of new tuples would set off collections that walk them all
    again and again (about a sixth of the pass's time); tuples of ints hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def stable_order(columns: list[np.ndarray]) -> np.ndarray:
    """Stable sort order of rows by non-negative integer columns, most significant first.

    The columns are packed into one int64 key when their ranges allow (an order of magnitude
    faster than np.lexsort); otherwise np.lexsort.
    """
    sizes = [int(column.max(initial=0)) + 1 for column in columns]
    if math.prod(sizes) > np.iinfo(np.int64).max:
        return np.lexsort(columns[::-1])
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, size in zip(columns, sizes):
        key = key * size + column
    return np.argsort(key, kind="stable")


def document_codes(doc_ids: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Each row's document as a code into the sorted distinct ids (codes sort as the ids do).

    The rows of one document usually come together, so only the first row of each run of equal
    ids is hashed (a document whose rows come back later gets the same code).
    """
    if not len(doc_ids):
        return np.empty(0, np.int64), doc_ids
    changed = np.asarray(pc.fill_null(pc.not_equal(doc_ids[1:], doc_ids[:-1]), True))
    heads = np.flatnonzero(np.r_[True, changed])
    head_ids = doc_ids.take(pa.array(heads))
    names = pc.unique(head_ids)
    names = names.take(pc.sort_indices(names))
    codes = np.asarray(pc.index_in(head_ids, value_set=names), dtype=np.int64)
    return np.repeat(codes, np.diff(np.r_[heads, len(doc_ids)])), names


def repeated(value: str, count: int) -> pa.Array:
    """``count`` copies of one string, built from buffers."""
    data = value.encode("utf-8")
    offsets = np.arange(count + 1, dtype=np.int64) * len(data)
    return pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data * count))


def labelled(codes: np.ndarray, labels: list[str]) -> pa.Array:
    """Strings given as codes into a list of labels (built in Arrow, not one Python str each)."""
    dictionary = pa.DictionaryArray.from_arrays(pa.array(codes, type=pa.int64()),
                                                pa.array(labels, type=pa.large_string()))
    return dictionary.cast(pa.large_string())


def empty_codings() -> pa.Table:
    """A codings table with no rows and the contract's types."""
    return pa.table({c: pa.array([], type=pa.int64() if c in {"seg_id", "start", "end"}
                                 else pa.large_string()) for c in CODING_COLUMNS})


def turn_units(documents: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Whole speaker turns as units: first segment id, the turn's span and its text."""
    turns = (segments.groupby(["doc_id", "turn"], sort=False)
             .agg(seg_id=("seg_id", "first"), start=("start", "min"), end=("end", "max"))
             .reset_index())
    texts = dict(zip(documents["doc_id"].tolist(), documents["clean_text"].tolist()))
    turns["text"] = [texts[d][s:e] for d, s, e in zip(turns["doc_id"].tolist(),
                                                      turns["start"].tolist(), turns["end"].tolist())]
    return turns


def autocode(documents: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Auto-code every document (doc_id, clean_text) with its segments; long codings table."""
    return AutoCoder(codebook).code_table(documents, segments)
