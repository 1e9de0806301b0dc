"""The report's statistical figures as SVG, drawn with matplotlib.

Text stays text (``svg.fonttype = none``) so the browser draws Chinese labels with its own
fonts; the font-family list names common CJK fonts before the generic family. Figures carry
no timestamp or random ids, so the same results give the same bytes.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from gtflow.io import write_text

#: Fonts tried in order; any installed one draws CJK glyphs, the browser falls back the same way.
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "DejaVu Sans", "sans-serif"]
SOURCE_COLOURS = {"interview": "#1f77b4", "web_page": "#2ca02c", "web_post": "#ff7f0e"}

log = logging.getLogger(__name__)


def figure_style() -> dict:
    """rcParams for every figure: text as text, CJK-capable fonts, a fixed svg hash salt."""
    return {"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": CJK_FONTS,
            "svg.hashsalt": "gtflow", "axes.unicode_minus": False, "font.size": 10}


def svg_text(figure: plt.Figure) -> str:
    """The figure as SVG text without the creation date (deterministic output)."""
    buffer = io.StringIO()
    # Why the rc_context here too: svg.fonttype is read when saving, not when drawing.
    with warnings.catch_warnings(), plt.rc_context(figure_style()):
        # Why: without a CJK font installed matplotlib warns per missing glyph while measuring
        # text; the SVG still carries the text and the browser draws it.
        warnings.simplefilter("ignore", UserWarning)
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    # Why: the XML declaration/doctype would be invalid once pandoc inlines the SVG.
    text = re.sub(r"\A<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    return text


def save_svg(figure: plt.Figure, path: str | Path) -> None:
    """Write a figure atomically as SVG."""
    write_text(path, svg_text(figure))


def empty_figure(message: str) -> plt.Figure:
    """A small figure that says there is nothing to draw (keeps the report's layout whole)."""
    figure, axes = plt.subplots(figsize=(6, 1.2))
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center")
    return figure


def saturation_panel(axes: plt.Axes, curve: pd.DataFrame, labels: dict, guest_point: int | None,
                     holdout_start: int | None) -> None:
    """One level's accumulation curve over its random-order band."""
    x = curve["position"].to_numpy()
    if {"band_low", "band_high"} <= set(curve.columns):
        axes.fill_between(x, curve["band_low"], curve["band_high"], color="#9ecae1", alpha=0.6,
                          linewidth=0, label=labels["fig_sat_band"])
    if "band_median" in curve.columns:
        axes.plot(x, curve["band_median"], color="#3182bd", linestyle="--", linewidth=1,
                  label=labels["fig_sat_median"])
    axes.plot(x, curve["cumulative"], color="#d62728", marker="o", markersize=2.5,
              linewidth=1.5, label=labels["fig_sat_observed"])
    if guest_point:
        axes.axvline(guest_point, color="#444444", linestyle=":", linewidth=1.2,
                     label=labels["fig_sat_guest"])
    if holdout_start:
        axes.axvspan(holdout_start - 0.5, x.max() + 0.5, color="#bbbbbb", alpha=0.35,
                     linewidth=0, label=labels["fig_sat_holdout"])
    axes.set_xlim(0.5, x.max() + 0.5)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3, linewidth=0.5)


def saturation_figure(curves: pd.DataFrame, labels: dict, markers: dict | None = None) -> plt.Figure:
    """Code accumulation in collection order over the random-order band (2.5-97.5 %, median),
    one panel per coding level. ``markers`` gives per level the Guest point (documents k+r)
    and, under ``holdout``, the first held-out document id."""
    markers = markers or {}
    with plt.rc_context(figure_style()):
        if curves.empty:
            return empty_figure(labels["fig_no_data"])
        if "level" not in curves.columns:
            curves = curves.assign(level="concept")
        levels = list(dict.fromkeys(curves["level"]))
        figure, axes_list = plt.subplots(1, len(levels), figsize=(3.6 * len(levels) + 0.8, 3.8),
                                         squeeze=False)
        first_held = (markers.get("holdout") or {}).get("first")
        for axes, level in zip(axes_list[0], levels):
            curve = curves[curves["level"] == level].sort_values("position")
            start = curve.loc[curve["doc_id"] == first_held, "position"] \
                if first_held and "doc_id" in curve.columns else pd.Series(dtype=int)
            saturation_panel(axes, curve, labels, (markers.get(level) or {}).get("guest"),
                             int(start.iloc[0]) if len(start) else None)
            axes.set_title(labels.get(f"level_{level}", level), fontsize=10)
            axes.set_xlabel(labels["fig_sat_x"])
        axes_list[0][0].set_ylabel(labels["fig_sat_y"])
        handles, names = axes_list[0][0].get_legend_handles_labels()
        figure.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8,
                      frameon=False, bbox_to_anchor=(0.5, -0.02))
        figure.tight_layout(rect=(0, 0.08, 1, 1))
        return figure


def heatmap_figure(matrix: pd.DataFrame, labels: dict) -> plt.Figure:
    """Cases (rows) × main categories (columns), cell = number of codings, values printed."""
    with plt.rc_context(figure_style()):
        if matrix.empty:
            return empty_figure(labels["fig_no_data"])
        values = matrix.to_numpy(dtype=float)
        height = max(2.5, 0.22 * len(matrix) + 1.5)
        figure, axes = plt.subplots(figsize=(1.0 * len(matrix.columns) + 2.5, height))
        image = axes.imshow(values, aspect="auto", cmap="Blues", interpolation="nearest")
        # Vertical labels: a column is an inch wide and a label one line high, so long
        # "ID label" names never run into their neighbours (slanted ones did).
        axes.set_xticks(np.arange(len(matrix.columns)), [str(c) for c in matrix.columns],
                        rotation=90, ha="center")
        axes.set_yticks(np.arange(len(matrix.index)), [str(i) for i in matrix.index])
        axes.tick_params(labelsize=8)
        limit = np.nanmax(values) if values.size else 0
        for (row, col), value in np.ndenumerate(values):
            if value:
                axes.text(col, row, f"{value:g}", ha="center", va="center", fontsize=7,
                          color="white" if value > limit * 0.6 else "black")
        colourbar = figure.colorbar(image, ax=axes, fraction=0.04, pad=0.02)
        colourbar.set_label(labels["fig_heat_value"])
        axes.set_xlabel(labels["fig_heat_x"])
        axes.set_ylabel(labels["fig_heat_y"])
        return figure


def timeline_figure(timeline: pd.DataFrame, labels: dict) -> plt.Figure:
    """Kept documents per month, stacked by source type."""
    with plt.rc_context(figure_style()):
        if timeline.empty:
            return empty_figure(labels["fig_no_data"])
        wide = timeline.pivot_table(index="month", columns="source_type", values="n",
                                    aggfunc="sum", fill_value=0).sort_index()
        first, last = pd.Period(wide.index.min(), "M"), pd.Period(wide.index.max(), "M")
        months = [str(p) for p in pd.period_range(first, last, freq="M")]
        wide = wide.reindex(months, fill_value=0)
        figure, axes = plt.subplots(figsize=(7.5, 3.0))
        bottom = np.zeros(len(wide))
        for source_type in [s for s in SOURCE_COLOURS if s in wide.columns]:
            axes.bar(np.arange(len(wide)), wide[source_type], bottom=bottom, width=0.8,
                     color=SOURCE_COLOURS[source_type], label=labels[f"source_{source_type}"])
            bottom += wide[source_type].to_numpy()
        step = max(1, len(months) // 12)
        axes.set_xticks(np.arange(0, len(months), step), months[::step], rotation=45,
                        ha="right", fontsize=8)
        axes.set_ylabel(labels["fig_time_y"])
        axes.legend(fontsize=8, frameon=False)
        axes.grid(axis="y", alpha=0.3, linewidth=0.5)
        return figure


def validity_figure(section: dict, labels: dict) -> plt.Figure:
    """Precision (y) against recall (x) of every concept with rules, one marker per reference;
    the dashed curve is F1 = code.min_auto_f1 (concepts below it are labelled by id)."""
    points = [(c["id"], reference, s["recall"], s["precision"], c["status"])
              for c in section.get("concepts", []) for reference, s in c["scores"].items()
              if s["recall"] is not None and s["precision"] is not None]
    if not points:
        return empty_figure(labels.get("validity_none_figure", "no human reference"))
    markers = {reference: marker for reference, marker in
               zip(section["references"], ["o", "s", "^", "D", "v", "P"])}
    with plt.rc_context(figure_style()):
        figure, axes = plt.subplots(figsize=(6.4, 5.2))
        for reference in section["references"]:
            mine = [p for p in points if p[1] == reference]
            if mine:
                axes.scatter([p[2] for p in mine], [p[3] for p in mine], marker=markers[reference],
                             s=28, alpha=0.65, label=reference)
        bar = section["min_f1"]
        if 0 < bar < 1:
            recall = np.linspace(bar / (2 - bar) + 1e-6, 1, 200)
            precision = bar * recall / (2 * recall - bar)
            axes.plot(recall, precision, linestyle="--", color="grey", linewidth=1,
                      label=f"F1 = {bar:g}")
        flagged = {c["id"] for c in section["concepts"] if c["status"] == "failed"}
        for cid, reference, recall_value, precision_value, _ in points:
            if cid in flagged and reference == section["references"][-1]:
                axes.annotate(cid, (recall_value, precision_value), fontsize=7,
                              xytext=(3, 3), textcoords="offset points")
        axes.set_xlim(-0.03, 1.03)
        axes.set_ylim(-0.03, 1.03)
        axes.set_xlabel(labels.get("validity_axis_recall", "recall"))
        axes.set_ylabel(labels.get("validity_axis_precision", "precision"))
        axes.legend(fontsize=8, loc="lower left")
        figure.tight_layout()
    return figure
