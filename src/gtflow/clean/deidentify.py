"""De-identification: names and direct identifiers become stable placeholders before coding.

Roster names (and aliases, surname + title forms, and a config list of extra names) become the
respondent's pseudonym (``[P03]``) or ``[N01]`` for extra names; post authors become ``[U001]``
(:mod:`gtflow.clean.authors`). Checksum-valid 18-digit resident ID numbers, e-mail addresses,
the study's own patterns (``clean.extra_patterns``), phone numbers of the study's regions and any
international number (:mod:`gtflow.clean.phones`) and licence plates become typed placeholders
(``[ID]``, ``[EMAIL]``, e.g. ``[SSN]``, ``[PHONE]``, ``[PLATE]``); user ids in URLs become
``[USER]`` (:mod:`gtflow.clean.urls`). ID numbers are validated (GB 11643 check digit and a real
birth date) so that ordinary long numbers — contract numbers, amounts — survive.

Every replacement can be counted by placeholder type (:func:`placeholder_type`) into a
``Counter`` or plain dict the caller passes; the counts, never the values, go to
``results/clean/deidentification.csv``.

The input must already be normalized (:mod:`gtflow.clean.normalize`): full-width digits folded and
zero-width characters removed, so a number split by U+200B or written in full-width digits
(``１３８…``) is caught here.

Chinese names are replaced wherever they occur, also inside a longer word ("李娟娟" -> "[P14]娟"):
Chinese has no word boundaries, and redacting too much is the safe error. Latin-script names
("Lee", "Dr. Smith") are replaced only as whole words, so "Leeds" survives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from gtflow.clean.normalize import normalize_text
from gtflow.clean.phones import replace_phone_numbers
from gtflow.clean.urls import strip_user_ids_in_text

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

#: 18-character resident ID, optionally written 6-8-4 with spaces or dashes.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[0-9Xx](?![0-9A-Za-z])")
#: ASCII boundaries on purpose: Python's \w includes Han characters, and an address is often
#: written straight after "邮箱" or followed by "，" / "我们".
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                   r"\.[A-Za-z]{2,}(?![A-Za-z0-9-])")
#: Province + letter + optional separator (middle dot variants) + five or six letters/digits,
#: at least one of them a digit (so "新APP上线" or "新APPLE" is not a plate).
PLATE = re.compile(rf"[{PROVINCE_ABBREVIATIONS}][A-Za-z][·・•‧.．\- ]?"
                   r"(?=[A-Za-z]{0,5}\d)[A-Za-z0-9]{5,6}(?![A-Za-z0-9])")
LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]*$")
#: A text without any decimal digit (``\d``, as the ID, phone and plate patterns read it) holds
#: no ID number, phone number or plate: those passes are skipped.
DIGIT = re.compile(r"\d")
#: Replacements by placeholder type: a Counter, or a plain dict (cheaper to make, one per
#: document), added to only through :func:`count_into`.
Counts = dict[str, int]


def id_number_is_valid(number: str) -> bool:
    """True when an 18-character resident ID has a valid check digit and birth date."""
    number = number.replace(" ", "").replace("-", "")
    if len(number) != 18 or not number[:17].isdigit():
        return False
    checksum = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS)) % 11
    if ID_CHECK[checksum] != number[17].upper():
        return False
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= birth <= dt.date(2100, 1, 1)


@dataclass(frozen=True)
class ExtraPattern:
    """One of the study's own identifier patterns (``clean.extra_patterns``)."""

    name: str
    regex: re.Pattern
    placeholder: str


def compile_extra_patterns(spec: dict | None) -> tuple[ExtraPattern, ...]:
    """``{name: {pattern, placeholder}}`` from config -> compiled patterns, in name order.

    The config loader has already compiled each pattern once to report a bad one by its key
    (:func:`gtflow.config.check_extra_patterns`), so this does not fail on config it accepted.
    """
    return tuple(ExtraPattern(name, re.compile(item["pattern"]), item["placeholder"])
                 for name, item in sorted((spec or {}).items()))


PLACEHOLDER_NUMBER = re.compile(r"^\[([A-Z]+)(\d+)\]$")


def placeholder_type(placeholder: str) -> str:
    """The type of a placeholder, for counting: numbered pseudonyms lose their number
    (``[P05]`` -> ``[P#]``, ``@[U001]`` -> ``[U#]``); typed placeholders (``[PHONE]``, the
    ambiguous ``[P]``) are their own type."""
    match = PLACEHOLDER_NUMBER.match(placeholder.lstrip("@"))
    return f"[{match.group(1)}#]" if match else placeholder


def replace_identifiers(text: str, phone_regions: tuple[str, ...] = ("CN",),
                        extra_patterns: tuple[ExtraPattern, ...] = (),
                        counts: Counts | None = None) -> str:
    """Typed placeholders for user ids in URLs, ID numbers, e-mails, the study's own patterns,
    phone numbers and plates (in that order); each replacement is counted into ``counts``.

    URLs go first so that a numeric user id is removed as such, not read as a phone number; IDs
    next so their digits are not read as a phone number; e-mails before phones so the
    digits of ``gridworker2021@...`` stay inside the address; the study's patterns before phones
    so that, say, a UK NHS number (943 476 5919) is not taken for a US phone number.
    """
    counts = Counter() if counts is None else counts
    text, found = strip_user_ids_in_text(text)
    count_into(counts, "[USER]", found)
    if DIGIT.search(text):
        text = replace_id_numbers(text, counts)
    if "@" in text or "＠" in text:
        text, found = EMAIL.subn("[EMAIL]", text)
        count_into(counts, "[EMAIL]", found)
    for pattern in extra_patterns:
        text, found = pattern.regex.subn(pattern.placeholder, text)
        count_into(counts, pattern.placeholder, found)
    # Looked for again: a study's pattern may have removed digits, or its placeholder hold some.
    if DIGIT.search(text):
        text, found = replace_phone_numbers(text, phone_regions)
        count_into(counts, "[PHONE]", found)
        text, found = PLATE.subn("[PLATE]", text)
        count_into(counts, "[PLATE]", found)
    return text


def count_into(counts: Counts, placeholder: str, found: int) -> None:
    """Add ``found`` replacements of a type; a type with none gets no entry (every row of the
    counts table has a count above zero)."""
    if found:
        counts[placeholder] = counts.get(placeholder, 0) + found


def replace_id_numbers(text: str, counts: Counts) -> str:
    """Checksum-valid resident ID numbers -> ``[ID]``."""
    def replace(match: re.Match) -> str:
        if not id_number_is_valid(match.group()):
            return match.group()
        count_into(counts, "[ID]", 1)
        return "[ID]"

    return ID_NUMBER.sub(replace, text)


@dataclass
class Pseudonymizer:
    """Replaces names and identifiers; built once per job from the roster and config."""

    names: dict[str, str] = field(default_factory=dict)  # name or alias -> placeholder
    phone_regions: tuple[str, ...] = ("CN",)
    extra_patterns: tuple[ExtraPattern, ...] = ()
    _matcher: object | None = field(default=None, init=False, repr=False)
    _patterns: list[str] = field(default_factory=list, init=False, repr=False)
    _empty_stays_empty: bool = field(default=True, init=False, repr=False)

    def __post_init__(self) -> None:
        # Only a study pattern could find something in "" (the config refuses such patterns).
        self._empty_stays_empty = not any(p.regex.search("") for p in self.extra_patterns)
        if self.names:
            # Aho-Corasick, leftmost-longest: "李娟娟" wins over "李娟" when both are names, and
            # one pass over the text costs the same for 5 names or 500.
            import ahocorasick_rs

            self._patterns = sorted(self.names, key=lambda n: (-len(n), n))
            self._matcher = ahocorasick_rs.AhoCorasick(
                self._patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def with_names(self, extra: dict[str, str]) -> Pseudonymizer:
        """A copy that also replaces ``extra`` (e.g. one document's speaker tags)."""
        return Pseudonymizer({**extra, **self.names}, self.phone_regions, self.extra_patterns)

    def replace_names(self, text: str, counts: Counts | None = None) -> str:
        """Names and aliases -> their pseudonyms (Latin names only as whole words)."""
        if self._matcher is None or not text:
            return text
        pieces, position = [], 0
        for index, start, end in self._matcher.find_matches_as_indexes(text):
            name = self._patterns[index]
            if not stands_alone(name, text, start, end):
                continue
            pieces.append(text[position:start])
            pieces.append(self.names[name])
            if counts is not None:
                count_into(counts, placeholder_type(self.names[name]), 1)
            position = end
        if not pieces:
            return text
        pieces.append(text[position:])
        return "".join(pieces)

    def replace_identifiers(self, text: str, counts: Counts | None = None) -> str:
        """See :func:`replace_identifiers`."""
        return replace_identifiers(text, self.phone_regions, self.extra_patterns, counts)

    def __call__(self, text: str, counts: Counts | None = None) -> str:
        if not text and self._empty_stays_empty:
            return text  # an empty speaker tag, title or place: most documents have one
        return self.replace_names(self.replace_identifiers(text, counts), counts)


def is_ascii_alnum(character: str) -> bool:
    return character.isascii() and character.isalnum()


def stands_alone(name: str, text: str, start: int, end: int) -> bool:
    """A name that begins (ends) with a Latin letter or digit must not be glued to one on that
    side: "Lee" is not found in "Leeds", "@ann" not in "@anna"; Chinese names have no such
    boundary and are found anywhere."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (is_ascii_alnum(name[0]) and is_ascii_alnum(before)) and \
        not (is_ascii_alnum(name[-1]) and is_ascii_alnum(after))


COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
                     "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里")
CJK_NAME = re.compile(r"^[\u3400-\u9fff]{2,4}$")
#: Placeholder for "<surname><title>" when several roster persons share the surname.
AMBIGUOUS_PERSON = "[P]"


def surname_of(name: str) -> str | None:
    """The surname of a Chinese name (compound surnames included) or the last word of a
    Latin-script name ("Margaret Smith" -> "Smith"); None for other names."""
    if LATIN_NAME.match(name):
        return name.split()[-1].strip(".") or None
    if not CJK_NAME.match(name):
        return None
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s) and len(name) > len(s)), name[0])


def addressed_forms(surname: str, title: str) -> list[str]:
    """How a title and a surname are written together: "罗委员" (Chinese title after a Chinese
    surname), "Dr. Smith" and "Dr Smith" (Latin title before a Latin surname)."""
    title = normalize_text(title).strip()
    if not title or title[0].isascii() != surname[0].isascii():
        return []
    if not title[0].isascii():
        return [surname + title]
    forms = [f"{title} {surname}"]
    if title.endswith("."):
        forms.append(f"{title[:-1]} {surname}")
    return forms


def title_aliases(roster_rows: list[dict], titles: list[str]) -> dict[str, str]:
    """"罗委员", "朱主任", "Dr. Smith", "Nurse Okafor": surname and title for every roster
    person -> their pseudonym.

    Researchers address people by surname and title far more often than by full name, and the
    roster's alias column rarely lists every form. A surname shared by several roster persons
    maps to the neutral :data:`AMBIGUOUS_PERSON`, so no one is given someone else's pseudonym.
    """
    by_surname: dict[str, set[str]] = {}
    for row in roster_rows:
        surname = surname_of(normalize_text(row.get("name", "")).strip())
        if surname:
            by_surname.setdefault(surname, set()).add(row["pseudonym"])
    table: dict[str, str] = {}
    for surname, pseudonyms in by_surname.items():
        placeholder = next(iter(pseudonyms)) if len(pseudonyms) == 1 else AMBIGUOUS_PERSON
        for title in titles:
            for form in addressed_forms(surname, title):
                table[form] = placeholder
    return table


def name_table(roster_rows: list[dict], extra_names: list[str],
               titles: list[str] | None = None) -> dict[str, str]:
    """Map roster names and aliases to the respondent's pseudonym; extra names to [Nnn].

    With ``titles``, surname + title forms (:func:`title_aliases`) are added; an explicit alias
    on the roster wins over a generated one.
    """
    table: dict[str, str] = title_aliases(roster_rows, titles or [])
    for row in roster_rows:
        for name in [row.get("name", "")] + split_aliases(row.get("aliases", "")):
            name = normalize_text(name)  # the same form as the text it is looked for in
            if len(name) >= 2:
                table[name] = row["pseudonym"]
    for index, name in enumerate(normalize_text(n) for n in extra_names):
        if len(name) >= 2 and name not in table:
            table[name] = f"[N{index + 1:02d}]"
    return table


def split_aliases(value: str) -> list[str]:
    """Aliases are written separated by ; , ， 、 or |."""
    return [a.strip() for a in re.split(r"[;,，、|；]", value or "") if a.strip()]
