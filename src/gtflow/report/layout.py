"""Check a rendered PDF's layout with poppler's ``pdftotext -bbox``: every word on its page.

A table that runs past the page foot, or rows printed on top of one another there, leave words
whose boxes lie outside the page or cover other words; both are reported. Used by the tests of
the zh and en PDFs; needs poppler-utils (Debian) for ``pdftotext``.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from gtflow.errors import InputError


@dataclass(frozen=True)
class Word:
    """One word as pdftotext placed it (points, origin top left)."""

    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float


def pdf_words(pdf: str | Path) -> tuple[list[Page], list[Word]]:
    """Pages and words of a PDF (``pdftotext -bbox``)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise InputError(None, "pdftotext is not installed (Debian: apt-get install poppler-utils)")
    result = subprocess.run([tool, "-bbox", str(pdf), "-"], capture_output=True, check=False)
    if result.returncode != 0:
        raise InputError(pdf, f"pdftotext failed: {result.stderr.decode(errors='replace')[:300]}")
    root = etree.fromstring(result.stdout, etree.HTMLParser(encoding="utf-8"))
    pages, words = [], []
    for number, page in enumerate(root.iter("page"), start=1):
        pages.append(Page(number, float(page.get("width")), float(page.get("height"))))
        for word in page.iter("word"):
            words.append(Word(number, word.text or "", float(word.get("xmin")),
                              float(word.get("ymin")), float(word.get("xmax")),
                              float(word.get("ymax"))))
    return pages, words


def overlap_share(a: Word, b: Word) -> float:
    """Area shared by two word boxes, as a share of the smaller box."""
    width = min(a.x_max, b.x_max) - max(a.x_min, b.x_min)
    height = min(a.y_max, b.y_max) - max(a.y_min, b.y_min)
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a.x_max - a.x_min) * (a.y_max - a.y_min), (b.x_max - b.x_min) * (b.y_max - b.y_min))
    return width * height / smaller if smaller > 0 else 0.0


def words_off_page(pdf: str | Path) -> list[str]:
    """Words whose box lies (partly) outside their page."""
    pages, words = pdf_words(pdf)
    size = {p.number: p for p in pages}
    return [f"page {w.page}: '{w.text}' lies outside the page "
            f"({w.x_min:.0f},{w.y_min:.0f})-({w.x_max:.0f},{w.y_max:.0f})"
            for w in words if w.x_min < 0 or w.y_min < 0 or w.x_max > size[w.page].width
            or w.y_max > size[w.page].height]


def overlapping_words(pdf: str | Path,
                      overlap_limit: float = 0.5) -> list[tuple[int, str, str, float]]:
    """(page, word, word, y) of words covering more than ``overlap_limit`` of another word's
    box: text printed over text (table rows piled up at a page foot, crowded figure labels)."""
    _, words = pdf_words(pdf)
    found: list[tuple[int, str, str, float]] = []
    by_page: dict[int, list[Word]] = {}
    for word in words:
        # A lone CJK bracket or mark is squeezed into its neighbour by the font's punctuation
        # compression; its box touching the next word's is typesetting, not piled-up text.
        if len(word.text) == 1 and not word.text.isalnum():
            continue
        by_page.setdefault(word.page, []).append(word)
    for page_words in by_page.values():
        # Sweep by top edge: only words whose vertical extents meet can overlap.
        page_words.sort(key=lambda w: w.y_min)
        for i, a in enumerate(page_words):
            for b in page_words[i + 1:]:
                if b.y_min >= a.y_max:
                    break
                if overlap_share(a, b) > overlap_limit:
                    found.append((a.page, a.text, b.text, round(a.y_min, 1)))
    return found


def missing_words(pdf: str | Path, wanted: list[str]) -> list[str]:
    """The wanted words (e.g. concept ids) that appear nowhere in the PDF as a word."""
    _, words = pdf_words(pdf)
    present = {w.text.strip("()[]{}.,;:!?，。；：") for w in words}
    return [w for w in wanted if w not in present]
