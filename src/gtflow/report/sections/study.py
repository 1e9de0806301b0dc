"""The study's name and titles, and the codebook's language."""

from __future__ import annotations

from gtflow.report.results import Results


def build(results: Results) -> dict:
    study = results.config["study"]
    return {"name": study["name"], "title": study["title"], "title_en": study["title_en"],
            "codebook_language": results.book.language}
