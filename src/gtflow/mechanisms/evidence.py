"""Which codings count as evidence: ``mechanisms.evidence`` = all | validated | human.

* ``all`` — every coding (the auto-coder's and every human's).
* ``validated`` (default) — human codings, plus the auto-coder's codings of concepts whose rules
  pass ``code.min_auto_f1`` against the human coders, or that no human reference judged at all
  (those are counted but flagged as *unvalidated*; see :func:`gtflow.coding.validity.concept_status`).
* ``human`` — human codings only.

In every mode auto codings a reviewer rejected are already gone (``code_merge`` removes them)
and accepted ones count through the reviewer's confirming coding (origin ``review``).
"""

from __future__ import annotations

import pandas as pd

from gtflow.coding.validity import AUTO

EVIDENCE_MODES = ("all", "validated", "human")


def select_evidence(placed: pd.DataFrame, mode: str,
                    status: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(codings that count, codings excluded) under one evidence mode.

    ``status`` is the per-concept table of :func:`gtflow.coding.validity.concept_status`
    (needed for ``validated``; without it no concept has been judged, so none is excluded).
    """
    if mode not in EVIDENCE_MODES:
        raise ValueError(f"unknown evidence mode {mode!r}; expected one of {EVIDENCE_MODES}")
    is_auto = placed["coder"] == AUTO
    if mode == "all":
        excluded = pd.Series(False, index=placed.index)
    elif mode == "human":
        excluded = is_auto
    else:
        failed = set() if status is None else set(
            status.loc[status["status"] == "failed", "concept_id"])
        excluded = is_auto & placed["concept_id"].isin(failed)
    if not excluded.any():  # the common case: no copy of a table of millions of codings
        return placed, placed.iloc[0:0]
    return placed[~excluded].reset_index(drop=True), placed[excluded].reset_index(drop=True)


def concepts_with_status(status: pd.DataFrame | None, value: str) -> list[str]:
    """Concept ids of one status, in codebook order."""
    if status is None:
        return []
    return status.loc[status["status"] == value, "concept_id"].tolist()


def support_changes(edges_all: pd.DataFrame, edges_mode: pd.DataFrame) -> list[dict]:
    """Edges whose document support differs between ``all`` and the chosen mode."""
    changes = []
    for before, after in zip(edges_all.to_dict("records"), edges_mode.to_dict("records")):
        if int(before["documents"]) != int(after["documents"]) or before["weak"] != after["weak"]:
            changes.append({"edge": f"{before['from']}->{before['to']}",
                            "documents_all": int(before["documents"]),
                            "documents": int(after["documents"]),
                            "weak_all": bool(before["weak"]), "weak": bool(after["weak"])})
    return changes
