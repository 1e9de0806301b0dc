"""Figures: SVG with text kept as text, deterministic; the model diagram by layer."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from gtflow.report import figures
from gtflow.report.diagram import model_svg, node_rows, wrap

LABELS = {key: key for key in (
    "fig_no_data", "fig_sat_band", "fig_sat_median", "fig_sat_observed", "fig_sat_guest",
    "fig_sat_holdout", "fig_sat_x", "fig_sat_y", "fig_heat_value", "fig_heat_x", "fig_heat_y",
    "fig_time_y", "source_interview", "source_web_page", "source_web_post", "fig_model_title",
    "fig_model_legend_solid", "level_concept")}
LABELS["fig_model_legend_weak"] = "weak (< {k})"


def curves() -> pd.DataFrame:
    return pd.DataFrame({"level": "concept", "position": [1, 2, 3], "doc_id": ["a", "b", "c"],
                         "new_codes": [3, 1, 0], "cumulative": [3, 4, 4],
                         "band_low": [1, 2, 3], "band_median": [2, 3, 4], "band_high": [3, 4, 4]})


def test_saturation_svg_keeps_text_as_text() -> None:
    svg = figures.svg_text(figures.saturation_figure(
        curves(), {**LABELS, "fig_sat_y": "已发现的编码数"}, {"concept": {"guest": 2},
                                                            "holdout": {"first": "c"}}))
    assert "<text" in svg and "已发现的编码数" in svg
    assert "Noto Sans CJK SC" in svg
    assert not svg.startswith("<?xml")
    ET.fromstring(svg)  # well-formed


def test_figures_are_deterministic() -> None:
    first = figures.svg_text(figures.saturation_figure(curves(), LABELS))
    second = figures.svg_text(figures.saturation_figure(curves(), LABELS))
    assert first == second
    assert "<dc:date>" not in first


def test_heatmap_and_timeline_and_empty() -> None:
    matrix = pd.DataFrame({"AA1 压力": [1, 0], "AA2": [2, 5]}, index=["R01", "R02"])
    svg = figures.svg_text(figures.heatmap_figure(matrix, LABELS))
    assert "AA1 压力" in svg and ">5<" in svg.replace("\n", "")
    timeline = pd.DataFrame({"month": ["2020-01", "2020-03"], "source_type": ["interview"] * 2,
                             "n": [1, 2]})
    assert "2020-02" in figures.svg_text(figures.timeline_figure(timeline, LABELS))
    assert "fig_no_data" in figures.svg_text(figures.heatmap_figure(pd.DataFrame(), LABELS))


MODEL = {
    "layers": [{"id": "c", "label": "条件", "label_en": "Conditions"},
               {"id": "m", "label": "机制", "label_en": "Mechanisms"},
               {"id": "o", "label": "结果", "label_en": "Outcome"}],
    "nodes": [{"id": "C1", "layer": "c", "label": "条件一", "label_en": "<Cond> & one",
               "documents": 7},
              {"id": "M1", "layer": "m", "label": "机制一", "label_en": "Mech", "documents": 5},
              {"id": "M2", "layer": "m", "label": "机制二", "label_en": "Mech 2", "documents": 4},
              {"id": "O1", "layer": "o", "label": "结果", "label_en": "Out", "documents": 9}],
    "edges": [{"from": "C1", "to": "M2", "relation": "诱发", "relation_en": "causes",
               "documents": 4, "weak": False},
              {"from": "M1", "to": "M2", "relation": "构成", "relation_en": "makes up",
               "documents": 1, "weak": True},
              {"from": "C1", "to": "O1", "relation": "导致", "relation_en": "leads to",
               "documents": 3, "weak": False}],
    "weak_threshold": 3,
}


def test_edges_inside_a_layer_make_sub_rows() -> None:
    assert node_rows(MODEL) == [("c", ["C1"]), ("m", ["M1"]), ("m", ["M2"]), ("o", ["O1"])]


def test_model_svg_labels_support_and_dashes_weak_edges() -> None:
    svg = model_svg(MODEL, "en", LABELS)
    root = ET.fromstring(svg)  # well-formed, data escaped
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "&lt;Cond&gt; &amp; one" in svg and "<Cond>" in texts
    assert "causes (n\u00a0=\u00a04)" in texts and "makes up (n\u00a0=\u00a01)" in texts
    weak = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "edge weak"]
    assert len(weak) == 1
    assert weak[0].find("{http://www.w3.org/2000/svg}path").get("stroke-dasharray")
    assert "Conditions" in texts and "weak (&lt; 3)" in svg
    assert "<script" not in svg


def test_model_svg_in_chinese() -> None:
    svg = model_svg(MODEL, "zh", LABELS)
    assert "C1 条件一" in svg and "诱发 (n\u00a0=\u00a04)" in svg and "条件" in svg


def test_long_edges_run_in_lanes_not_through_boxes() -> None:
    svg = model_svg(MODEL, "en", LABELS)
    paths = re.findall(r'<g class="edge">.*?<path d="([^"]+)"', svg)
    assert any(p.count("L") == 5 for p in paths)  # C1 -> O1 spans rows: orthogonal lane


def test_wrap_keeps_words_and_breaks_cjk() -> None:
    assert wrap("AA1 正式制度困境", 200) == ["AA1 正式制度困境"]
    assert all(len(line) <= 5 for line in wrap("一二三四五六七八九十", 60))


def overlapping_labels(labels) -> list[tuple[str, str]]:
    """Pairs of tick labels whose drawn boxes intersect."""
    boxes = [(label.get_text(), label.get_window_extent()) for label in labels if label.get_text()]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
            if box_a.overlaps(box_b)]


def test_heatmap_axis_labels_do_not_overlap() -> None:
    # The demo's shape: 7 main categories with long "ID label" names, 26 respondents.
    names = ["AA1 Formal institutional dilemma", "AA2 Informal institutional constraint",
             "AA3 Public and private interest motives", "AA4 Pressure mechanism",
             "AA5 Control mechanism of the administrative system", "AA6 Failure of supervision",
             "AA7 Manifestations and consequences of pseudo-innovation"]
    matrix = pd.DataFrame([[i % 3, i % 5, 1, 0, 2, i % 2, 3] for i in range(26)], columns=names,
                          index=[f"R{i:02d}" for i in range(1, 27)])
    figure = figures.heatmap_figure(matrix, LABELS)
    figure.canvas.draw()
    axes = figure.axes[0]
    assert overlapping_labels(axes.get_xticklabels()) == []
    assert overlapping_labels(axes.get_yticklabels()) == []
    x_labels = [label.get_window_extent() for label in axes.get_xticklabels()]
    title = axes.xaxis.label.get_window_extent()
    assert not any(box.overlaps(title) for box in x_labels)
