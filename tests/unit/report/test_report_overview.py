"""The overview and the kept codings, filtering only the columns they use, are what the former
code (reference_overview) built: varied documents (every source type and an unknown one,
reposts, unknown and odd dates, shared raw files, missing values)."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest
import reference_overview

from gtflow import contracts
from gtflow.report.results import DOCUMENT_COLUMNS, Results
from gtflow.report.sections.overview import corpus_overview

TYPES = ["interview", "web_page", "web_post", "other"]
DATES = ["2021-10-03", "", "2021-10", "２０２１-１０-０１", "2019-06-30", "abcd-ef", "2020-02-29T1"]


def random_documents(seed: int, n: int = 60) -> pd.DataFrame:
    rng = random.Random(seed)
    ids = [f"d{i:03d}" for i in range(n)]
    frame = pd.DataFrame({
        "doc_id": ids,
        "source_type": [rng.choice(TYPES) for _ in ids],
        "date": [rng.choice(DATES) for _ in ids],
        "respondent_id": [rng.choice(["", "R1", "R2"]) for _ in ids],
        "sha256_raw": [f"h{rng.randint(0, 5)}" for _ in ids],
        "raw_path": [f"data/raw/{rng.randint(0, 5)}.txt" for _ in ids],
        "n_chars": [rng.randint(0, 500) for _ in ids],
        "duplicate_of": [rng.choice(["", "", "", "d000"]) for _ in ids]})
    frame.loc[rng.sample(range(n), 3), "date"] = None
    return frame.astype({c: "str" for c in DOCUMENT_COLUMNS if c != "n_chars"})


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("shown", [0, 2, 50])
def test_the_overview_is_the_former_overview(seed: int, shown: int) -> None:
    documents = random_documents(seed)
    segments = pd.Series([f"d{i:03d}" for i in range(0, 80, 2)] * 2, dtype="str")
    duplicates = pd.DataFrame({"doc_id": ["d001", "d002", "d003"],
                               "kind": ["kept", "exact", "near"]}, dtype="str")
    roster = pd.DataFrame({"respondent_id": ["R1", "R2"], "role": ["a", "b"],
                           "level": ["x", ""]}, dtype="str")
    for frame in (documents, documents.iloc[0:0]):
        new = corpus_overview(frame, segments, duplicates, roster, shown)
        former = reference_overview.corpus_overview(frame, segments, duplicates, roster, shown)
        assert json.dumps(new) == json.dumps(former)


def test_kept_codings_are_the_former_ones(built_report) -> None:
    inputs = built_report["inputs"]
    results = Results(inputs, {})
    documents = contracts.read_table("documents", inputs.documents)
    codings = contracts.read_table("codings", inputs.codings)
    kept = contracts.kept_documents(documents)["doc_id"]
    former = codings[codings["doc_id"].isin(set(kept))]
    assert len(former) < len(codings) or not (documents["duplicate_of"] != "").any()
    pd.testing.assert_frame_equal(
        results.kept_codings.reset_index(drop=True),
        former[list(results.kept_codings.columns)].reset_index(drop=True), check_dtype=False)
