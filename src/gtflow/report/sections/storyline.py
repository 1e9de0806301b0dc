"""The story lines of config/model.yaml, as the mechanisms stage filled them from the results."""

from __future__ import annotations

from gtflow.report.results import Results


def build(results: Results) -> dict:
    summary = results.summary("mechanisms")
    return {"text": summary["storyline"], "text_en": summary["storyline_en"],
            "source": results.source("mechanisms_summary")}
