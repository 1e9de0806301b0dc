"""Text normalization for Chinese and Western text.

Choice of form: NFC, not NFKC. NFKC would fold the full-width punctuation Chinese writing uses
(，。：！？（）) into ASCII and change every quote a coder sees. NFC keeps it; on top we fold
only full-width Latin letters and digits (ＡＰＰ, １００) to ASCII so rules match them, turn the
ideographic space and no-break spaces into plain spaces, drop zero-width and control characters
(keeping the zero-width joiner inside emoji sequences), and tidy whitespace.
"""

from __future__ import annotations

import re
import unicodedata

FULLWIDTH_ALNUM = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
FULLWIDTH_ALNUM.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})
FULLWIDTH_ALNUM.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
SPACES = {0x3000: " ", 0x00A0: " ", 0x2007: " ", 0x202F: " ", 0x2009: " ", 0x200A: " "}
ZERO_WIDTH = re.compile("[\u200b\u200c\u2060\ufeff\u00ad]")
LONE_ZWJ = re.compile(r"(?<![\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F])\u200d|\u200d(?![\U0001F000-\U0001FAFF\u2600-\u27BF])")
INLINE_SPACE = re.compile(r"[ \t\f\v]+")
MANY_BLANK_LINES = re.compile(r"\n{3,}")


def drop_control_characters(text: str) -> str:
    """Remove C0/C1 control characters except newline and tab."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def normalize_text(text: str) -> str:
    """Normalize one text as described in the module docstring."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = text.translate(FULLWIDTH_ALNUM).translate(SPACES)
    text = ZERO_WIDTH.sub("", text)
    text = LONE_ZWJ.sub("", text)
    text = drop_control_characters(text)
    lines = [INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
