"""A study whose only material is a weibo-search CSV runs through a field mapping alone."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from studykit import snakemake

from gtflow.init import init_study

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "ingest"))
from test_ingest_posts import WEIBO_SEARCH_FIELDS, write_weibo_search

pytestmark = pytest.mark.integration


def test_a_weibo_search_export_is_cleaned_with_its_mapping_from_config(tmp_path):
    study = tmp_path / "weibo"
    init_study(study)
    write_weibo_search(study / "data" / "raw" / "web" / "posts" / "weibo_search_app.csv")
    config_path = study / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["ingest"]["posts"]["fields"] = {"weibo_search_*.csv": WEIBO_SEARCH_FIELDS}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    snakemake(study, "--cores", "2", "results/clean/documents.parquet")

    documents = pd.read_parquet(study / "results" / "clean" / "documents.parquet")
    assert sorted(documents["doc_id"]) == ["4617632456785922", "4617701234567890",
                                           "4617788888888888"]
    assert set(documents["date"]) == {"2021-03-18", "2021-03-19"}
    repost = documents.set_index("doc_id").loc["4617701234567890"]
    assert repost["parent_id"] == "4617632456785922"
