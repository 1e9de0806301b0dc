"""Post authors: one pseudonym per handle across the study's exports, in first-seen order."""

from __future__ import annotations

import pandas as pd

from gtflow.clean.authors import author_pseudonyms, read_author_table, write_author_table


def test_pseudonyms_follow_first_appearance_and_ignore_empty_authors():
    table = author_pseudonyms(["涟源老街坊", "", "手机里装不下了", "涟源老街坊", None])
    assert table.to_dict("records") == [
        {"author": "涟源老街坊", "pseudonym": "[U001]", "posts": 2},
        {"author": "手机里装不下了", "pseudonym": "[U002]", "posts": 1}]


def test_one_table_for_all_exports_read_in_file_name_order(tmp_path):
    second, first = tmp_path / "weibo.parquet", tmp_path / "forum.parquet"
    pd.DataFrame({"author": ["b", "c"]}).to_parquet(second)
    pd.DataFrame({"author": ["a", "b"]}).to_parquet(first)
    out = tmp_path / "private" / "authors.csv"
    write_author_table([second, first], out)
    assert read_author_table(out) == {"a": "[U001]", "b": "[U002]", "c": "[U003]"}
    assert read_author_table(None) == {}
