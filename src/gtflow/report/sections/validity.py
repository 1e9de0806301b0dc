"""Validity of the auto-coder: agreement of its codings with the human coders per concept, the
rule audit, reviewers' decisions, and which codings the evidence mode counted
(built by :func:`gtflow.report.validity.validity_section`)."""

from __future__ import annotations

from gtflow.report.results import Results
from gtflow.report.validity import validity_section


def build(results: Results) -> dict:
    sources = {name: results.source(name) for name in ("validity", "rule_audit", "rule_phrases",
                                                        "review")}
    return validity_section(results.table("validity"), results.table("rule_audit"),
                            results.table("rule_phrases"), results.table("review"),
                            results.summary("mechanisms"), results.book,
                            float(results.config["code"]["min_auto_f1"]), sources)
