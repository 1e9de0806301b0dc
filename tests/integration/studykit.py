"""Build small studies from the demo material and run the real workflow on them."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO_ROOT / "workflow" / "Snakefile"
DEMO_INTERVIEWS = ("LY-I01", "LY-I02", "LY-I03", "LY-I24")
DEMO_PAGES = ("W001.html", "W014.html", "W036.html", "W042.html")
DEMO_POSTS = ("forum_lianyuan_threads.csv",)


def copy_small_study(target: Path, interviews=DEMO_INTERVIEWS, pages=DEMO_PAGES,
                     posts=DEMO_POSTS) -> Path:
    """A few interviews, pages (one a repost), post exports, the roster, codings, memos and
    config."""
    raw, demo = target / "data" / "raw", REPO_ROOT / "data" / "raw"
    shutil.copytree(REPO_ROOT / "config", target / "config")
    (raw / "interviews").mkdir(parents=True)
    for doc in interviews:
        shutil.copy(demo / "interviews" / f"{doc}.md", raw / "interviews")
    shutil.copy(demo / "respondents.sav", raw)
    pages_dir = raw / "web" / "pages"
    pages_dir.mkdir(parents=True)
    with open(demo / "web" / "pages" / "manifest.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(pages_dir / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["file"] in pages)
    for page in pages:
        shutil.copy(demo / "web" / "pages" / page, pages_dir)
    posts_dir = raw / "web" / "posts"
    posts_dir.mkdir(parents=True)
    for export in posts:
        shutil.copy(demo / "web" / "posts" / export, posts_dir)
    copy_codings(target, set(interviews))
    if (REPO_ROOT / "data" / "memos").is_dir():
        shutil.copytree(REPO_ROOT / "data" / "memos", target / "data" / "memos")
    card = REPO_ROOT / "data" / "README.md"
    if card.exists():
        shutil.copy(card, target / "data" / "README.md")
    return target


def copy_codings(target: Path, documents: set[str]) -> None:
    """The demo's manual codings restricted to the documents of the small study."""
    coding_dir = target / "data" / "coding"
    coding_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted((REPO_ROOT / "data" / "coding").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [r for r in reader if r["doc_id"] in documents]
            fields = reader.fieldnames
        with open(coding_dir / path.name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)


def snakemake(study: Path, *args: str, check: bool = True, snakefile: Path = SNAKEFILE,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real workflow on ``study`` in a subprocess."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), "--directory",
               str(study), *args]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=900,
                            env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout[-4000:]}\n"
                             f"{result.stderr[-6000:]}")
    return result


def planned_jobs(study: Path, *targets: str, **options) -> dict[str, int]:
    """Rule -> number of jobs a dry run would execute (empty when nothing is to be done)."""
    result = snakemake(study, "-n", "--quiet", "rules", "--cores", "2", *targets, **options)
    counts: dict[str, int] = {}
    in_table = False
    for line in (result.stdout + result.stderr).splitlines():
        parts = line.split()
        if parts[:2] == ["job", "count"]:
            in_table = True
            continue
        if in_table and len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
        elif in_table and parts and parts[0] == "total":
            break
    return counts


def checksums(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (relative path -> hex digest)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
