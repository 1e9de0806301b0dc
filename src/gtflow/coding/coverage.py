"""Which documents each coder reviewed: the one place every stage asks.

A coder's *coverage* is the set of documents the coder read in full and coded (or chose to
leave uncoded). It decides what a missing coding means:

* a document the coder reviewed and left without codings is *reviewed-empty*: every one of its
  segments counts as "not applied" (0) for that coder;
* a document the coder did not review is *missing* for that coder, never a row of zeros.

Coverage is declared per coder in config (``code.coverage``: coder id → document ids). A coder
not declared there reviewed exactly the documents they coded at least once. The rule-based
coder (``auto``) reads every document it is given, so its coverage is every document of the
study when those are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from gtflow.contracts import TABLES
from gtflow.errors import ConfigError, InputError

AUTO_CODER = "auto"
COVERAGE_KEY = "code.coverage"


def _coded_documents(codings: pd.DataFrame) -> dict[str, set[str]]:
    """coder → the documents that coder has at least one coding in."""
    missing = [c for c in ("doc_id", "coder") if c not in codings.columns]
    if missing:
        raise InputError(TABLES["codings"].path, "missing column(s) " + ", ".join(missing))
    coded: dict[str, set[str]] = {}
    coders, doc_ids = distinct_pairs(codings["coder"], codings["doc_id"])
    for coder, doc_id in zip(coders, doc_ids):
        coded.setdefault(str(coder), set()).add(str(doc_id))
    return coded


def distinct_pairs(left: pd.Series, right: pd.Series) -> tuple[list, list]:
    """The (left, right) value pairs as two lists, each pair once where both columns are Arrow
    text (a million posts' auto codings name each document about three times), else every row.
    Lists, not the columns: iterating an Arrow column makes each value in Python (slow)."""
    if all(isinstance(c.dtype, pd.StringDtype) and c.dtype.storage == "pyarrow"
           for c in (left, right)):
        left_code, left_values = pd.factorize(left)
        right_code, right_values = pd.factorize(right)
        if len(left) and min(left_code.min(), right_code.min()) >= 0:  # else nulls: NaN in lists
            pairs = pd.unique(left_code.astype(np.int64) * len(right_values) + right_code)
            return (np.asarray(left_values, dtype=object)[pairs // len(right_values)].tolist(),
                    np.asarray(right_values, dtype=object)[pairs % len(right_values)].tolist())
    return left.tolist(), right.tolist()


def _check_declared(coder: str, declared: Sequence[str], coded: set[str],
                    documents: set[str] | None) -> frozenset[str]:
    reviewed = frozenset(map(str, declared))
    if documents is not None:
        unknown = sorted(reviewed - documents)
        if unknown:
            raise ConfigError(f"{COVERAGE_KEY}.{coder}", "lists document(s) that do not exist: "
                              + ", ".join(unknown))
    # Why an error: a coding in an unreviewed document contradicts the declaration.
    undeclared = sorted(coded - reviewed)
    if undeclared:
        raise ConfigError(f"{COVERAGE_KEY}.{coder}", f"omits document(s) that {coder} coded: "
                          + ", ".join(undeclared))
    return reviewed


def reviewed_documents(codings: pd.DataFrame, declared: Mapping[str, Sequence[str]] | None = None,
                       documents: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
    """coder → the documents that coder reviewed.

    ``codings`` is the long codings table (``doc_id``, ``coder``). ``declared`` is the config's
    ``code.coverage`` mapping; a declared coder's coverage is exactly that list (which must
    include every document the coder coded, and, when ``documents`` is given, only documents of
    the study). Undeclared coders reviewed the documents they coded; ``auto`` reviewed all of
    ``documents`` when given. A declared coder without any coding is included (everything they
    reviewed is reviewed-empty). Keys are sorted.
    """
    declared = dict(declared or {})
    # a list first: iterating an Arrow text column makes each value in Python, slowly
    study_docs = None if documents is None else set(map(str, list_of(documents)))
    coded = _coded_documents(codings)
    coverage: dict[str, frozenset[str]] = {}
    for coder in sorted(set(coded) | set(declared)):
        mine = coded.get(coder, set())
        if coder in declared:
            coverage[coder] = _check_declared(coder, declared[coder], mine, study_docs)
        elif coder == AUTO_CODER and study_docs is not None:
            coverage[coder] = frozenset(study_docs | mine)
        else:
            coverage[coder] = frozenset(mine)
    return coverage


def reviewed_by_all(coverage: Mapping[str, frozenset[str]], coders: Sequence[str]) -> frozenset[str]:
    """The documents every one of ``coders`` reviewed (empty when a coder has no coverage)."""
    sets = [coverage.get(c, frozenset()) for c in coders]
    return frozenset.intersection(*sets) if sets else frozenset()


def list_of(values: Iterable[str]) -> list:
    """The values as a list (pandas and numpy arrays, Series and Indexes through ``tolist``)."""
    return values.tolist() if hasattr(values, "tolist") else list(values)
