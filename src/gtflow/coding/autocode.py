"""The rule-based auto-coder.

All literal phrases of all concepts (any, all and none lists) go into one Aho-Corasick automaton
(ahocorasick-rs), which finds every occurrence in a document in one pass. Matches are mapped to
their unit (sentence or whole speaker turn); each concept's rule is then evaluated on the set of
phrases present in a unit. Regexes are searched once per document and mapped the same way. A
match that crosses a unit boundary does not count for either unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick_rs
import numpy as np
import pandas as pd

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
        self.automaton = (ahocorasick_rs.AhoCorasick(self.phrases, matchkind=ahocorasick_rs.MatchKind.Standard)
                          if self.phrases else None)
        # Which rules each phrase can trigger, so a unit only evaluates the rules it may satisfy.
        self.rules_by_trigger: dict[int, list[int]] = {}
        for rule_no, rule in enumerate(self.rules):
            for phrase in set(rule.any) | set(rule.all[:1]):
                self.rules_by_trigger.setdefault(phrase, []).append(rule_no)

    def phrase_hits(self, text: str, starts: np.ndarray, ends: np.ndarray) -> dict[int, set[int]]:
        """Unit index -> indexes of the phrases found wholly inside that unit."""
        if self.automaton is None or not len(starts):
            return {}
        found = np.array(self.automaton.find_matches_as_indexes(text, overlapping=True),
                         dtype=np.int64).reshape(-1, 3)
        if not len(found):
            return {}
        unit = np.searchsorted(starts, found[:, 1], side="right") - 1
        inside = (unit >= 0) & (found[:, 2] <= ends[np.clip(unit, 0, None)])
        hits: dict[int, set[int]] = {}
        for unit_no, phrase in zip(unit[inside].tolist(), found[inside, 0].tolist()):
            hits.setdefault(unit_no, set()).add(phrase)
        return hits

    def regex_hits(self, text: str, starts: np.ndarray, ends: np.ndarray,
                   rule: ConceptRule) -> dict[int, str]:
        """Unit index -> the first pattern of ``rule`` that matches inside the unit."""
        hits: dict[int, str] = {}
        for pattern in rule.regex:
            for match in pattern.finditer(text):
                unit = int(np.searchsorted(starts, match.start(), side="right")) - 1
                if unit >= 0 and match.end() <= ends[unit] and unit not in hits:
                    hits[unit] = pattern.pattern
        return hits

    def fires(self, rule: ConceptRule, present: set[int]) -> str | None:
        """The rule description if ``rule`` fires on a unit whose phrases are ``present``."""
        if any(p in present for p in rule.none):
            return None
        if rule.all and not all(p in present for p in rule.all):
            return None
        if rule.any:
            first = next((p for p in rule.any if p in present), None)
            if first is None:
                return None
            return f"any:{self.phrases[first]}" + (f" all:{'+'.join(self.phrases[p] for p in rule.all)}"
                                                    if rule.all else "")
        if rule.all:
            return "all:" + "+".join(self.phrases[p] for p in rule.all)
        return None

    def code_units(self, doc_id: str, text: str, units: pd.DataFrame, unit_kind: str) -> list[dict]:
        """Codings for the rules of one unit kind on units (seg_id, start, end), sorted by start."""
        rules = [(n, r) for n, r in enumerate(self.rules) if r.unit == unit_kind]
        if not rules or units.empty:
            return []
        starts = units["start"].to_numpy(np.int64)
        ends = units["end"].to_numpy(np.int64)
        seg_ids = units["seg_id"].tolist()
        phrase_hits = self.phrase_hits(text, starts, ends)
        wanted = {n for n, _ in rules}
        candidates: dict[int, set[int]] = {}
        for unit_no, present in phrase_hits.items():
            for phrase in present:
                for rule_no in self.rules_by_trigger.get(phrase, ()):
                    if rule_no in wanted:
                        candidates.setdefault(unit_no, set()).add(rule_no)
        codings: dict[tuple[int, str], str] = {}
        for unit_no, rule_nos in candidates.items():
            for rule_no in rule_nos:
                rule = self.rules[rule_no]
                description = self.fires(rule, phrase_hits.get(unit_no, set()))
                if description:
                    codings[(unit_no, rule.concept_id)] = description
        for _, rule in rules:
            if not rule.regex:
                continue
            for unit_no, pattern in self.regex_hits(text, starts, ends, rule).items():
                present = phrase_hits.get(unit_no, set())
                vetoed = any(p in present for p in rule.none) or (
                    rule.all and not all(p in present for p in rule.all))
                if not vetoed:
                    codings.setdefault((unit_no, rule.concept_id), f"regex:{pattern}")
        return [{"doc_id": doc_id, "seg_id": seg_ids[u], "start": int(starts[u]), "end": int(ends[u]),
                 "concept_id": concept, "coder": "auto", "origin": "auto", "rule": description}
                for (u, concept), description in sorted(codings.items())]

    def code_document(self, doc_id: str, text: str, segments: pd.DataFrame) -> list[dict]:
        """Auto-codings of one document from its clean text and its sentence segments."""
        segments = segments.sort_values("start")
        turns = (segments.groupby("turn", sort=True)
                 .agg(seg_id=("seg_id", "first"), start=("start", "min"), end=("end", "max"))
                 .reset_index().sort_values("start"))
        return (self.code_units(doc_id, text, segments, "sentence")
                + self.code_units(doc_id, text, turns, "segment"))


def autocode(documents: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Auto-code every document (doc_id, clean_text) with its segments; long codings table."""
    coder = AutoCoder(codebook)
    rows: list[dict] = []
    by_doc = dict(tuple(segments.groupby("doc_id", sort=False))) if len(segments) else {}
    for doc_id, text in zip(documents["doc_id"], documents["clean_text"]):
        if doc_id in by_doc:
            rows.extend(coder.code_document(doc_id, text, by_doc[doc_id]))
    frame = pd.DataFrame(rows, columns=CODING_COLUMNS)
    return frame.astype({"seg_id": "int64", "start": "int64", "end": "int64"})
