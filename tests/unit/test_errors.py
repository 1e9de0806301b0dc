"""Reported errors survive a trip between processes (a step's workers send them back pickled)."""

from __future__ import annotations

import pickle

from gtflow.errors import ConfigError, InputError


def test_an_input_error_keeps_its_file_line_and_record_through_pickle():
    error = InputError("data/raw/posts/weibo.jsonl", "not valid JSON", line=12, record="p7")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.line, copy.record, copy.reason) == (
        "data/raw/posts/weibo.jsonl", 12, "p7", "not valid JSON")
    assert copy.describe() == "data/raw/posts/weibo.jsonl, line 12, record p7: not valid JSON"


def test_a_config_error_keeps_its_key_and_file_through_pickle():
    error = ConfigError("clean.shingle_size", "must be at least 1", path="config/study.yaml")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.describe() == error.describe()
    assert (copy.key, copy.path) == ("clean.shingle_size", "config/study.yaml")
