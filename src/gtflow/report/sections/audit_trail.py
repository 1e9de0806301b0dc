"""The reviewer's audit trail: the evidence explorer's file name, the cases that do not fit
each model edge, and the analytic memos by report section
(built by :func:`gtflow.report.audit.audit_context`)."""

from __future__ import annotations

from gtflow.report.audit import audit_context
from gtflow.report.results import Results


def build(results: Results) -> dict:
    return audit_context(memo_paths=results.inputs.memos, config=results.config,
                         book=results.book, model=results.model,
                         contrary=results.summary("mechanisms")["contrary"],
                         negative=results.inputs.negative_cases,
                         negative_source=results.source("negative_cases"))
