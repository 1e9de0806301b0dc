"""The rule-based auto-coder.

All literal phrases of all concepts (any, all and none lists) go into one Aho-Corasick automaton
(ahocorasick-rs). The units of a table — sentence segments, or whole speaker turns for rules with
``unit: segment`` — lie end to end in one UTF-8 buffer (Arrow's, so nothing is copied), which the
automaton searches in one pass; numpy maps every match to its unit by byte offset. A match that
crosses a unit boundary counts for no unit. Rules with only ``any`` phrases (most of
them) are decided in bulk; rules with ``all``/``none``/``regex`` parts are checked per candidate
unit. A rule's parts are alternatives — one ``any`` phrase, or every ``all`` phrase, or one
``regex`` match — and a ``none`` phrase in the unit vetoes them all. Rules without a veto have
their ``any`` part decided in bulk; the rest is checked per candidate unit. Each coding records
the part that fired: ``any:<first listed phrase present>``, ``all:<p1+p2>`` or ``regex:<pattern>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick_rs
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow.coding.codebook import Codebook

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

    ``bounds`` are the byte offsets of the units in ``haystack`` (n + 1 values); ``doc_array``,
    ``seg_ids``, ``starts`` and ``ends`` say where each unit lies in its document's clean text.
    """

    texts: pa.Array
    haystack: np.ndarray
    bounds: np.ndarray
    doc_array: pa.Array
    seg_ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Units:
        texts = pa.array(frame["text"], type=pa.large_string())
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        buffers = texts.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int64)[texts.offset:texts.offset + len(texts) + 1]
        data = (np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None
                else np.empty(0, np.uint8))
        doc_array = pa.array(frame["doc_id"], type=pa.large_string())
        if isinstance(doc_array, pa.ChunkedArray):
            doc_array = doc_array.combine_chunks()
        return cls(texts=texts, haystack=data[offsets[0]:offsets[-1]], bounds=offsets - offsets[0],
                   doc_array=doc_array, seg_ids=frame["seg_id"].to_numpy(np.int64),
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
        # (phrase, rule, position in the rule's any-list) for the simple rules, as flat arrays.
        triples = [(p, r, pos) for r, rule in enumerate(self.rules) if rule.simple
                   for pos, p in enumerate(rule.any)]
        triples.sort()
        self.simple_phrase = np.array([t[0] for t in triples], dtype=np.int64)
        self.simple_rule = np.array([t[1] for t in triples], dtype=np.int64)
        self.simple_position = np.array([t[2] for t in triples], dtype=np.int64)
        # Phrases that can make a rule fire unit by unit: its first all-phrase, and its
        # any-phrases when a veto applies.
        self.complex_triggers: dict[int, list[int]] = {}
        for r, rule in enumerate(self.rules):
            triggers = set(rule.all[:1]) | (set() if rule.simple else set(rule.any))
            for phrase in triggers:
                self.complex_triggers.setdefault(phrase, []).append(r)

    def find_phrases(self, units: Units) -> tuple[np.ndarray, np.ndarray]:
        """Unique (unit, phrase) pairs for every phrase occurrence wholly inside a unit."""
        if self.automaton is None or not len(units):
            return np.empty(0, np.int64), np.empty(0, np.int64)
        found = np.array(self.automaton.find_matches_as_indexes(units.haystack, overlapping=True),
                         dtype=np.int64).reshape(-1, 3)
        unit, inside = units.locate(units.bounds, found[:, 1], found[:, 2])
        keys = np.unique(unit[inside] * len(self.phrases) + found[inside, 0])
        return keys // len(self.phrases), keys % len(self.phrases)

    def simple_codings(self, unit: np.ndarray, phrase: np.ndarray) -> tuple[np.ndarray, ...]:
        """(unit, rule, phrase) arrays for the simple rules: the first listed phrase per pair."""
        if not len(self.simple_phrase) or not len(unit):
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
        left = np.searchsorted(self.simple_phrase, phrase, side="left")
        right = np.searchsorted(self.simple_phrase, phrase, side="right")
        counts = right - left
        pair = np.repeat(np.arange(len(unit)), counts)
        # Expand each pair's [left, right) range of slots without a Python loop.
        slot = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) \
            + np.repeat(left, counts)
        units, rules = unit[pair], self.simple_rule[slot]
        order = np.lexsort((self.simple_position[slot], rules, units))
        keys = units[order] * len(self.rules) + rules[order]
        _, first = np.unique(keys, return_index=True)
        chosen = order[first]
        return units[chosen], rules[chosen], phrase[pair][chosen]

    def complex_codings(self, units: Units, unit: np.ndarray, phrase: np.ndarray,
                        rule_numbers: list[int]) -> list[tuple[int, int, str]]:
        """(unit, rule, description) for rules with all/none/regex parts, checked per unit."""
        present: dict[int, set[int]] = {}
        for u, p in zip(unit.tolist(), phrase.tolist()):
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
                for match in pattern.finditer(text):
                    u, inside = units.locate(bounds, np.array([match.start()]), np.array([match.end()]))
                    u = int(u[0])
                    if not inside[0] or (u, r) in results:
                        continue
                    if not any(p in present.get(u, set()) for p in rule.none):
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

    def code_units(self, units: Units, unit_kind: str) -> pa.Table:
        """Codings of the rules of one unit kind, as an Arrow table (CODING_COLUMNS)."""
        numbers = [n for n, r in enumerate(self.rules) if r.unit == unit_kind]
        if not numbers or not len(units):
            return empty_codings()
        unit, phrase = self.find_phrases(units)
        u, rule_no, description = self.simple_codings(unit, phrase)
        keep = np.isin(rule_no, numbers)
        u, rule_no, description = u[keep], rule_no[keep], description[keep]
        descriptions = ["any:" + p for p in self.phrases]
        complex_numbers = [n for n in numbers if self.rules[n].needs_unit_check]
        if complex_numbers:
            decided = set(zip(u.tolist(), rule_no.tolist()))
            extra = [e for e in self.complex_codings(units, unit, phrase, complex_numbers)
                     if (e[0], e[1]) not in decided]
            u = np.r_[u, np.array([e[0] for e in extra], dtype=np.int64)]
            rule_no = np.r_[rule_no, np.array([e[1] for e in extra], dtype=np.int64)]
            description = np.r_[description, np.arange(len(extra), dtype=np.int64) + len(descriptions)]
            descriptions += [e[2] for e in extra]
        concept_ids = [r.concept_id for r in self.rules]
        return pa.table({
            "doc_id": units.doc_array.take(pa.array(u)),
            "seg_id": units.seg_ids[u], "start": units.starts[u], "end": units.ends[u],
            "concept_id": labelled(rule_no, concept_ids),
            "coder": labelled(np.zeros(len(u), np.int64), ["auto"]),
            "origin": labelled(np.zeros(len(u), np.int64), ["auto"]),
            "rule": labelled(description, descriptions),
        })

    def code_arrow(self, documents: pd.DataFrame, segments: pd.DataFrame) -> pa.Table:
        """Auto-codings of every document (doc_id, clean_text) with its sentence segments.

        Segments need doc_id, seg_id, turn, start, end and text (= clean_text[start:end]).
        Rows are sorted by doc_id, start, concept_id.
        """
        segs = segments[segments["doc_id"].isin(set(documents["doc_id"]))]
        tables = [self.code_units(Units.from_frame(segs), "sentence")]
        if any(rule.unit == "segment" for rule in self.rules):
            tables.append(self.code_units(Units.from_frame(turn_units(documents, segs)), "segment"))
        table = pa.concat_tables(tables)
        return table.sort_by([("doc_id", "ascending"), ("start", "ascending"),
                              ("concept_id", "ascending"), ("end", "ascending")])

    def code_table(self, documents: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
        """:meth:`code_arrow` as a pandas frame."""
        return self.code_arrow(documents, segments).to_pandas()

    def code_document(self, doc_id: str, text: str, segments: pd.DataFrame) -> list[dict]:
        """Auto-codings of one document, as records."""
        segments = segments.assign(text=[text[s:e] for s, e in zip(segments["start"], segments["end"])])
        table = self.code_table(pd.DataFrame({"doc_id": [doc_id], "clean_text": [text]}), segments)
        return table.to_dict("records")


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
    texts = dict(zip(documents["doc_id"], documents["clean_text"]))
    turns["text"] = [texts[d][s:e] for d, s, e in zip(turns["doc_id"], turns["start"], turns["end"])]
    return turns


def autocode(documents: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Auto-code every document (doc_id, clean_text) with its segments; long codings table."""
    return AutoCoder(codebook).code_table(documents, segments)
