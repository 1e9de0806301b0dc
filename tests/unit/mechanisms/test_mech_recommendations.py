"""Recommendation evidence and strength."""

from __future__ import annotations

import pandas as pd
import pytest

from gtflow.mechanisms.recommendations import recommendation_table, strength_of


@pytest.mark.parametrize(("documents", "expected"), [(0, "weak"), (2, "weak"), (3, "moderate"),
                                                     (5, "moderate"), (6, "strong"), (40, "strong")])
def test_strength_rule(documents, expected):
    assert strength_of(documents, threshold=3) == expected


def test_recommendation_is_as_strong_as_its_weakest_target():
    nodes = pd.DataFrame({"node_id": ["A", "B", "C"], "documents": [10, 4, 1]})
    model = {"recommendations": [
        {"id": "R1", "title": "一", "title_en": "One", "targets": ["A", "B"]},
        {"id": "R2", "title": "二", "title_en": "Two", "targets": ["A"]},
        {"id": "R3", "title": "三", "title_en": "Three", "targets": ["C", "A"]},
        {"id": "R4", "title": "四", "title_en": "Four", "targets": []}]}
    table = recommendation_table(model, nodes, threshold=3)
    assert table.to_dict("records")[0] == {
        "rec_id": "R1", "title": "一", "title_en": "One", "targets": "A;B",
        "target_evidence_documents": 4, "target_evidence": "A=10;B=4",
        "target_strengths": "A=strong;B=moderate", "strength": "moderate"}
    assert table["strength"].tolist() == ["moderate", "strong", "weak", "weak"]
    assert table.loc[2, "target_evidence"] == "C=1;A=10"
