"""The evidence digest that counts and chooses from runs of documents gives what the former
digest (reference_evidence) gave: tallies, shown rows, contrary rows and errors, on random
listings read in batches of every size — edges whose ends cover the same, other or partly the
same documents, three roles, an item with rows without a role before its roles, documents of
no kind of material, unicode ids, missing values."""

from __future__ import annotations

import random

import pandas as pd
import pytest
import reference_evidence

from gtflow import contracts
from gtflow.errors import InputError
from gtflow.report.evidence import RoleDocuments, digest_evidence

SOURCES = {"I01": "interview", "I02": "interview", "P01": "web_post", "P02": "web_page",
           "P03": "web_post", "X04": "other", "文档5": "web_post", "😀6": "", "P07": "web_page"}


def item_rows(rng: random.Random, item_type: str, item_id: str, role: str,
              docs: list[str]) -> list[dict]:
    rows = []
    for doc in sorted(docs):
        for start in sorted(rng.sample(range(50), rng.randint(1, 3))):
            rows.append({"item_type": item_type, "item_id": item_id,
                         "level": "edge" if item_type == "edge" else "concept", "role": role,
                         "doc_id": doc, "source_type": SOURCES[doc], "seg_id": 0,
                         "start": start, "end": start + 3, "concept_id": "a1", "coder": "auto",
                         "origin": "auto", "rule": rng.choice(["", "any:x"]),
                         "quote": f"{doc}@{start}", "truncated": False})
    return rows


def random_listing(seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    documents = sorted(SOURCES)

    def some(low: int = 0) -> list[str]:
        return rng.sample(documents, rng.randint(low, len(documents)))

    rows = []
    for code in ("a1", "A1", "AA1", "b2"):
        rows += item_rows(rng, "code", code, "", some())
    shared = some(1)
    for edge, roles in (("a1->A1", {"source": shared, "target": shared}),
                        ("A1->AA1", {"source": some(), "target": some()}),
                        ("AA1->b2", {"source": shared, "target": shared[:-1] + some()[:2]}),
                        ("b2->a1", {"middle": some(), "source": some(), "target": some()}),
                        ("x->y", {"": some(), "source": some(), "target": some()})):
        for role in sorted(roles):
            rows += item_rows(rng, "edge", edge, role, roles[role])
    return contracts.frame("evidence", rows)


def batches_of(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [frame.iloc[i:i + size] for i in range(0, len(frame), size)]


def digests(frame: pd.DataFrame, size: int, cap: int, contrary: dict[str, set[str]]) -> tuple:
    new = digest_evidence(batches_of(frame, size), cap=cap, contrary_documents=contrary)
    former = reference_evidence.digest_evidence(batches_of(frame, size), cap=cap,
                                                contrary_documents=contrary)
    return new, former


def tallies(digest) -> dict:
    return {key: (t.n_documents, t.n_codings, t.group_documents, t.shown, t.roles)
            for key, t in digest.tallies.items()}


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("size", [1, 3, 7, 1000])
@pytest.mark.parametrize("cap", [0, 1, 100])
def test_the_digest_is_the_former_digest(seed: int, size: int, cap: int) -> None:
    frame = random_listing(seed)
    rng = random.Random(seed)
    contrary = {code: set(rng.sample(sorted(SOURCES), rng.randint(0, 4)))
                for code in ("a1", "A1", "b2", "zz")}
    new, former = digests(frame, size, cap, contrary)
    assert tallies(new) == tallies(former)
    pd.testing.assert_frame_equal(new.shown, former.shown)
    pd.testing.assert_frame_equal(new.contrary, former.contrary)


def test_missing_values_are_kept_as_before() -> None:
    frame = random_listing(3)
    frame.loc[::3, "quote"] = None
    frame.loc[::5, "rule"] = None
    new, former = digests(frame, 4, 2, {"a1": {"P01", "I02"}})
    assert new.shown["quote"].isna().any()
    pd.testing.assert_frame_equal(new.shown, former.shown)
    pd.testing.assert_frame_equal(new.contrary, former.contrary)


@pytest.mark.parametrize("seed", range(12))
def test_a_listing_out_of_order_fails_as_before(seed: int) -> None:
    frame = random_listing(seed)
    rng = random.Random(seed)
    order = list(range(len(frame)))
    i, j = rng.sample(order, 2)
    order[i], order[j] = order[j], order[i]
    swapped = frame.iloc[order].reset_index(drop=True)
    outcomes = []
    for digest in (digest_evidence, reference_evidence.digest_evidence):
        try:
            outcomes.append(tallies(digest(batches_of(swapped, 5), cap=2)))
        except InputError as error:
            outcomes.append((str(error), error.line))
    assert outcomes[0] == outcomes[1]


def test_a_later_role_finds_earlier_documents_out_of_step() -> None:
    """Documents compared by position first: those out of step are still found."""
    import pyarrow as pa

    roles = RoleDocuments()
    assert roles.new_documents("source", pa.array(["a", "b", "d"])).tolist() == [True] * 3
    assert roles.new_documents("target", pa.array(["a", "c"])).tolist() == [False, True]
    assert roles.new_documents("target", pa.array(["d", "e"])).tolist() == [False, True]
    assert roles.new_documents("zz", pa.array(["c", "e", "f"])).tolist() == [False, False, True]
    assert roles.new_documents("", pa.array(["a"])).tolist() == [True]
