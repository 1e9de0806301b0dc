"""The explorer page printed once per coding for all items is the page the former code printed
item by item (reference_explorer), on varied listings: hostile and unicode text, empty rules,
edges whose ends cover different documents, documents of no kind of material, repeated and
unknown contrary cases, every cap."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
import reference_explorer
from fixture_study import CODEBOOK, MODEL

from gtflow import contracts
from gtflow.coding.codebook import check_codebook
from gtflow.config import load_yaml
from gtflow.mechanisms.model import CONTRARY_KINDS
from gtflow.memos import load_memos
from gtflow.report.evidence import digest_evidence
from gtflow.report.explorer import (
    PrintedCodings,
    contrary_documents,
    escaped_values,
    explorer_html,
    read_contrary_lists,
)
from gtflow.resources import template_dir

DOCUMENTS = {"I01": "interview", "I<2>": "interview", "文档-3": "web_post", "P&4": "web_page",
             "P05": "web_post", "X06": "other", "😀7": "web_post", "P08": "web_page"}
QUOTES = ["排名压力很大", "<script>alert('x')</script>", 'a & b "c"', "  two\n\tlines\x07 ",
          "no\u00a0break", "", "😀 emoji", "it's", "x" * 30]
EDGES = [*MODEL["edges"], {"from": "a1", "to": "a2", "relation": "致", "relation_en": ""}]


def item_rows(rng: random.Random, item: dict, docs: list[str]) -> list[dict]:
    rows = []
    for doc in sorted(docs):
        for start in sorted(rng.sample(range(100), rng.randint(1, 3))):
            rows.append({**item, "doc_id": doc, "source_type": DOCUMENTS[doc],
                         "seg_id": start // 10, "start": start, "end": start + rng.randint(0, 9),
                         "concept_id": rng.choice(["a1", "a2", "a<3>"]),
                         "coder": rng.choice(["auto", "coder_a", "m&n"]),
                         "origin": rng.choice(["auto", "csv"]),
                         "rule": rng.choice(["", "any:排名", "regex:<a>"]),
                         "quote": rng.choice(QUOTES), "truncated": False})
    return rows


def random_listing(seed: int) -> pd.DataFrame:
    """A listing in the mechanisms stage's order: codes in codebook order, then edges in
    model order, each edge's source rows before its target rows."""
    rng = random.Random(seed)
    book = check_codebook(CODEBOOK, "config/codebook.yaml")
    rows = []
    for code in [*book.main_categories, *book.categories, *book.concepts]:
        level = ("main_category" if code in book.main_categories else
                 "category" if code in book.categories else "concept")
        docs = rng.sample(sorted(DOCUMENTS), rng.randint(0, len(DOCUMENTS)))
        rows += item_rows(rng, {"item_type": "code", "item_id": code["id"], "level": level,
                                "role": ""}, docs)
    for edge in EDGES:
        common = rng.sample(sorted(DOCUMENTS), rng.randint(0, 5))
        # An edge row without a role is printed untagged.
        for role in ("", "source", "target") if edge is EDGES[-1] else ("source", "target"):
            # Mostly the same documents under both ends (as the mechanisms stage writes them),
            # sometimes others.
            docs = common if rng.random() < 0.6 else rng.sample(sorted(DOCUMENTS), 3)
            rows += item_rows(rng, {"item_type": "edge", "level": "edge", "role": role,
                                    "item_id": f"{edge['from']}->{edge['to']}"}, docs)
    return contracts.frame("evidence", rows)


def random_negative(seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    keys = [f"{e['from']}->{e['to']}" for e in EDGES[:2]] + ["zz->yy"]
    rows = [{"edge": rng.choice(keys), "doc_id": rng.choice(sorted(DOCUMENTS)),
             "kind": rng.choice([*CONTRARY_KINDS, "other"])} for _ in range(rng.randint(0, 30))]
    return contracts.frame("negative_cases", rows)


def both_pages(listing: pd.DataFrame, negative: pd.DataFrame, cap: int,
               folder: Path) -> tuple[str, str]:
    book = check_codebook(CODEBOOK, "config/codebook.yaml")
    model = {**MODEL, "edges": EDGES}
    contracts.write_table("negative_cases", negative, folder / "negative_cases.csv")
    lists = read_contrary_lists(folder / "negative_cases.csv", cap, rows=4)
    wanted = contrary_documents(lists, model)
    assert wanted == reference_explorer.contrary_documents(negative, model, cap)
    digest = digest_evidence([listing], cap=cap, contrary_documents=wanted)
    labels = {str(k): str(v).strip()
              for k, v in load_yaml(Path(template_dir()) / "labels.en.yaml").items()}
    common = {"evidence": digest, "book": book, "model": model,
              "memos": load_memos([], book, model), "memo_bodies": {}, "labels": labels,
              "language": "en", "title": "<t>", "cap": cap, "evidence_source": "e.csv",
              "negative_source": "n.csv",
              "contrary": {f"{e['from']}->{e['to']}": {"n_contrary": 2, "outnumbered": i == 0}
                           for i, e in enumerate(EDGES)}}
    return (explorer_html(contrary_docs=lists, **common),
            reference_explorer.explorer_html(negative=negative, **common))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("cap", [0, 1, 2, 500])
def test_the_page_is_the_former_page(seed: int, cap: int, tmp_path: Path) -> None:
    new, former = both_pages(random_listing(seed), random_negative(seed), cap, tmp_path)
    assert new.count('class="coding"') == former.count('class="coding"')
    assert new == former


def test_an_empty_listing_gives_the_former_page(tmp_path: Path) -> None:
    new, former = both_pages(contracts.empty_frame("evidence"),
                             contracts.empty_frame("negative_cases"), 3, tmp_path)
    assert 'class="coding"' not in new
    assert new == former


def test_codings_are_the_former_items_row_by_row() -> None:
    listing = random_listing(7)
    listing.loc[0, "rule"] = None  # neither text nor empty: printed as the former code did
    listing.loc[1, "quote"] = None
    frame = listing.astype(object)
    printed = PrintedCodings.of(frame)
    assert [printed.coding(row) for row in range(len(frame))] == [
        reference_explorer.coding_item(row) for row in reference_explorer.row_dicts(frame)]
    assert [(listing.loc[r, "item_type"], listing.loc[r, "item_id"]) for r in
            printed.rows("code", "a1")] == [("code", "a1")] * (listing["item_id"] == "a1").sum()
    assert printed.rows("code", "zz") == []


@pytest.mark.parametrize("values", [["a<b", "a<b", "平安", ""], ["x", 3, 2.5, None, True, "3"],
                                    [1, 1.0, True], [float("nan"), "nan"], []])
def test_escaped_values_escape_each_value_as_esc(values: list) -> None:
    from gtflow.report.explorer import esc

    assert escaped_values(values) == [esc(v) for v in values]
