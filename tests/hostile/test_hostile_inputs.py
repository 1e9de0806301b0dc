"""Hostile inputs: each crafted file gets one clear line, a non-zero exit, nothing written outside
the study (or at all), and the gtflow process stays under a 2 GB address-space cap.

The files are built here (see hostile_files.py), never shipped. Bombs are pre-compressed blocks,
so building a 1.5 GB bomb takes milliseconds and the suite stays fast.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hostile_files import (
    BILLION_LAUGHS,
    MEMORY_CAP,
    PAGE_TEXT,
    deflate_bomb,
    docx_members,
    files_under,
    gtflow,
    nested_page,
    page_html,
    project_qde,
    step,
    stored,
    write_zip,
)

REPO = Path(__file__).resolve().parents[2]
SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- not for any study"
BOMB_SIZE = 1_500_000_000  # the zip bomb: one source of 1.5 GB of repeated text


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder holding the hostile file in in/, a private file in outside/ and room for study/."""
    (tmp_path / "in").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(SECRET, encoding="utf-8")
    return tmp_path


def qdpx(workspace: Path, qde: str, *members: tuple) -> Path:
    return write_zip(workspace / "in" / "project.qdpx",
                     [stored("project.qde", qde.encode("utf-8")), *members])


def assert_refused(run, before: dict[str, int], workspace: Path, *needles: str) -> str:
    """Exit 1, exactly one line naming the problem, no file written, under the memory cap."""
    assert run.returncode == 1, run.stderr
    assert len(run.error_lines) == 1, run.stderr
    line = run.error_lines[0]
    assert line.startswith("gtflow: ")
    for needle in needles:
        assert needle in line, line
    assert files_under(workspace) == before
    assert run.peak_rss < MEMORY_CAP
    return line


# ----------------------------------------------------------------------------- external sources

@pytest.mark.parametrize("link", [
    "file://{secret}",
    "absolute://{secret}",
    "{secret}",
    "relative://../outside/secret.txt",
])
def test_source_outside_the_project_is_never_read(workspace, link):
    secret = workspace / "outside" / "secret.txt"
    link = link.format(secret=secret)
    project = qdpx(workspace, project_qde(link))
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", cwd=workspace)
    assert_refused(run, before, workspace, "in/project.qdpx", "'Interview 1'",
                   f"points outside the project ({link})", "--external-sources DIR")
    assert SECRET not in run.stdout + run.stderr


def test_bare_qde_cannot_climb_out_of_its_folder(workspace):
    project = workspace / "in" / "project.qde"
    project.write_text(project_qde("../outside/secret.txt"), encoding="utf-8")
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", cwd=workspace)
    assert_refused(run, before, workspace, "'Interview 1'", "points outside the project",
                   "--external-sources DIR")


def test_symlink_out_of_the_allowed_folder_is_refused(workspace):
    allowed = workspace / "allowed"
    allowed.mkdir()
    os.symlink(workspace / "outside" / "secret.txt", allowed / "interview.txt")
    project = qdpx(workspace, project_qde(f"file://{allowed / 'interview.txt'}"))
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", "--external-sources",
                 str(allowed), cwd=workspace)
    assert_refused(run, before, workspace, "'Interview 1'",
                   f"points to {(workspace / 'outside' / 'secret.txt').resolve()}",
                   "outside the folder allowed by --external-sources")


def test_allowed_external_source_imports(workspace):
    allowed = workspace / "allowed"
    allowed.mkdir()
    (allowed / "interview.txt").write_text("Trust came late.\r\nThen it stayed.", encoding="utf-8")
    project = qdpx(workspace, project_qde(f"file://{allowed / 'interview.txt'}"))
    run = gtflow("import-qdpx", str(project), "--into", "study", "--external-sources",
                 str(allowed), cwd=workspace)
    assert run.returncode == 0, run.stderr
    transcript = (workspace / "study" / "data" / "raw" / "interviews" / "Interview_1.txt")
    assert transcript.read_text(encoding="utf-8").endswith("Trust came late.\nThen it stayed.")
    codings = (workspace / "study" / "data" / "coding" / "Ana.csv").read_text(encoding="utf-8")
    assert ",Trust," in codings
    assert all(SECRET not in path.read_text(encoding="utf-8", errors="replace")
               for path in (workspace / "study").rglob("*") if path.is_file())


def test_internal_path_traversal_is_refused_as_missing(workspace):
    # internal:// names a member of the archive; "../../" finds none, so the file outside is
    # never read: --strict stops, and the default partial import skips the source with a warning.
    project = qdpx(workspace, project_qde("internal://../../outside/secret.txt"))
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", "--strict", cwd=workspace)
    assert_refused(run, before, workspace, "'Interview 1'", "is missing from the project")
    run = gtflow("import-qdpx", str(project), "--into", "study", cwd=workspace)
    assert run.returncode == 0, run.stderr
    assert "'Interview 1'" in run.stderr and "is missing from the project" in run.stderr
    assert not (workspace / "study" / "data" / "raw" / "interviews").exists()
    assert all(SECRET not in path.read_text(encoding="utf-8", errors="replace")
               for path in (workspace / "study").rglob("*") if path.is_file())


# ----------------------------------------------------------------------------- bombs

def test_zip_bomb_source_is_refused_at_the_default_limit(workspace):
    project = qdpx(workspace, project_qde("internal://a.txt"),
                   deflate_bomb("Sources/a.txt", BOMB_SIZE))
    assert project.stat().st_size < 10_000_000  # a few MB that unpack to 1.5 GB
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", cwd=workspace)
    assert_refused(run, before, workspace, "in/project.qdpx", "member Sources/a.txt",
                   "larger than 200 MB, the limit for one source",
                   "limits.source_mb or --max-source-mb")


def test_zip_bomb_with_lying_header_is_refused(workspace):
    # The headers claim 1,000 bytes; the stream unpacks to 1.5 GB.
    project = qdpx(workspace, project_qde("internal://a.txt"),
                   deflate_bomb("Sources/a.txt", BOMB_SIZE, declared=1000))
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", cwd=workspace)
    assert_refused(run, before, workspace, "member Sources/a.txt is damaged")


def test_lying_header_is_caught_by_counting_against_a_lower_limit(workspace):
    # Declared 0.5 MB, within a 1 MB limit; 30 MB arrive. Either the count or the CRC stops it.
    project = qdpx(workspace, project_qde("internal://a.txt"),
                   deflate_bomb("Sources/a.txt", 30_000_000, declared=500_000))
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", "--max-source-mb", "1",
                 cwd=workspace)
    assert_refused(run, before, workspace, "member Sources/a.txt")


def test_whole_package_limit(workspace):
    project = qdpx(workspace, project_qde("internal://a.txt"),
                   stored("Sources/a.txt", ("访谈" * 200_000).encode("utf-8")))
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", "--max-package-mb", "1",
                 cwd=workspace)
    assert_refused(run, before, workspace, "unpacks to larger than 1 MB, the limit for one "
                   "package, unpacked (limits.package_mb or --max-package-mb)")


def test_billion_laughs_is_refused(workspace):
    project = qdpx(workspace, BILLION_LAUGHS)
    before = files_under(workspace)
    run = gtflow("import-qdpx", str(project), "--into", "study", cwd=workspace)
    assert_refused(run, before, workspace, "not well-formed XML", "amplification")


# ----------------------------------------------------------------------------- raw material

def study_with(workspace: Path, limits: dict | None = None) -> Path:
    """The demo's config in workspace/study (valid), with the given limits, and empty data."""
    study = workspace / "study"
    shutil.copytree(REPO / "config", study / "config")
    if limits:
        config_path = study / "config" / "config.yaml"
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        config["limits"] = limits
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for folder in ("interviews", "web/pages", "web/posts"):
        (study / "data" / "raw" / folder).mkdir(parents=True)
    return study


def transcript(size: int) -> bytes:
    head = "---\nid: T01\ndate: 2021-03-18\nrespondent: ''\ninterviewer: A\nlocation: X\n---\n"
    return (head + "答：" + "我们每周都要排名。" * (size // 27) + "\n").encode("utf-8")


def add_page(study: Path, name: str, data: bytes | None = None) -> Path:
    pages = study / "data" / "raw" / "web" / "pages"
    path = pages / name
    if data is not None:
        path.write_bytes(data)
    (pages / "manifest.csv").write_text(
        f"file,url,accessed,site,kind\n{name},https://news.example.cn/1,2021-10-12,新闻网,news\n",
        encoding="utf-8")
    return path


def validate(study: Path, *flags: str):
    run = gtflow("validate", str(study), *flags, cwd=study.parent)
    problems = [line for line in run.error_lines if not line.endswith(f"found in {study}")]
    return run, problems


def assert_validate_refuses(study: Path, *needles: str):
    """`gtflow validate` finds exactly one problem naming the needles, writes nothing and stays
    under the memory cap; returns the run."""
    workspace = study.parent
    before = files_under(workspace)
    run, problems = validate(study)
    assert run.returncode == 1, run.stderr
    assert len(problems) == 1, run.stderr
    for needle in needles:
        assert needle in problems[0], problems[0]
    assert files_under(workspace) == before
    assert run.peak_rss < MEMORY_CAP
    return run


def test_oversized_transcript_by_config(workspace):
    study = study_with(workspace, {"source_mb": 1})
    (study / "data/raw/interviews/T01.md").write_bytes(transcript(1_500_000))
    assert_validate_refuses(study, "interviews/T01.md",
                            "larger than 1 MB, the limit for one source (limits.source_mb")


def test_oversized_transcript_by_flag_leaves_no_step_output(workspace):
    study = study_with(workspace)
    raw = study / "data/raw/interviews/T01.md"
    raw.write_bytes(transcript(1_500_000))
    _, problems = validate(study, "--max-source-mb", "1")
    assert problems and "larger than 1 MB" in problems[0]
    # The pipeline's step, as its Snakemake adapter calls it, with the limit from config.
    out = study / "private" / "T01.parquet"
    before = files_under(workspace)
    run = step("ingest_interview_file", study, raw=str(raw), out=str(out),
               limits={"source_mb": 1})
    assert run.returncode == 1
    assert run.error_lines == [(f"gtflow: {raw}: is larger than 1 MB, the limit for one source "
                                "(limits.source_mb or --max-source-mb)")]
    assert files_under(workspace) == before
    assert not out.exists()


@pytest.mark.parametrize(("declared", "problem"), [
    (None, "larger than 200 MB, the limit for one source"),  # honest header, refused unread
    (2000, "is damaged"),  # the header lies: 2,000 bytes claimed, 1.5 GB in the stream
])
def test_docx_bomb_is_refused(workspace, declared, problem):
    study = study_with(workspace)
    write_zip(study / "data/raw/interviews/T01.docx",
              [*docx_members(), deflate_bomb("word/document.xml", BOMB_SIZE,
                                                declared=declared)])
    assert_validate_refuses(study, "interviews/T01.docx", "member word/document.xml", problem)


def test_300_mb_page_is_refused_unread(workspace):
    study = study_with(workspace)
    page = add_page(study, "W001.html")
    with open(page, "wb") as handle:  # sparse: 300 MB on paper, nothing on disk
        handle.truncate(300_000_000)
    run = assert_validate_refuses(study, "pages/W001.html",
                                  "larger than 200 MB, the limit for one source")
    assert run.peak_rss < 300_000_000  # the page was never read into memory


def test_deeply_nested_page_ends_with_a_message(workspace):
    study = study_with(workspace)
    add_page(study, "W001.html", nested_page(200_000).encode("utf-8"))
    assert_validate_refuses(study, "pages/W001.html", "has no extractable main text")


def test_page_extraction_time_limit_stops_the_child(workspace):
    study = study_with(workspace, {"page_seconds": 0.05})
    page = add_page(study, "W001.html", page_html("utf-8").encode("utf-8"))
    assert_validate_refuses(study, "pages/W001.html",
                            "did not finish within 0.05 s (limits.page_seconds)")
    # The extraction child was killed, not left running.
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        assert str(page).encode() not in command


@pytest.mark.parametrize(("declared", "codec"), [("iso-8859-1", "gb18030"),
                                                 ("utf-16", "gb18030"),
                                                 ("gbk", "utf-8")])
def test_lying_meta_charset_is_read_correctly(workspace, declared, codec):
    study = study_with(workspace)
    raw = add_page(study, "W001.html", page_html(declared).encode(codec))
    manifest = raw.parent / "manifest.csv"
    out = workspace / "study" / "private" / "W001.parquet"
    run = step("ingest_page_file", study, raw=str(raw), manifest=str(manifest), out=str(out))
    assert run.returncode == 0, run.stderr
    row = pd.read_parquet(out).iloc[0]
    assert PAGE_TEXT in row.text
    assert row.encoding == codec
    assert run.peak_rss < MEMORY_CAP


def test_oversized_post_export(workspace):
    study = study_with(workspace, {"export_mb": 1})
    post = {"id": "p1", "url": "https://weibo.example.com/1", "date": "2021-01-05",
            "author": "网友", "text": "排名" * 400_000, "parent_id": None}
    (study / "data/raw/web/posts/posts.jsonl").write_text(json.dumps(post, ensure_ascii=False),
                                                           encoding="utf-8")
    assert_validate_refuses(study, "posts/posts.jsonl",
                            "larger than 1 MB, the limit for one post export (limits.export_mb)")
