"""Rule audit: where the auto-coder's rules disagree with the human coders, segment by segment.

On the sentence segments of the documents at least one human coder reviewed, per concept:

* ``auto_only`` — the auto-coder gave the concept and no human who reviewed the document did
  (a likely false positive), with the rule part that fired (``any:<phrase>``,
  ``all:<p1+p2>``, ``regex:<pattern>``);
* ``human_only`` — a human gave it and the auto-coder did not (a miss).

Phrase ranking: each rule part that fired on reviewed documents, with how often it fired, how
often a reviewing human confirmed it (coded the same concept on the segment) and how often it
misfired; sorted by misfire rate, then by number of misfires, so the worst phrases come first.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from gtflow.coding.validity import AUTO, UNIT, human_coverage, on_reviewed_documents, sentence_units

AUDIT_COLUMNS = ["concept_id", "kind", "doc_id", "seg_id", "start", "end", "rule", "phrase",
                 "coders", "text"]
PHRASE_COLUMNS = ["concept_id", "rule", "phrase", "n_fired", "n_confirmed", "n_misfired",
                  "misfire_rate"]


def rule_phrase(rule: str) -> str:
    """The phrase or pattern of a rule description (the part after ``any:``/``all:``/``regex:``)."""
    return rule.split(":", 1)[1] if ":" in rule else rule


def reviewed_units(codings: pd.DataFrame, segments: pd.DataFrame,
                   coverage: Mapping[str, set[str]] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(auto codings, human codings) on sentence units of documents some human reviewed; the
    human rows carry the coder, the auto rows the rule and the ``reviewers`` of their document.
    ``coverage``: human coder → reviewed documents (default :func:`human_coverage`)."""
    coverage = dict(coverage) if coverage is not None else human_coverage(codings)
    codings, segments = on_reviewed_documents(codings, segments, coverage)
    units = sentence_units(codings[[*UNIT, "start", "end", "concept_id", "coder", "rule"]],
                           segments)
    reviewers: dict[str, list[str]] = {}
    for coder in sorted(coverage):
        for doc in coverage[coder]:
            reviewers.setdefault(doc, []).append(coder)
    units = units[units["doc_id"].isin(set(reviewers))]
    auto = units[units["coder"] == AUTO].drop_duplicates([*UNIT, "concept_id"])
    human = units[units["coder"] != AUTO].drop_duplicates([*UNIT, "concept_id", "coder"])
    auto = auto.assign(reviewers=auto["doc_id"].map(lambda d: ";".join(reviewers[d])))
    return auto.reset_index(drop=True), human.reset_index(drop=True)


def rule_audit(codings: pd.DataFrame, segments: pd.DataFrame,
               coverage: Mapping[str, set[str]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rule_audit.csv, the phrase ranking); see the module docstring."""
    coverage = dict(coverage) if coverage is not None else human_coverage(codings)
    codings, segments = on_reviewed_documents(codings, segments, coverage)
    auto, human = reviewed_units(codings, segments, coverage)
    key = [*UNIT, "concept_id"]
    who = (human.groupby(key)["coder"].agg(lambda c: ";".join(sorted(c))).rename("human_coders")
           .reset_index())
    judged = auto.merge(who, on=key, how="left")
    confirmed = judged["human_coders"].notna()
    texts = segments.set_index(UNIT)["text"]
    auto_only = judged[~confirmed].assign(kind="auto_only", coders=judged.loc[~confirmed, "reviewers"])
    missed = who.merge(auto[key].assign(found=True), on=key, how="left")
    missed = missed[missed["found"].isna()]
    bounds = segments.set_index(UNIT)[["start", "end"]]
    missed = missed.join(bounds, on=UNIT).assign(kind="human_only", rule="",
                                                  coders=missed["human_coders"])
    audit = pd.concat([auto_only, missed], ignore_index=True)
    audit["phrase"] = audit["rule"].fillna("").map(rule_phrase)
    audit["text"] = [texts.get((d, s), "") for d, s in zip(audit["doc_id"], audit["seg_id"])]
    audit = audit.sort_values(["concept_id", "kind", "doc_id", "start", "seg_id"], kind="stable")
    audit = audit[AUDIT_COLUMNS].reset_index(drop=True)
    for column in ("seg_id", "start", "end"):
        audit[column] = audit[column].astype("int64")

    fired = judged.assign(confirmed=confirmed.astype(int))
    ranking = (fired.groupby(["concept_id", "rule"])
               .agg(n_fired=("confirmed", "size"), n_confirmed=("confirmed", "sum"))
               .reset_index())
    ranking["phrase"] = ranking["rule"].map(rule_phrase)
    ranking["n_misfired"] = ranking["n_fired"] - ranking["n_confirmed"]
    ranking["misfire_rate"] = (ranking["n_misfired"] / ranking["n_fired"]).round(4)
    ranking = ranking.sort_values(["misfire_rate", "n_misfired", "concept_id", "rule"],
                                  ascending=[False, False, True, True], kind="stable")
    return audit, ranking[PHRASE_COLUMNS].reset_index(drop=True)
