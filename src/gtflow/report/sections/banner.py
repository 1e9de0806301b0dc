"""The banner above the report: the data card's opening statement.

Why from the file: the banner must say what the data card says (for the demo study, that the
data are synthetic), not what the code assumes.
"""

from __future__ import annotations

import re
from pathlib import Path

from gtflow.report.results import Results


def data_card_statement(path: str | Path | None) -> dict | None:
    """The data card's first paragraph that is not a heading (None without a data card)."""
    if not path or not Path(path).is_file():
        return None
    text = Path(path).read_text(encoding="utf-8")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)  # YAML front matter
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    paragraph: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            if paragraph:
                break
            continue
        if stripped.startswith("#") or re.fullmatch(r"[=-]{3,}", stripped):
            if paragraph:
                break
            continue
        paragraph.append(stripped.lstrip("> ").strip())
    if not paragraph:
        return None
    return {"text": " ".join(paragraph), "source": str(path)}


def build(results: Results) -> dict | None:
    return data_card_statement(results.inputs.data_card)
