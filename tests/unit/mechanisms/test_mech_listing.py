"""The full evidence listing (results/tables/evidence.csv) on the hand-made study."""

from __future__ import annotations

from mech_corpus import MODEL, SETTINGS, clean_texts, codebook, codings, documents_and_segments

from gtflow import contracts
from gtflow.mechanisms.cases import code_table, corpus_documents, evidence_codings, placed_codings
from gtflow.mechanisms.listing import (
    EVIDENCE_COLUMNS,
    EvidenceListing,
    cut_quote,
    evidence_listing,
)
from gtflow.mechanisms.presence import CodePresence
from gtflow.mechanisms.steps import mechanism_tables


def listing(quote_chars: int = 200):
    documents, segments = documents_and_segments()
    docs = corpus_documents(documents)
    book = codebook()
    evidence = evidence_codings(placed_codings(codings(segments), docs, book.hierarchy()))
    return evidence_listing(evidence, code_table(book), MODEL,
                            clean_texts(), quote_chars)


def test_rows_of_a_code_and_of_an_edge_worked_by_hand():
    table = listing()
    assert list(table.columns) == EVIDENCE_COLUMNS
    m1 = table[table["item_id"] == "M1"]
    # One evidence coding per (doc, sentence, concept): I1's c1 by coder_a (manual preferred).
    assert list(zip(m1["doc_id"], m1["concept_id"], m1["coder"])) == [
        ("I1", "c1", "coder_a"), ("I2", "c2", "auto"), ("I3", "c1", "auto"),
        ("P1", "c1", "auto"), ("Q1", "c2", "auto")]
    assert m1["level"].unique().tolist() == ["main_category"]
    edge = table[table["item_id"] == "M1->M2"]
    assert sorted(set(edge["doc_id"])) == ["I1", "I3", "P1"]
    assert edge.groupby("role")["concept_id"].apply(set).to_dict() == {"source": {"c1"},
                                                                      "target": {"c3"}}
    assert "Q2" not in set(table["doc_id"])  # the duplicate is left out


def test_documents_and_codings_per_item_match_nodes_and_edges():
    documents, segments = documents_and_segments()
    result = mechanism_tables(codings(segments), documents, segments, clean_texts(), codebook(), MODEL, SETTINGS)
    table = listing()
    for node in result["nodes"].itertuples(index=False):
        rows = table[(table["item_type"] == "code") & (table["item_id"] == node.node_id)]
        assert rows["doc_id"].nunique() == node.documents
        assert len(rows) == node.codings
    for edge in result["edges"].to_dict("records"):
        rows = table[table["item_id"] == f"{edge['from']}->{edge['to']}"]
        assert rows["doc_id"].nunique() == edge["documents"]


def test_quotes_are_the_coded_text_cut_to_the_configured_length():
    texts = clean_texts()
    table = listing(quote_chars=6)
    for row in table.to_dict("records"):
        full = texts[row["doc_id"]][row["start"]:row["end"]]
        assert len(row["quote"]) <= 6
        assert row["truncated"] == (len(full) > 6)
        assert full.startswith(row["quote"].rstrip("…"))
    assert cut_quote("一二三四五六七八", 0, 8, 5) == ("一二三四…", True)
    assert cut_quote("a  b\nc", 0, 6, 10) == ("a b c", False)


def test_the_written_listing_is_the_bytes_of_the_frame_in_any_piece_size(tmp_path):
    documents, segments = documents_and_segments()
    docs = corpus_documents(documents)
    book = codebook()
    evidence = evidence_codings(placed_codings(codings(segments), docs, book.hierarchy()))
    # Quotes with a comma, a double quote and a line break must be quoted as pandas quotes them.
    texts = {doc: text.replace("一", ',"\n', 1) for doc, text in clean_texts().items()}
    listing = EvidenceListing(evidence, CodePresence.index(evidence), code_table(book), MODEL,
                              texts, 200)
    whole = tmp_path / "whole.csv"
    contracts.write_table("evidence", listing.frame(), whole)
    for rows in (1, 2, 1000):
        written = tmp_path / f"written-{rows}.csv"
        listing.write(written, rows=rows)
        assert written.read_bytes() == whole.read_bytes()
    assert len(listing.frame()) > 8  # the codings are listed under several items each


def random_quote_spans(seed: int, rows: int):
    """Spans over texts of every kind of white space str.split() knows, non-ASCII and
    four-byte characters: empty, reversed, negative, past the end, longer than the limit, of
    documents without a text, documents repeated and out of order."""
    import random

    import pandas as pd

    rng = random.Random(seed)
    alphabet = "涟源平安ab。😀é \n\t\x1c\x85\xa0\u2028\u3000"
    texts = {f"D{i}": "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
             for i in range(7)}
    spans = []
    for _ in range(rows):
        doc_id = rng.choice([*sorted(texts), "missing"])
        size = len(texts.get(doc_id, ""))
        start = rng.randint(-2, size + 2)
        spans.append((doc_id, start, start + rng.randint(-2, 12)))
    frame = pd.DataFrame(spans, columns=["doc_id", "start", "end"]).astype(
        {"doc_id": "str", "start": "int64", "end": "int64"})
    return frame, texts


def test_coding_quotes_match_cutting_each_span_in_python():
    import pandas as pd

    from gtflow.mechanisms.listing import coding_quotes

    for seed, rows, limit in ((1, 0, 5), (2, 1, 5), (3, 500, 1), (4, 3000, 4), (5, 3000, 40)):
        frame, texts = random_quote_spans(seed, rows)
        expected = [cut_quote(texts.get(d, ""), s, e, limit)
                    for d, s, e in zip(frame["doc_id"], frame["start"], frame["end"])]
        for block_rows in (7, 1000):
            quotes = coding_quotes(frame, texts, limit, rows=block_rows)
            assert quotes["quote"].tolist() == [q for q, _ in expected]
            assert quotes["truncated"].tolist() == [t for _, t in expected]
            assert quotes["truncated"].dtype == bool
            pd.testing.assert_series_equal(quotes["quote"], pd.Series([q for q, _ in expected],
                                                                      dtype="str", name="quote"))


def test_ascending_positions_are_the_sorted_positions():
    import numpy as np

    from gtflow.mechanisms.listing import ascending

    rng = np.random.default_rng(2)
    for size in (0, 1, 16, 1000):
        for share in (0.0, 0.01, 0.5, 1.0):
            positions = rng.permutation(size)[:int(size * share)]
            assert ascending(positions, size).tolist() == sorted(positions.tolist())
