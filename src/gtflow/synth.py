"""Generate a large synthetic web-post export for scale tests: `gtflow synth STUDY --posts N`.

The posts mix filler text with phrases from the study's codebook rules (so the auto-coder has
work to do), a few planted identifiers (so de-identification does too), and threads through
parent_id. Everything comes from a seeded generator: the same seed gives the same file.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from gtflow.coding.codebook import load_codebook
from gtflow.io import atomic_path

FILLER = ("今天又开会了", "大家说说看", "这个事情", "村里的情况", "我们这边", "说实话", "确实如此",
          "上面的意思", "老百姓", "网格员", "手机上", "填表格", "群里通知", "周末加班", "还是老样子")
PUNCTUATION = "。，！？；"


def codebook_phrases(codebook: str | Path) -> list[str]:
    """Every literal `any` phrase of the codebook's rules."""
    return sorted({p for c in load_codebook(codebook).concepts for p in c["rules"].get("any", [])})


def synth_post(rng: random.Random, number: int, phrases: list[str], start: dt.date) -> dict:
    """One post: 2-8 clauses of filler and codebook phrases, sometimes a reply."""
    clauses = []
    for _ in range(rng.randint(2, 8)):
        clause = rng.choice(FILLER)
        if phrases and rng.random() < 0.45:
            clause += rng.choice(phrases)
        clauses.append(clause + rng.choice(PUNCTUATION))
    if rng.random() < 0.002:
        clauses.append(f"有事打我电话1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}。")
    parent = f"syn-{rng.randint(1, number - 1):07d}" if number > 1 and rng.random() < 0.3 else None
    return {"id": f"syn-{number:07d}", "url": f"https://forum.example.com/t/{number}",
            "date": (start + dt.timedelta(days=rng.randint(0, 900))).isoformat(),
            "author": f"user{rng.randint(1, 5000)}", "text": "".join(clauses), "parent_id": parent}


def synth_posts(study: str | Path, posts: int, seed: int = 1, name: str = "synth_posts") -> Path:
    """Write data/raw/web/posts/<name>.jsonl with ``posts`` posts into ``study``."""
    study = Path(study)
    phrases = codebook_phrases(study / "config" / "codebook.yaml")
    rng = random.Random(seed)
    target = study / "data" / "raw" / "web" / "posts" / f"{name}.jsonl"
    start = dt.date(2019, 6, 1)
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(synth_post(rng, number, phrases, start), ensure_ascii=False) + "\n" for number in range(1, posts + 1))
    return target
