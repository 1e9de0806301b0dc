"""Normalization (NFC + chosen folds) and sentence segmentation."""

from __future__ import annotations

import pytest

from gtflow.clean.normalize import normalize_text
from gtflow.clean.segment import sentence_spans


@pytest.mark.parametrize(("raw", "expected"), [
    ("，。：！？（）；“”《》、……", "，。：！？（）；“”《》、……"),  # CJK punctuation kept
    ("ＡＰＰ下载１００次ｏｋ", "APP下载100次ok"),  # full-width letters and digits folded
    ("①②㈠㊣", "①②㈠㊣"),  # NFKC would rewrite these; NFC keeps them
    ("e\u0301", "\u00e9"),  # NFC composes
    ("半\u3000角\u00a0空格", "半 角 空格"),
    ("零\u200b宽\u200c字\u2060符\ufeff软\u00ad", "零宽字符软"),
    ("控制\x07字\x1b符\x7f", "控制字符"),
    ("双向\u202e控制\u2066", "双向控制"),
    ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # ZWJ kept inside an emoji sequence
    ("孤\u200d立", "孤立"),
    ("a\r\nb\rc", "a\nb\nc"),
    ("  多   个 \t 空格  \n\n\n\n下一段  ", "多 个 空格\n\n下一段"),
    ("行\u2028分隔", "行\n分隔"),
    ("", ""),
])
def test_normalize(raw, expected):
    assert normalize_text(raw) == expected


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
    ("真的吗？！太好了！！！", ["真的吗？！", "太好了！！！"]),
    ("他说：“不用了。”她走了。", ["他说：“不用了。”", "她走了。"]),
    ("「好。」『行！』", ["「好。」", "『行！』"]),
    ("（笑）就这样吧。然后呢", ["（笑）就这样吧。", "然后呢"]),
    ("我想想……\n算了。", ["我想想……", "算了。"]),
    ("他说……我不知道。", ["他说……我不知道。"]),
    ("他说“唉……”然后走了。", ["他说“唉……”", "然后走了。"]),
    ("第一点；第二点", ["第一点；", "第二点"]),
    ("It works. Mr. Li agreed, e.g. on Monday. Done!", ["It works.", "Mr. Li agreed, e.g. on Monday.", "Done!"]),
    ("The rate was 3.5 percent. Fine.", ["The rate was 3.5 percent.", "Fine."]),
    ('He said "no." Then left.', ['He said "no."', "Then left."]),
    ("Wait...\nOK", ["Wait...", "OK"]),
    ("It began in 2019. Then it stopped.", ["It began in 2019.", "Then it stopped."]),
    ("1. First item here", ["1. First item here"]),
    ("无标点一行\n第二行", ["无标点一行", "第二行"]),
])
def test_sentences(text, expected):
    assert sentences(text) == expected


def test_spans_are_offset_and_trimmed():
    assert sentence_spans(" 好。 对。 ", offset=10) == [(11, 13), (14, 16)]


def test_white_space_code_points_are_what_isspace_is_true_of():
    import sys

    from gtflow.clean.normalize import white_space_code_points

    assert white_space_code_points() == tuple(
        code for code in range(sys.maxunicode + 1) if chr(code).isspace())
