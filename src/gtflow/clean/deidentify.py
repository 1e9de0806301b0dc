"""De-identification: names and direct identifiers become stable placeholders before coding.

Roster names (and aliases, and a config list of extra names) become the respondent's pseudonym
(``[P03]``) or ``[N01]`` for extra names; mainland mobile and landline numbers, checksum-valid
18-digit resident ID numbers, e-mail addresses and licence plates become typed placeholders. ID
numbers are validated (GB 11643 check digit and a real birth date) so that ordinary long numbers —
contract numbers, amounts — survive.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?![\w-])")
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])")
LANDLINE = re.compile(r"(?<![0-9])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[- ]?\d{7,8}(?![0-9])")
PLATE = re.compile(rf"[{PROVINCE_ABBREVIATIONS}][A-Z][·・. ]?[A-Z0-9]{{5,6}}(?![A-Za-z0-9])")


def id_number_is_valid(number: str) -> bool:
    """True when an 18-character resident ID has a valid check digit and birth date."""
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


@dataclass
class Pseudonymizer:
    """Replaces names and identifiers; built once per job from the roster and config."""

    names: dict[str, str] = field(default_factory=dict)  # name or alias -> placeholder
    _name_pattern: re.Pattern | None = None

    def __post_init__(self) -> None:
        if self.names:
            # Longest first so "李娟娟" is replaced before "李娟".
            alternatives = sorted(self.names, key=lambda n: (-len(n), n))
            self._name_pattern = re.compile("|".join(re.escape(n) for n in alternatives))

    def replace_identifiers(self, text: str) -> str:
        """Typed placeholders for ID numbers, e-mails, phone numbers and plates (in that order)."""
        text = ID_NUMBER.sub(lambda m: "[ID]" if id_number_is_valid(m.group()) else m.group(), text)
        text = EMAIL.sub("[EMAIL]", text)
        text = MOBILE.sub("[PHONE]", text)
        text = LANDLINE.sub("[PHONE]", text)
        return PLATE.sub("[PLATE]", text)

    def replace_names(self, text: str) -> str:
        """Names and aliases -> their pseudonyms."""
        if self._name_pattern is None:
            return text
        return self._name_pattern.sub(lambda m: self.names[m.group()], text)

    def __call__(self, text: str) -> str:
        return self.replace_names(self.replace_identifiers(text))


def name_table(roster_rows: list[dict], extra_names: list[str]) -> dict[str, str]:
    """Map every roster name and alias to the respondent's pseudonym; extra names to [Nnn]."""
    table: dict[str, str] = {}
    for row in roster_rows:
        for name in [row.get("name", "")] + split_aliases(row.get("aliases", "")):
            if len(name.strip()) >= 2:
                table[name.strip()] = row["pseudonym"]
    for index, name in enumerate(n.strip() for n in extra_names):
        if len(name) >= 2 and name not in table:
            table[name] = f"[N{index + 1:02d}]"
    return table


def split_aliases(value: str) -> list[str]:
    """Aliases are written separated by ; , ， 、 or |."""
    return [a.strip() for a in re.split(r"[;,，、|；]", value or "") if a.strip()]
