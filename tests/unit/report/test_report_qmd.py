"""The .qmd: every data value escaped, labels per language, strict undefined, deterministic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
import pytest
import yaml

from gtflow.errors import InputError
from gtflow.report.escape import Markdown
from gtflow.report.qmd import Data, as_data, finalize, load_labels, make_environment, render_qmd
from gtflow.resources import template_dir

TEMPLATES = template_dir()


def environment(tmp_path: Path, template: str, language: str = "en"):
    (tmp_path / "t.j2").write_text(template, encoding="utf-8")
    labels = {"na": Markdown("n/a"), "hello": Markdown("**Hello** {name}")}
    return make_environment(tmp_path, language, labels).get_template("t.j2")


def test_data_is_escaped_without_any_filter(tmp_path: Path) -> None:
    template = environment(tmp_path, "{{ value }} {{ n }}")
    assert template.render(**as_data({"value": "<b>*x*</b>", "n": 1.5})) == \
        r"&lt;b&gt;\*x\*&lt;\/b&gt; 1\.5"


def test_labels_and_helpers_are_not_escaped_twice(tmp_path: Path) -> None:
    template = environment(tmp_path, '{{ L.hello | fill(name=value) }} {{ num(n) }}')
    assert template.render(**as_data({"value": "<i>", "n": 1234})) == "**Hello** &lt;i&gt; 1,234"


def test_language_pick_escapes_too(tmp_path: Path) -> None:
    template = environment(tmp_path, '{{ item | tr("label") }}', language="en")
    item = as_data({"item": {"label": "中文", "label_en": "a_b"}})
    assert template.render(**item) == r"a\_b"
    template_zh = environment(tmp_path, '{{ item | tr("label") }}', language="zh")
    assert template_zh.render(**item) == "中文"


def test_join_escapes_each_item(tmp_path: Path) -> None:
    template = environment(tmp_path, '{{ items | join(", ") }}')
    assert template.render(**as_data({"items": ["*a*", "<b>"]})) == r"\*a\*, &lt;b&gt;"


def test_missing_value_is_an_error(tmp_path: Path) -> None:
    template = environment(tmp_path, "{{ nothing.here }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render()


def test_finalize_passes_template_text() -> None:
    assert finalize("| a |") == "| a |"
    assert finalize(Data("| a |")) == r"\| a \|"


def test_label_files_define_the_same_keys() -> None:
    english = yaml.safe_load((TEMPLATES / "labels.en.yaml").read_text(encoding="utf-8"))
    chinese = yaml.safe_load((TEMPLATES / "labels.zh.yaml").read_text(encoding="utf-8"))
    assert set(english) == set(chinese)


def test_every_label_the_template_uses_exists() -> None:
    labels = load_labels(TEMPLATES / "labels.en.yaml")
    used = set()
    for name in ("report.qmd.j2", "partials.j2"):
        used |= set(re.findall(r"\bL\.([a-z_0-9]+)", (TEMPLATES / name).read_text(encoding="utf-8")))
    assert used <= set(labels), sorted(used - set(labels))


def test_template_never_concatenates_data() -> None:
    # "~" turns escaped data into a plain string; it may only build label keys: L["x_" ~ ...].
    text = (TEMPLATES / "report.qmd.j2").read_text(encoding="utf-8")
    assert all(re.search(r'L\["[a-z_]+" ~ ', line) for line in text.splitlines() if " ~ " in line)


def test_report_headings_switch_language(built_report: dict, built_report_zh: dict) -> None:
    english = built_report["qmd"].read_text(encoding="utf-8")
    chinese = built_report_zh["qmd"].read_text(encoding="utf-8")
    assert "# Study and data overview {#sec-overview}" in english
    assert "# 研究与资料概况 {#sec-overview}" in chinese
    assert "Study and data overview" not in chinese
    # quotes stay in their own language in both
    assert "排名压力很大" in english and "排名压力很大" in chinese


def test_report_is_deterministic(built_report: dict) -> None:
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    first = render_qmd(context, TEMPLATES, "en")
    assert first == render_qmd(context, TEMPLATES, "en")
    assert first == built_report["qmd"].read_text(encoding="utf-8")


def test_timestamp_only_in_appendix(built_report: dict) -> None:
    text = built_report["qmd"].read_text(encoding="utf-8")
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    stamp = context["appendix"]["generated_at"]
    escaped = str(finalize(Data(stamp)))
    assert text.count(escaped) == 1
    assert text.index(escaped) > text.index("{#sec-appendix}")


def test_every_table_has_a_caption_citing_its_source(built_report: dict) -> None:
    blocks = built_report["qmd"].read_text(encoding="utf-8").split("\n\n")
    for index, block in enumerate(blocks):
        if block.startswith("|") and re.search(r"\n\|[:-]", block):
            caption = blocks[index + 1]
            assert caption.startswith(": "), block[:80]
    captions = [b for b in blocks if b.startswith(": ")]
    data_captions = [c for c in captions if "Software versions" not in c
                     and "checksums" not in c]
    assert data_captions and all("Source:" in c for c in data_captions)


def test_quotes_cite_document_and_offsets(built_report: dict) -> None:
    text = built_report["qmd"].read_text(encoding="utf-8")
    assert re.search(r"” \(I01, \\\[6–22\)\)", text)


def test_banner_comes_from_the_data_card(built_report: dict) -> None:
    text = built_report["qmd"].read_text(encoding="utf-8")
    banner = text.split("::: {.callout-warning #data-banner}")[1].split(":::")[0]
    assert "SYNTHETIC demonstration data &lt;b&gt;written&lt;\\/b&gt; for tests\\. No real persons\\." \
        in banner
    assert "More" not in banner


def test_unknown_template_value_names_the_template(tmp_path: Path) -> None:
    (tmp_path / "labels.en.yaml").write_text("na: n/a\n", encoding="utf-8")
    (tmp_path / "report.qmd.j2").write_text("{{ missing }}", encoding="utf-8")
    with pytest.raises(InputError, match="report.qmd.j2"):
        render_qmd({"study": {"title": "t"}}, tmp_path, "en")


def test_the_model_title_captions_the_diagram_and_its_description_is_shown(
        built_report: dict) -> None:
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    generic = render_qmd(context, TEMPLATES, "en")
    caption = load_labels(TEMPLATES / "labels.en.yaml")["fig_model_caption"]
    assert f"![{caption} (" in generic
    context["model"].update(title="Why *tablets* failed", description="Read <b>left</b> to right.")
    text = render_qmd(context, TEMPLATES, "en")
    assert r"![Why \*tablets\* failed (" in text and f"![{caption} (" not in text
    assert r"Read &lt;b&gt;left&lt;\/b&gt; to right\." in text.split("# The generation model")[1]


def test_a_table_without_rows_is_left_out(built_report: dict) -> None:
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    labels = load_labels(TEMPLATES / "labels.en.yaml")
    full = render_qmd(context, TEMPLATES, "en")
    assert labels["tbl_levels"] in full and labels["tbl_edges"] in full
    context["overview"]["respondents"]["by_level"] = []
    context["model"]["edges"] = []
    text = render_qmd(context, TEMPLATES, "en")
    assert labels["tbl_levels"] not in text and labels["tbl_edges"] not in text
    assert labels["tbl_roles"] in text and labels["tbl_nodes"] in text


def test_reliability_and_saturation_say_what_each_statistic_is(built_report: dict) -> None:
    """Each statistic gets its sentence and citation; a code below min_positive_units shows
    "too few coded units"; Chao2 shows its interval or says it is undefined; the holdout test
    is read from its random reference, not from an empty list."""
    text = built_report["qmd"].read_text(encoding="utf-8").replace("\\", "")  # unescape
    for cited in ("Cicchetti & Feinstein 1990", "Cohen 1960", "Gwet 2008", "Krippendorff 2011",
                  "Guest, Namey & Chen (2020)", "Francis et al. (2010)", "Chao 1987"):
        assert cited in text, cited
    row = next(line for line in text.splitlines() if line.startswith("| a2 "))
    assert row.count("too few coded units") == 4
    assert "0.850 (0.600–1.000)" in text and "97/100" in text
    assert "fewer than 5 segments" in text and "1 of 2 codes have enough" in text
    assert "95 % interval 2.1–9.5" in text and "undefined with 1 document(s)" in text
    assert "median 2 documents (2.5–97.5 %: 2–not reached); reached in 9 of 10 orders" in text
    assert "not fewer than chance: no support from this test" in text
    assert "supports theoretical saturation" not in text


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_long_list_of_duplicates_is_capped_and_says_so(built_report: dict, language: str) -> None:
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    context["sources"]["duplicates"] = "results/clean/duplicates.csv"
    rows = [{"doc_id": f"P{i:03d}", "kept_doc_id": "P000", "similarity": 1.0} for i in range(1, 4)]
    context["overview"].update(n_duplicates=120, n_duplicates_listed=120, duplicates=rows)
    text = render_qmd(context, TEMPLATES, language)
    assert all(f"| P{i:03d} | P000 |" in text for i in range(1, 4))
    capped = load_labels(TEMPLATES / f"labels.{language}.yaml")["duplicates_capped"]
    assert capped.format(shown=3, n=120, source=r"results\/clean\/duplicates\.csv") in text
    context["overview"].update(n_duplicates=3, n_duplicates_listed=3)
    assert capped.split("{")[0] not in render_qmd(context, TEMPLATES, language)
