"""The `gtflow` command: init, validate and synth on real folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from gtflow.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_init_scaffolds_a_study_and_refuses_to_overwrite(tmp_path, capsys):
    study = tmp_path / "my-study"
    assert main(["init", str(study)]) == 0
    for path in ("config/config.yaml", "config/codebook.yaml", "config/model.yaml",
                 "data/README.md", "data/raw/interviews", "data/raw/web/pages",
                 "data/raw/web/posts", "data/coding"):
        assert (study / path).exists(), path
    assert f"gtflow validate {study}" in capsys.readouterr().out
    assert main(["init", str(study)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_validate_passes_on_the_demo_study(capsys):
    assert main(["validate", str(REPO_ROOT)]) == 0
    assert "checks passed" in capsys.readouterr().out


def test_validate_reports_every_problem_once_with_file_and_line(tmp_path, capsys):
    study = tmp_path / "study"
    shutil.copytree(REPO_ROOT / "config", study / "config")
    interviews = study / "data" / "raw" / "interviews"
    interviews.mkdir(parents=True)
    (interviews / "a.md").write_text("---\nid: A1\ndate: 2021-13-01\nrespondent: ''\n"
                                     "interviewer: x\nlocation: y\n---\n问：你好\n", encoding="utf-8")
    (interviews / "b.md").write_text("问：没有前言\n", encoding="utf-8")
    assert main(["validate", str(study)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any("a.md" in line and "line 3" in line and "date" in line for line in err)
    assert any("b.md" in line and "line 1" in line and "front matter" in line for line in err)
    assert err[-1].startswith("2 problem(s)")


def test_synth_is_deterministic_for_a_seed(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for study in (first, second):
        shutil.copytree(REPO_ROOT / "config", study / "config")
        assert main(["synth", str(study), "--posts", "300", "--seed", "5"]) == 0
    export = Path("data/raw/web/posts/synth_posts.jsonl")
    assert (first / export).read_bytes() == (second / export).read_bytes()
    assert len((first / export).read_text(encoding="utf-8").splitlines()) == 300


@pytest.mark.parametrize("argv", [["validate", "/nonexistent/study"]])
def test_a_missing_study_is_one_clear_line(argv, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("gtflow:") >= 1 and "Traceback" not in err


def test_size_limit_flags_must_be_positive(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["import-qdpx", "p.qdpx", "--into", "s", "--max-source-mb", "-1"])
    assert stopped.value.code == 2
    assert "expected a positive number of megabytes, not '-1'" in capsys.readouterr().err


def test_external_sources_must_be_a_folder(tmp_path, capsys):
    assert main(["import-qdpx", str(tmp_path / "p.qdpx"), "--into", str(tmp_path / "s"),
                 "--external-sources", str(tmp_path / "nowhere")]) == 1
    assert "nowhere: is not a folder (--external-sources" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()



def test_validate_reports_a_config_error_as_one_line_naming_the_key(tmp_path, capsys):
    study = tmp_path / "study"
    shutil.copytree(REPO_ROOT / "config", study / "config")
    config = study / "config" / "config.yaml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings.setdefault("ingest", {}).setdefault("posts", {})["timezone"] = "Mars/Base"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    posts = study / "data" / "raw" / "web" / "posts"
    posts.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "data" / "raw" / "web" / "posts" / "weibo_pingan_lianyuan.jsonl", posts)
    assert main(["validate", str(study)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any("key 'ingest.posts.timezone'" in line and "Mars/Base" in line for line in err), err
