"""Phone numbers in running text, found with ``phonenumbers`` (a port of Google's libphonenumber).

Two steps, because de-identification runs over every sentence of a corpus of a million posts:

1. A cheap regular expression finds *candidates*: at least seven digits, with at most two
   separators (space, dash, dot, slash, brackets) between neighbouring digits, optionally led by
   ``+`` or a bracket. Most sentences have none, and for them phonenumbers is never called.
2. Each candidate is checked against shapes that are not phone numbers (dates, year ranges, times,
   amounts, thousands groupings, long account or contract numbers), and what remains is handed to
   ``PhoneNumberMatcher`` for every configured region with leniency ``POSSIBLE``: a number of a
   possible length for the region, whether or not it has been assigned. That catches fictional
   and unusual numbers ("(555) 013-2291"); ``VALID`` would let them through. Numbers written in
   international form (``+44 …``) are recognised whatever the region.

``POSSIBLE`` checks little more than length, so a bare run of digits without separators is only a
phone number when it is written like one: with the trunk prefix ``0`` or an international
prefix, or with ten or eleven digits (a US number, a Chinese mobile), or after a word such as
"电话" or "phone". Everything else (13800000元, 20210318, 1500000 downloads) stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from gtflow.config import load_schema, load_yaml

#: Regions used when ``clean.phone_regions`` is empty, by the study's language (the codebook's
#: ``language``). A language not listed gets no national numbers, only international (+) ones.
REGIONS_BY_LANGUAGE = {
    "zh": ("CN",), "en": ("US", "GB"), "de": ("DE",), "fr": ("FR",), "es": ("ES",),
    "it": ("IT",), "nl": ("NL",), "pt": ("BR", "PT"), "ja": ("JP",), "ko": ("KR",), "ru": ("RU",),
}
PLACEHOLDER = "[PHONE]"
MIN_DIGITS = 7
#: A longer bare run of digits is an account, card or contract number: kept whole.
MAX_DIGITS = 15

#: >= 7 digits, <= 2 separators between neighbours; possessive so it never stops inside a number.
CANDIDATE = re.compile(r"(?<![0-9+])(?:\+|[(（]\+?)?[0-9](?:[ \u00a0()（）\-–./]{0,2}[0-9]){6,}+")
#: Same length on both sides, so offsets found on the translated string hold in the original.
TO_ASCII = str.maketrans({"（": "(", "）": ")", "–": "-", "\u00a0": " "})
NOT_A_PHONE = [re.compile(pattern) for pattern in (
    r"^(?:1[89]|20)\d{2}[-./ ]\d{1,2}[-./ ]\d{1,2}$",  # 2021-03-18, 2021 3 18
    r"^\d{1,2}[-./ ]\d{1,2}[-./ ](?:1[89]|20)?\d{2}$",  # 18.03.2021, 03/18/2021
    r"^(?:1[89]|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])?(?:[0-5]\d){0,2}$",
    r"^(?:(?:1[89]|20)\d{2} ?[-/,– ] ?)+(?:1[89]|20)\d{2}$",  # 1998-2004, 2019 2020 2021
    r"^\d{1,2}[.:]\d{2} ?[-–] ?\d{1,2}[.:]\d{2}$",  # 10.30-11.45
    r"^[1-9]\d{0,2}(?:[ .]\d{3})+$",  # 1 250 000, 12.500.000
    r"^\d+(?:[ .]\d+)*[.,]\d{1,2}$",  # 1234567.89
    r"^[1-9]\d{3}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4})?$",  # 4111 1111 1111 1111, account numbers
)]
#: A unit or currency right after or before the number makes it an amount, a year or a count;
#: a colon and a digit after it, a date and the hour of a time (2019-06-18 10:02).
UNIT_AFTER = re.compile(r"^ ?(?:[:：]\d|%|％|元|块|圆|万|亿|千|百|年|月|日|岁|人|次|个|份|条|名|米|公里|美元|英镑|欧元|"
                        r"(?:dollars?|pounds?|euros?|yuan|usd|gbp|eur|rmb|cny|people|users?|"
                        r"downloads?|times|years?|km|kg|miles)\b)", re.IGNORECASE)
UNIT_BEFORE = re.compile(r"(?:[$£€¥￥]|\b(?:usd|gbp|eur|rmb|cny|us\$))\s?$", re.IGNORECASE)
#: A word announcing a number lets a short bare digit run (a local number, 8321456) count.
PHONE_CUE = re.compile(r"(?:电话|手机|座机|热线|传真|致电|拨打|联系|号码|\btel\b|phone|\bcall\b|\bring\b|\bfax\b|"
                       r"mobile|\bcell\b|whatsapp)\W{0,4}$", re.IGNORECASE)


def regions_for(configured: Iterable[str], language: str) -> tuple[str, ...]:
    """The phone regions of a study: ``clean.phone_regions`` or, when empty, its language's."""
    configured = tuple(configured or ())
    if configured:
        return tuple(region.upper() for region in configured)
    return REGIONS_BY_LANGUAGE.get((language or "").split("-")[0].lower(), ())


def study_phone_regions(configured: Iterable[str], codebook: str | Path) -> list[str]:
    """:func:`regions_for` a study whose language is its codebook's ``language`` (the codebook
    schema's default when the file or the key is missing)."""
    language = ""
    if not tuple(configured or ()):
        book = load_yaml(codebook) if Path(codebook).exists() else None
        language = book.get("language") if isinstance(book, dict) else None
        language = str(language or load_schema("codebook.schema.yaml")["properties"]["language"]
                       ["default"])
    return list(regions_for(configured, language))


def digit_count(text: str) -> int:
    return sum(character.isdigit() for character in text)


def is_bare(text: str) -> bool:
    """Digits only (a leading ``+`` allowed): no separator says "this is a phone number"."""
    return text.lstrip("+").isdigit()


def written_like_a_phone(number: str, before: str) -> bool:
    """For bare digit runs: only the forms a phone number takes (see the module docstring)."""
    if not is_bare(number) or number.startswith(("+", "0")):
        return True
    return len(number) in (10, 11) or (len(number) <= 9 and bool(PHONE_CUE.search(before)))


def is_other_number(candidate: str, before: str, after: str) -> bool:
    """Dates, ranges, amounts, counts and long account numbers: shapes a phone never has."""
    # A bare run this long is a contract or account number; a longer run with separators may
    # be two phone numbers side by side, so phonenumbers reads it.
    if is_bare(candidate) and len(candidate) > MAX_DIGITS and not candidate.startswith(("+", "00")):
        return True
    if any(shape.match(candidate) for shape in NOT_A_PHONE):
        return True
    return bool(UNIT_AFTER.match(after) or UNIT_BEFORE.search(before))


@lru_cache(maxsize=1)
def _matcher():
    # Imported on first use: loading phonenumbers' metadata is wasted on a text without digits.
    import phonenumbers

    return phonenumbers.PhoneNumberMatcher, phonenumbers.Leniency.POSSIBLE


def phone_spans(candidate: str, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans of ``candidate`` that phonenumbers reads as a number of any of ``regions``.

    With no region, only international numbers (``+`` or ``00``) count; ``ZZ`` is
    phonenumbers' "unknown region", which parses nothing else.
    """
    matcher_class, leniency = _matcher()
    spans: list[tuple[int, int]] = []
    for region in regions or ("ZZ",):
        for match in matcher_class(candidate, region, leniency=leniency):
            if digit_count(match.raw_string) >= MIN_DIGITS:
                spans.append((match.start, match.end))
    return merge_spans(spans)


def chained_phone_spans(candidate: str, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans in a candidate too long for one number: numbers side by side ("020 7946 0018 020
    7946 0019"), which phonenumbers reads as one over-long number and drops. Read greedily from
    the left, the longest run of space-separated groups that is a whole number first."""
    groups = [(m.start(), m.end()) for m in re.finditer(r"\S+", candidate)]
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(groups):
        for last in range(min(len(groups), first + 6), first, -1):
            start, end = groups[first][0], groups[last - 1][1]
            piece = candidate[start:end]
            if MIN_DIGITS <= digit_count(piece) <= MAX_DIGITS and phone_spans(piece, regions) == [
                    (0, len(piece))]:
                spans.append((start, end))
                first = last
                break
        else:
            first += 1
    return spans


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans (one number read in two regions) become one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_phone_numbers(text: str, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    """Code-point spans of the phone numbers in ``text`` (already normalized)."""
    spans: list[tuple[int, int]] = []
    for found in CANDIDATE.finditer(text):
        candidate = found.group().translate(TO_ASCII)
        start = found.start()
        before, after = text[max(0, start - 16):start], text[found.end():found.end() + 12]
        if is_other_number(candidate, before, after):
            continue
        reader = chained_phone_spans if digit_count(candidate) > MAX_DIGITS else phone_spans
        for span_start, span_end in reader(candidate, regions):
            number = candidate[span_start:span_end]
            context = text[max(0, start + span_start - 16):start + span_start]
            following = text[start + span_end:start + span_end + 12]
            if written_like_a_phone(number, context) and not is_other_number(number, context,
                                                                            following):
                spans.append((start + span_start, start + span_end))
    return spans


def replace_phone_numbers(text: str, regions: tuple[str, ...]) -> tuple[str, int]:
    """``text`` with every phone number replaced by ``[PHONE]``, and how many were replaced."""
    spans = find_phone_numbers(text, regions)
    if not spans:
        return text, 0
    pieces, position = [], 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(PLACEHOLDER)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), len(spans)
