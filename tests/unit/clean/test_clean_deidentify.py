"""De-identification patterns on tricky cases (text already normalized, as in the pipeline)."""

from __future__ import annotations

from collections import Counter

import pytest

from gtflow.clean.deidentify import (
    Pseudonymizer,
    compile_extra_patterns,
    id_number_is_valid,
    name_table,
    placeholder_type,
    replace_identifiers,
)
from gtflow.clean.normalize import normalize_text


def scrub(text: str) -> str:
    return replace_identifiers(normalize_text(text))


@pytest.mark.parametrize(("text", "expected"), [
    ("电话13807381234。", "电话[PHONE]。"),
    ("电话138 0738 1234。", "电话[PHONE]。"),
    ("电话138-0738-1234，", "电话[PHONE]，"),
    ("+86 13807381234", "[PHONE]"),
    ("+86-138-0738-1234", "[PHONE]"),
    ("(+86)13807381234", "[PHONE]"),
    ("008613807381234", "[PHONE]"),
    ("全角１３８０７３８１２３４号", "全角[PHONE]号"),
    ("座机0738-8321456", "座机[PHONE]"),
    ("座机(0738)8321456", "座机[PHONE]"),
    ("座机（0738）8321456。", "座机[PHONE]。"),
    ("北京010 12345678", "北京[PHONE]"),
])
def test_phone_numbers(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("身份证431382198808304153，", "身份证[ID]，"),
    ("号码43138219900101001x", "号码[ID]"),  # lowercase check digit X
    ("号码43138219900101001X", "号码[ID]"),
    ("写成431382 19880830 4153了", "写成[ID]了"),
    ("校验位错431382198808304154", "校验位错431382198808304154"),
    ("生日不对431382198813304153", "生日不对431382198813304153"),  # month 13
    ("生日不对431382188802304150", "生日不对431382188802304150"),
])
def test_id_numbers_are_validated(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", [
    "合同编号2019043013820001的约定",  # 16-digit contract number
    "中标金额13800000元",
    "金额138000000000元",
    "流水号1380738123456",
    "湘公网安备 43138202000123号",
    "2021年3月18日下午3点",
    "下载量突破300000，完成率85.5%",
])
def test_ordinary_numbers_survive(text):
    assert scrub(text) == normalize_text(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("邮箱lyping_an@example.cn。", "邮箱[EMAIL]。"),
    ("工作邮箱是yangfan.dev@example.com，我们一般", "工作邮箱是[EMAIL]，我们一般"),
    ("发到a.b@mail.example.com.cn我们", "发到[EMAIL]我们"),
    ("写信到 X@Y.COM！", "写信到 [EMAIL]！"),
    ("（gridworker2021@example.com）", "（[EMAIL]）"),
    ("全角＠号a＠example.com：", "全角＠号[EMAIL]："),
])
def test_email_inside_chinese_text(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("车牌湘K·3A728，", "车牌[PLATE]，"),
    ("车是湘K5B219白色", "车是[PLATE]白色"),
    ("湘K・3A728", "[PLATE]"),
    ("湘K.3A728", "[PLATE]"),
    ("湘k5b219", "[PLATE]"),
    ("新能源粤B·D12345号", "新能源[PLATE]号"),
    ("新APPLE上线", "新APPLE上线"),
    ("新APP上线", "新APP上线"),
])
def test_licence_plates(text, expected):
    assert scrub(text) == expected


def test_identifier_split_by_zero_width_space_is_caught_after_normalization():
    assert scrub("电话138\u200b0738\u200b1234") == "电话[PHONE]"
    assert scrub("邮箱a\u200b@example.com") == "邮箱[EMAIL]"
    assert scrub("身份证4313821988\u200d08304153") == "身份证[ID]"


def test_id_number_validity():
    assert id_number_is_valid("431382198808304153")
    assert not id_number_is_valid("431382198808304154")
    assert not id_number_is_valid("4313821988083041")


ROSTER = [{"name": "李娟", "aliases": "", "pseudonym": "[P14]"},
          {"name": "罗志强", "aliases": "罗委员；老罗", "pseudonym": "[P05]"},
          {"name": "Lee Wang", "aliases": "Lee", "pseudonym": "[P30]"}]


def test_name_table_maps_names_aliases_and_extra_names():
    table = name_table(ROSTER, ["钟老师", "李娟", "王"])
    assert table["罗委员"] == table["老罗"] == table["罗志强"] == "[P05]"
    assert table["钟老师"] == "[N01]"
    assert table["李娟"] == "[P14]"  # the roster wins over the extra list
    assert "王" not in table  # one character would erase every 王 in the corpus


def test_names_inside_longer_words_are_replaced_leftmost_longest():
    pseudonymize = Pseudonymizer(name_table(ROSTER + [{"name": "李娟娟", "aliases": "",
                                                       "pseudonym": "[P15]"}], []))
    assert pseudonymize("李娟娟和李娟说") == "[P15]和[P14]说"
    assert Pseudonymizer(name_table(ROSTER, []))("李娟娟说") == "[P14]娟说"


def test_latin_names_only_as_whole_words():
    pseudonymize = Pseudonymizer(name_table(ROSTER, []))
    assert pseudonymize("Lee went to Leeds; Lee Wang stayed.") == "[P30] went to Leeds; [P30] stayed."
    assert pseudonymize("李Lee说") == "李[P30]说"


def test_identifiers_and_names_together():
    pseudonymize = Pseudonymizer(name_table(ROSTER, []))
    text = "罗委员说：打我电话13807381234，或者找老罗。"
    assert pseudonymize(text) == "[P05]说：打我电话[PHONE]，或者找[P05]。"


def test_surname_and_title_name_the_roster_person():
    rows = ROSTER + [{"name": "朱文斌", "aliases": "", "pseudonym": "[P11]"},
                     {"name": "欧阳华", "aliases": "", "pseudonym": "[P40]"},
                     {"name": "李强", "aliases": "", "pseudonym": "[P41]"}]
    pseudonymize = Pseudonymizer(name_table(rows, [], ["主任", "委员", "师傅"]))
    assert pseudonymize("朱主任您好，罗委员也在。") == "[P11]您好，[P05]也在。"
    assert pseudonymize("欧阳师傅说") == "[P40]说"
    assert pseudonymize("李主任来了") == "[P]来了"  # 李娟 and 李强: ambiguous surname
    assert pseudonymize("主任来了") == "主任来了"
    assert Pseudonymizer(name_table(rows, []))("朱主任") == "朱主任"  # titles off


def test_english_forms_of_address_name_the_roster_person():
    rows = [{"name": "Margaret Smith", "aliases": "", "pseudonym": "[P01]"},
            {"name": "Chidi Okafor", "aliases": "", "pseudonym": "[P02]"},
            {"name": "Ann Lee", "aliases": "", "pseudonym": "[P03]"},
            {"name": "Tom Lee", "aliases": "", "pseudonym": "[P04]"},
            {"name": "罗志强", "aliases": "", "pseudonym": "[P05]"}]
    titles = ["Dr.", "Mr.", "Ms.", "Mrs.", "Nurse", "Officer", "委员"]
    pseudonymize = Pseudonymizer(name_table(rows, [], titles))
    assert pseudonymize("Dr. Smith said Nurse Okafor and Dr Smith agreed.") == \
        "[P01] said [P02] and [P01] agreed."
    assert pseudonymize("Officer Okafor's report; Mrs. Smithers stayed.") == \
        "[P02]'s report; Mrs. Smithers stayed."
    assert pseudonymize("Ms. Lee came") == "[P] came"  # two Lees on the roster: ambiguous
    assert pseudonymize("罗委员 met Mr. Smith") == "[P05] met [P01]"
    assert "Smith委员" not in name_table(rows, [], titles)  # Chinese titles follow Chinese names


def test_mentions_are_whole_handles():
    pseudonymize = Pseudonymizer({"@ann": "@[U001]", "@涟源老街坊": "@[U002]"})
    assert pseudonymize("cc @ann, not @anna; 回复@涟源老街坊：好") == "cc @[U001], not @anna; 回复@[U002]：好"


def test_extra_patterns_take_their_placeholder_before_phone_numbers():
    patterns = compile_extra_patterns({
        "us_ssn": {"pattern": r"\b\d{3}-\d{2}-\d{4}\b", "placeholder": "[SSN]"},
        "nhs_number": {"pattern": r"\b\d{3} \d{3} \d{4}\b", "placeholder": "[NHS]"}})
    counts = Counter()
    text = replace_identifiers("SSN 123-45-6789, NHS 943 476 5919, cell (555) 013-2291.",
                               ("US", "GB"), patterns, counts)
    assert text == "SSN [SSN], NHS [NHS], cell [PHONE]."
    assert +counts == Counter({"[SSN]": 1, "[NHS]": 1, "[PHONE]": 1})


def test_every_replacement_is_counted_by_type_never_by_value():
    pseudonymize = Pseudonymizer(name_table(ROSTER, ["钟老师"]))
    counts = Counter()
    text = pseudonymize("罗委员说：找老罗或钟老师，电话13807381234，身份证431382198808304153，"
                        "邮箱a@example.com，车牌湘K·3A728，主页 https://weibo.com/u/1088839965", counts)
    assert "13807381234" not in text and "1088839965" not in text
    assert +counts == Counter({"[P#]": 2, "[N#]": 1, "[PHONE]": 1, "[ID]": 1, "[EMAIL]": 1,
                               "[PLATE]": 1, "[USER]": 1})


def test_placeholder_types():
    assert placeholder_type("[P05]") == placeholder_type("[P41]") == "[P#]"
    assert placeholder_type("@[U001]") == placeholder_type("[U1000]") == "[U#]"
    assert placeholder_type("[P]") == "[P]"
    assert placeholder_type("[PHONE]") == "[PHONE]"
