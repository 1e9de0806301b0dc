"""Phone numbers of several regions inside English and Chinese sentences, and the numbers that
must survive (dates, times, amounts, years, account and contract numbers)."""

from __future__ import annotations

import pytest

from gtflow.clean.deidentify import replace_identifiers
from gtflow.clean.normalize import normalize_text
from gtflow.clean.phones import regions_for, study_phone_regions

US_GB = ("US", "GB")


def scrub(text: str, regions: tuple[str, ...]) -> str:
    return replace_identifiers(normalize_text(text), regions)


@pytest.mark.parametrize(("text", "expected"), [
    # The two numbers: fictional 555-01xx numbers, which VALID leniency lets through.
    ("Call me on (555) 013-2291 after six.", "Call me on [PHONE] after six."),
    ("her cell, (555) 017-4408, is off", "her cell, [PHONE], is off"),
    ("Office: 202-555-0173.", "Office: [PHONE]."),
    ("or 555.017.4408", "or [PHONE]"),
    ("toll-free 1-800-555-0199!", "toll-free [PHONE]!"),
    ("just text 5550132291", "just text [PHONE]"),
    ("the desk is 555-0132", "the desk is [PHONE]"),  # seven-digit local number
    ("Ring 020 7946 0018 or 07700 900123.", "Ring [PHONE] or [PHONE]."),
    ("UK mobile +44 7700 900456; London +44 (0)20 7946 0018", "UK mobile [PHONE]; London [PHONE]"),
    ("from the US dial 011 44 7700 900456", "from the US dial [PHONE]"),
    ("Berlin office +49 30 901820, Paris +33 1 42 68 53 00", "Berlin office [PHONE], Paris [PHONE]"),
    ("In China: +86 138 0738 1234.", "In China: [PHONE]."),
    ("two numbers 020 7946 0018 020 7946 0019 side by side", "two numbers [PHONE] [PHONE] side by side"),
])
def test_us_gb_and_international_numbers_in_english(text, expected):
    assert scrub(text, US_GB) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("我在美国的号码是(555) 013-2291，英国的是020 7946 0018。", "我在美国的号码是[PHONE]，英国的是[PHONE]。"),
    ("德国同事+49 30 901820也打过来了", "德国同事[PHONE]也打过来了"),
])
def test_foreign_numbers_inside_chinese_sentences(text, expected):
    assert scrub(text, US_GB) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Telefon 030 12345678 oder 030/12345678.", "Telefon [PHONE] oder [PHONE]."),
    ("Handy 0151 23456789", "Handy [PHONE]"),
])
def test_german_numbers_with_the_de_region(text, expected):
    assert scrub(text, ("DE",)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("he called from +1 202 555 0173", "he called from [PHONE]"),
    ("电话+86 13807381234", "电话[PHONE]"),
    ("national 202-555-0173 stays without a region", "national 202-555-0173 stays without a region"),
])
def test_without_regions_only_international_numbers(text, expected):
    assert scrub(text, ()) == expected


def test_international_numbers_are_caught_in_any_region():
    for regions in (("CN",), ("DE",), US_GB):
        assert scrub("ring +44 7700 900456 now", regions) == "ring [PHONE] now"


@pytest.mark.parametrize("text", [
    "On 2021-03-18 at 10:20 we met; the meeting ran 10:30-11:45.",
    "Signed 03/18/2021, renewed 18.03.2021, filed 20210318.",
    "Between 1998-2004 and in 2019 2020 2021 the app was used.",
    "It cost $1,250,000 (about £980,000), or $1234567.89 with fees.",
    "The app had 1500000 downloads and 1 250 000 people registered.",
    "Contract 2019043013820001 and account 12345678901234 were closed.",
    "card 4111 1111 1111 1111, account 2019-0430-1382-0001",
    "Ward 12, bed 7, room 3021.",
])
def test_dates_times_amounts_years_and_accounts_survive_in_english(text):
    assert scrub(text, US_GB) == normalize_text(text)


@pytest.mark.parametrize("text", [
    "合同编号2019043013820001的约定",
    "中标金额13800000元，后来追加到138000000元",
    "下载量突破1500000次，完成率85.5%",
    "2021年3月18日下午3点，20210318号文件",
    "流水号1380738123456",
    "时间是2019-06-18 10:02:00",
    "从2019年到2021年，即2019-2021",
    "湘公网安备 43138202000123号",
])
def test_dates_amounts_and_long_numbers_survive_in_chinese(text):
    assert scrub(text, ("CN",)) == normalize_text(text)


def test_a_short_local_number_counts_only_after_a_phone_word():
    assert scrub("联系电话：8321456；编号8321456", ("CN",)) == "联系电话：[PHONE]；编号8321456"
    assert scrub("phone 555 0132, item 5550132", US_GB) == "phone [PHONE], item 5550132"


def test_regions_from_the_study_language():
    assert regions_for([], "zh") == ("CN",)
    assert regions_for([], "en") == ("US", "GB")
    assert regions_for([], "en-AU") == ("US", "GB")
    assert regions_for([], "tlh") == ()
    assert regions_for(["de", "AT"], "zh") == ("DE", "AT")


def test_study_regions_read_the_codebook_language(tmp_path):
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text("version: 1\nlanguage: en\n", encoding="utf-8")
    assert study_phone_regions([], codebook) == ["US", "GB"]
    assert study_phone_regions(["GB"], codebook) == ["GB"]
    codebook.write_text("version: 1\n", encoding="utf-8")  # the codebook schema's default: zh
    assert study_phone_regions([], codebook) == ["CN"]
    assert study_phone_regions([], tmp_path / "missing.yaml") == ["CN"]
