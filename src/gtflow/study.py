"""A study on disk: which raw files it has, found by convention under data/.

Layout: data/raw/interviews/*.{md,txt,docx}, data/raw/web/pages/*.html + manifest.csv,
data/raw/web/posts/*.{jsonl,csv}, data/raw/respondents.{sav,dta,csv},
data/coding/*.{csv,qdpx,qde},
data/README.md (the data card). Every part but the interviews folder may be absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gtflow.errors import InputError

INTERVIEW_SUFFIXES = (".md", ".txt", ".docx")
PAGE_SUFFIXES = (".html", ".htm")
POST_SUFFIXES = (".jsonl", ".csv")
ROSTER_SUFFIXES = (".sav", ".dta", ".csv")
MANUAL_CODING_SUFFIXES = (".csv", ".qdpx", ".qde")


def files_by_stem(folder: Path, suffixes: tuple[str, ...], root: Path) -> dict[str, str]:
    """Map file stem -> path (relative to the study) for files with the given suffixes."""
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in suffixes and not path.name.startswith((".", "~$")):
            if path.stem in found:
                raise InputError(path.relative_to(root), f"has the same name as {found[path.stem]}; "
                                 "rename one of them (one file per document name)")
            found[path.stem] = str(path.relative_to(root))
    return found


@dataclass
class StudyFiles:
    """The raw files of one study, relative to its folder."""

    interviews: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    posts: dict[str, str] = field(default_factory=dict)
    roster: str | None = None
    manifest: str | None = None
    manual_codings: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    data_card: str | None = None

    @classmethod
    def discover(cls, root: str | Path) -> StudyFiles:
        """Find a study's files; an empty study (no documents at all) is an input error."""
        root = Path(root).resolve()
        raw = root / "data" / "raw"
        pages_dir = raw / "web" / "pages"
        study = cls(
            interviews=files_by_stem(raw / "interviews", INTERVIEW_SUFFIXES, root),
            pages=files_by_stem(pages_dir, PAGE_SUFFIXES, root),
            posts=files_by_stem(raw / "web" / "posts", POST_SUFFIXES, root),
        )
        rosters = [raw / f"respondents{s}" for s in ROSTER_SUFFIXES if (raw / f"respondents{s}").is_file()]
        if len(rosters) > 1:
            raise InputError(rosters[1].relative_to(root), f"a study has one roster, but "
                             f"{rosters[0].relative_to(root)} exists too")
        study.roster = str(rosters[0].relative_to(root)) if rosters else None
        if study.pages:
            manifest = pages_dir / "manifest.csv"
            if not manifest.is_file():
                raise InputError(manifest.relative_to(root), "is missing: saved pages need a "
                                 "manifest.csv with file, url, accessed, site, kind")
            study.manifest = str(manifest.relative_to(root))
        coding_dir = root / "data" / "coding"
        if coding_dir.is_dir():
            study.manual_codings = sorted(
                str(p.relative_to(root)) for p in coding_dir.iterdir()
                if p.is_file() and p.suffix.lower() in MANUAL_CODING_SUFFIXES)
        review_dir = coding_dir / "review"
        if review_dir.is_dir():
            # Reviewed exports of results/exports/review.qdpx (see gtflow.coding.review).
            study.reviews = sorted(str(p.relative_to(root)) for p in review_dir.iterdir()
                                   if p.is_file() and p.suffix.lower() in {".qdpx", ".qde"})
        card = root / "data" / "README.md"
        study.data_card = str(card.relative_to(root)) if card.is_file() else None
        if not (study.interviews or study.pages or study.posts):
            raise InputError(raw.relative_to(root), "holds no documents: put transcripts in "
                             "data/raw/interviews/ or web material in data/raw/web/")
        return study

    def units(self) -> list[tuple[str, str]]:
        """Every per-file job's (source, stem), in a fixed order."""
        return ([("interviews", s) for s in self.interviews] + [("pages", s) for s in self.pages]
                + [("posts", s) for s in self.posts])
