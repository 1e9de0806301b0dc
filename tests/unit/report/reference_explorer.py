"""The evidence explorer's page code before it printed every coding once for all items
(gtflow.report.explorer at dd12cea): the reference the faster page is compared with."""

from __future__ import annotations

import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.mechanisms.model import CONTRARY_KINDS
from gtflow.memos import MemoIndex
from gtflow.report.evidence import SOURCE_GROUPS, EvidenceDigest, ItemTally
from gtflow.report.explorer import (
    LEVEL_ORDER,
    SCRIPT,
    STYLE,
    capped_note,
    code_anchor,
    count_line,
    edge_anchor,
    esc,
    filter_form,
    label_of,
    memo_links,
    memo_section,
)


def row_dicts(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict("records")`` for frames of Python objects and numbers, built from
    column lists (pandas boxes every value on its own, several times slower)."""
    columns = list(frame.columns)
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def coding_item(row: dict) -> str:
    """One evidence coding: quote, citation, concept, coder, origin, rule."""
    rule = f" · {esc(row['rule'])}" if row.get("rule") else ""
    return (f'<li class="coding" data-doc="{esc(row["doc_id"])}" data-coder="{esc(row["coder"])}"'
            f' data-origin="{esc(row["origin"])}"><span class="quote">“{esc(row["quote"])}”</span>'
            f' <span class="meta">{esc(row["doc_id"])} [{int(row["start"])}–{int(row["end"])})'
            f' · {esc(row["concept_id"])} · {esc(row["coder"])} · {esc(row["origin"])}{rule}'
            f'</span></li>')


def document_item(doc_id: str, source_type: str, rows: list[dict], labels: dict,
                  role_label: dict | None = None) -> str:
    """One document with its codings (each tagged with the edge end it supports, if any)."""
    items = []
    for row in rows:
        item = coding_item(row)
        if role_label and row.get("role"):
            item = item.replace('<span class="quote">',
                                f'<span class="meta">[{esc(role_label[row["role"]])}]</span> '
                                '<span class="quote">', 1)
        items.append(item)
    return (f'<li class="doc" data-doc="{esc(doc_id)}"><span class="doc-id">{esc(doc_id)}</span>'
            f' <span class="meta">({esc(labels.get("source_" + source_type, source_type))},'
            f' {len(rows)} {esc(labels["ex_codings"])})</span>'
            f'<ul class="codings">{"".join(items)}</ul></li>')


def document_lists(anchor: str, rows: pd.DataFrame, tally: ItemTally, labels: dict,
                   role_label: dict | None = None) -> str:
    """The documents of one item, in one list per kind of material (interviews, web): ``rows``
    are the codings of the documents ``tally`` chose to show, ``tally`` counts them all."""
    parts = []
    item_rows: list[dict] | None = None  # the rows as dicts, made when a list needs them
    for group, source_types in SOURCE_GROUPS:
        total = tally.group_documents[group]
        if not total:
            parts.append(f'<ol class="docs" id="{anchor}-{group}"></ol>')
            continue
        if item_rows is None:
            item_rows = row_dicts(rows)
        # One pass over the rows instead of filtering the frame by kind, then by document.
        by_doc: dict[str, list[dict]] = {doc: [] for doc in tally.shown[group]}
        source_of = {}
        for row in item_rows:
            if row["source_type"] in source_types and row["doc_id"] in by_doc:
                by_doc[row["doc_id"]].append(row)
                source_of[row["doc_id"]] = row["source_type"]
        items = "".join(document_item(doc, source_of[doc], by_doc[doc], labels, role_label)
                        for doc in by_doc)
        parts.append(f'<h3>{esc(labels["ex_group_" + group])} ({total})</h3>'
                     f'{capped_note(len(by_doc), total, labels)}'
                     f'<ol class="docs" id="{anchor}-{group}">{items}</ol>')
    return "".join(parts)


def code_section(code: dict, level: str, rows: pd.DataFrame, tally: ItemTally, labels: dict,
                 language: str, memos: MemoIndex) -> str:
    """The section of one code."""
    anchor = code_anchor(code["id"])
    return (f'<section class="item" id="{anchor}" data-level="{level}">'
            f'<h2>{esc(code["id"])} {esc(label_of(code, language))} '
            f'<span class="meta">({esc(labels["level_" + level])})</span></h2>'
            f'{count_line(tally, labels)}{memo_links(memos.for_code(code["id"]), labels)}'
            f'{document_lists(anchor, rows, tally, labels)}</section>')


def contrary_list(anchor: str, kind: str, doc_ids: list[str], node_rows: pd.DataFrame, cap: int,
                  labels: dict) -> str:
    """The contrary documents of one kind, each with the codings of the end that is present."""
    shown = doc_ids[:cap]
    rows_of = {doc: [] for doc in shown}
    for row in row_dicts(node_rows[node_rows["doc_id"].isin(set(shown))]):
        rows_of[row["doc_id"]].append(row)
    source_of = dict(zip(node_rows["doc_id"], node_rows["source_type"]))
    items = "".join(document_item(doc, source_of.get(doc, ""), rows_of[doc], labels)
                    for doc in shown)
    return (f'<h3>{esc(labels["ex_" + kind])} ({len(doc_ids)})</h3>'
            f'{capped_note(len(shown), len(doc_ids), labels)}'
            f'<ol class="docs contrary" id="{anchor}-{kind}">{items}</ol>')


def edge_section(edge: dict, rows: pd.DataFrame, tally: ItemTally, contrary: pd.DataFrame,
                 counted: dict, code_rows: pd.DataFrame, book: Codebook, cap: int, labels: dict,
                 language: str, memos: MemoIndex) -> str:
    """The section of one model edge: supporting documents, then contrary cases (``contrary``
    lists them, ``code_rows`` holds the codings of the contrary documents shown; ``counted`` is
    the mechanisms stage's count and flag of the edge)."""
    source, target = edge["from"], edge["to"]
    anchor = edge_anchor(source, target)
    key = f"{source}->{target}"
    relation = edge.get("relation_en") or edge.get("relation", "") if language == "en" \
        else edge.get("relation", "")
    role_label = {"source": source, "target": target}
    counts = {kind: contrary.loc[contrary["kind"] == kind, "doc_id"].tolist()
              for kind in CONTRARY_KINDS}
    n_contrary = counted["n_contrary"]
    flag = (f' <span class="flag">{esc(labels["ex_contrary_flag"])}</span>'
            if counted["outnumbered"] else "")
    contrary_html = "".join(
        contrary_list(anchor, kind, counts[kind],
                      code_rows[code_rows["item_id"] == (source if kind == "source_only"
                                                         else target)], cap, labels)
        for kind in CONTRARY_KINDS)
    # The contrary cases sit in a section of their own, so that the edge's own section lists
    # exactly its supporting documents (the count that links to it).
    return (f'<section class="item" id="{anchor}" data-level="edge">'
            f'<h2>{esc(source)} {esc(label_of(book.by_id[source], language))} → {esc(target)} '
            f'{esc(label_of(book.by_id[target], language))} <span class="meta">({esc(relation)})'
            f'</span></h2>{count_line(tally, labels)}'
            f'<p class="count">{esc(labels["ex_contrary_count"].format(n=n_contrary))}{flag}</p>'
            f'{memo_links(memos.for_edge(key), labels)}'
            f'{document_lists(anchor, rows, tally, labels, role_label)}</section>'
            f'<section class="contrary" id="{anchor}-contrary">{contrary_html}</section>')


def contrary_by_edge(negative: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Edge key ('A->B') -> its rows of negative_cases.csv, in file order (one groupby rather
    than a filter of the whole table per edge)."""
    return dict(iter(negative.groupby("edge", sort=False)))


def contrary_documents(negative: pd.DataFrame, model: dict, cap: int) -> dict[str, set[str]]:
    """Code id -> the contrary documents the explorer shows under it: per model edge and kind,
    the first ``cap`` documents of negative_cases.csv, under the end that is present."""
    wanted: dict[str, set[str]] = {}
    by_edge = contrary_by_edge(negative)
    for edge in model.get("edges", []):
        mine = by_edge.get(f"{edge['from']}->{edge['to']}", negative.iloc[0:0])
        for kind in CONTRARY_KINDS:
            node = edge["from"] if kind == "source_only" else edge["to"]
            shown = mine.loc[mine["kind"] == kind, "doc_id"].iloc[:cap].tolist()
            wanted.setdefault(node, set()).update(shown)
    return wanted


def explorer_html(*, evidence: EvidenceDigest, negative: pd.DataFrame,
                  contrary: dict[str, dict], book: Codebook, model: dict, memos: MemoIndex,
                  memo_bodies: dict[str, str], labels: dict, language: str, title: str, cap: int,
                  evidence_source: str, negative_source: str) -> str:
    """The whole explorer page; ``evidence`` is evidence.csv's digest read with ``cap`` and
    :func:`contrary_documents`, ``contrary`` the mechanisms summary's per-edge contrary count
    and flag."""
    code_rows = evidence.contrary
    rows_of_code = evidence.shown_rows("code")
    rows_of_edge = evidence.shown_rows("edge")
    empty = evidence.shown.iloc[0:0]
    contrary_rows = contrary_by_edge(negative)
    sections, index = [], []
    levels = {"main_category": book.main_categories, "category": book.categories,
              "concept": book.concepts}
    for level in LEVEL_ORDER:
        for code in levels[level]:
            sections.append(code_section(code, level, rows_of_code.get(code["id"], empty),
                                         evidence.tally("code", code["id"]), labels, language,
                                         memos))
            index.append(f'<a href="#{code_anchor(code["id"])}">{esc(code["id"])} '
                         f'{esc(label_of(code, language))}</a>')
    for edge in model.get("edges", []):
        key = f"{edge['from']}->{edge['to']}"
        sections.append(edge_section(edge, rows_of_edge.get(key, empty),
                                     evidence.tally("edge", key),
                                     contrary_rows.get(key, negative.iloc[0:0]), contrary[key],
                                     code_rows, book, cap, labels, language, memos))
        index.append(f'<a href="#{edge_anchor(edge["from"], edge["to"])}">{esc(key)}</a>')
    memo_html = "".join(memo_section(m, memo_bodies.get(m.id, ""), labels) for m in memos.memos)
    intro = esc(labels["ex_intro"].format(cap=cap, evidence=evidence_source,
                                          negative=negative_source))
    return (f'<!DOCTYPE html>\n<html lang="{esc(labels["lang_tag"])}"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(labels["ex_title"])} — {esc(title)}</title><style>{STYLE}</style>'
            f'</head><body><h1>{esc(labels["ex_title"])}</h1><p>{esc(title)}</p><p>{intro}</p>'
            f'{filter_form(labels)}<nav class="index">{"".join(index)}'
            f'<a href="#memos">{esc(labels["explorer_memos"])}</a></nav>{"".join(sections)}'
            f'<section id="memos"><h2>{esc(labels["explorer_memos"])} ({len(memos.memos)})</h2>'
            f'{memo_html}</section><script>{SCRIPT}</script></body></html>\n')
