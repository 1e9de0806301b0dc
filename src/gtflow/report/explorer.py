"""The evidence explorer: ``reports/<name>_evidence.html``, every count's supporting codings.

One self-contained HTML file (inline CSS and a small inline script; a Content-Security-Policy
forbids every network load). For each code (concept, category, main category) and each model
edge it lists the documents that carry it, and under each document the evidence codings with
their quote, ``doc [start–end)``, coder, origin and rule — read from
``results/tables/evidence.csv``, the same evidence that the report's counts are made of, in
batches (:mod:`gtflow.report.evidence`: its counts, and only the rows the page shows).

Anchors a reviewer can cite (and the report's counts link to):

* ``#code-<id>`` — all documents of a code; ``#code-<id>-interview`` / ``#code-<id>-web`` — its
  interviews / web documents;
* ``#edge-<from>-<to>`` (and ``-interview``, ``-web``) — the documents where both ends occur;
  ``#edge-<from>-<to>-source_only`` / ``-target_only`` — its contrary cases
  (``results/mechanisms/negative_cases.csv``);
* ``#memo-<id>`` — an analytic memo.

Every list item of class ``doc`` is one document, so a list holds as many items as the count
that links to it — unless the per-list cap (``report.evidence_per_code``) applies, which the
page then states beside the list. Without JavaScript the page is plain lists; with it, a filter
(text, document, coder, origin) hides codings and documents that do not match.
"""

from __future__ import annotations

import functools
import html
import logging
import subprocess
from collections.abc import Iterable

import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.errors import InputError
from gtflow.mechanisms.model import CONTRARY_KINDS
from gtflow.memos import Memo, MemoIndex
from gtflow.report.anchors import code_anchor, edge_anchor
from gtflow.report.escape import plain_text
from gtflow.report.evidence import SOURCE_GROUPS, EvidenceDigest, ItemTally
from gtflow.report.render import pandoc_path

log = logging.getLogger(__name__)

LEVEL_ORDER = ("main_category", "category", "concept")

STYLE = """
body{max-width:70rem;margin:0 auto;padding:1rem 1.5rem 4rem;line-height:1.55;color:#222;
font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Microsoft YaHei",system-ui,sans-serif}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;margin-top:2.2rem;font-size:1.25rem}
h3{font-size:1rem;margin:1rem 0 .3rem}
section.item:target,ol:target{outline:3px solid #f59e0b;outline-offset:4px}
.count,.cap,.note{color:#555;font-size:.9rem}.cap{color:#9a3412}
li.doc{margin:.4rem 0}.doc-id{font-weight:600}
ul.codings{margin:.2rem 0;padding-left:1.2rem}li.coding{font-size:.92rem}
.meta{color:#666;font-size:.82rem}.quote{color:#111}
nav.index{columns:3;font-size:.85rem}nav.index a{display:block}
form#filter{position:sticky;top:0;background:#f8f9fa;padding:.5rem;border:1px solid #ddd;
border-radius:4px;z-index:1}form#filter label{margin-right:.8rem;font-size:.9rem}
.memo{border-left:4px solid #3b82f6;background:#eff6ff;padding:.4rem .8rem;margin:.6rem 0}
.synthetic{color:#9a3412;font-size:.8rem;font-weight:600}.flag{color:#b91c1c;font-weight:600}
.hidden{display:none}
"""

#: The filter: hides codings (and then documents) not matching every chosen criterion.
SCRIPT = """
(function(){
var form=document.getElementById('filter');if(!form)return;form.hidden=false;
var codings=Array.prototype.slice.call(document.querySelectorAll('li.coding'));
function fill(name,attr){var sel=form.elements[name],seen={};
codings.forEach(function(li){seen[li.getAttribute(attr)]=1;});
Object.keys(seen).sort().forEach(function(v){var o=document.createElement('option');
o.value=v;o.textContent=v;sel.appendChild(o);});}
fill('doc','data-doc');fill('coder','data-coder');fill('origin','data-origin');
function apply(){var q=form.elements.text.value.trim().toLowerCase(),
d=form.elements.doc.value,c=form.elements.coder.value,o=form.elements.origin.value;
codings.forEach(function(li){var ok=(!q||li.textContent.toLowerCase().indexOf(q)>=0)&&
(!d||li.getAttribute('data-doc')===d)&&(!c||li.getAttribute('data-coder')===c)&&
(!o||li.getAttribute('data-origin')===o);li.classList.toggle('hidden',!ok);});
document.querySelectorAll('li.doc').forEach(function(doc){
var any=doc.querySelector('li.coding:not(.hidden)')!==null||doc.querySelector('li.coding')===null&&
(!d||doc.getAttribute('data-doc')===d);doc.classList.toggle('hidden',!any);});}
form.addEventListener('input',apply);form.addEventListener('change',apply);
form.addEventListener('submit',function(e){e.preventDefault();apply();});})();
"""


def esc(value: object) -> str:
    """Escape a data value for HTML text or a double-quoted attribute."""
    if type(value) is str:  # exactly str: a subclass may print differently
        return escaped_text(value)
    return html.escape(plain_text(value), quote=True)


@functools.lru_cache(maxsize=1 << 16)
def escaped_text(text: str) -> str:
    """:func:`esc` of a string, remembered: a page repeats the same document ids, coders,
    origins, concepts and rules in every coding (about 900k escapes at 100k posts)."""
    return html.escape(plain_text(text), quote=True)


def row_dicts(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict("records")`` for frames of Python objects and numbers, built from
    column lists (pandas boxes every value on its own, several times slower)."""
    columns = list(frame.columns)
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def explorer_file_name(study_name: str) -> str:
    """File name of the explorer beside the report."""
    return f"{study_name}_evidence.html"


def label_of(code: dict, language: str) -> str:
    """A code's label in the report language."""
    return code.get("label_en") or code["label"] if language == "en" else code["label"]


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


def capped_note(shown: int, total: int, labels: dict) -> str:
    """The statement under a list the cap has shortened (empty when it has not)."""
    if shown >= total:
        return ""
    return (f'<p class="cap">{esc(labels["ex_capped"].format(shown=shown, total=total))}</p>')


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


def memo_links(memos: Iterable[Memo], labels: dict) -> str:
    """Links to the memos that discuss an item."""
    memos = list(memos)
    if not memos:
        return ""
    links = ", ".join(f'<a href="#memo-{esc(m.id)}">{esc(m.id)} {esc(m.title)}</a>' for m in memos)
    return f'<p class="note">{esc(labels["ex_memos_here"])}: {links}</p>'


def count_line(tally: ItemTally, labels: dict) -> str:
    """'N documents, M codings' of an item."""
    return (f'<p class="count">{tally.n_documents} {esc(labels["ex_documents"])}, '
            f'{tally.n_codings} {esc(labels["ex_codings"])}</p>')


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


def memo_section(memo: Memo, body_html: str, labels: dict) -> str:
    """One memo in the explorer: its references, then its body."""
    refs = [f'<a href="#{code_anchor(c)}">{esc(c)}</a>' for c in memo.codes]
    refs += [f'<a href="#{edge_anchor(*e.split("->", 1))}">{esc(e)}</a>' for e in memo.edges]
    synthetic = (f' <span class="synthetic">{esc(labels["memo_synthetic"])}</span>'
                 if memo.synthetic else "")
    return (f'<article class="memo" id="memo-{esc(memo.id)}"><h3>{esc(memo.id)} '
            f'{esc(memo.title)}{synthetic}</h3><p class="meta">{esc(memo.date)} · '
            f'{esc(memo.author)} · {esc(memo.path)} · {", ".join(refs)}</p>{body_html}</article>')


def filter_form(labels: dict) -> str:
    """The filter form: hidden until the script shows it, so no-JS readers see only lists."""
    def select(name: str) -> str:
        return (f'<label>{esc(labels["ex_filter_" + name])} <select name="{name}">'
                f'<option value="">{esc(labels["ex_filter_any"])}</option></select></label>')
    return (f'<form id="filter" hidden><label>{esc(labels["ex_filter_text"])} '
            f'<input type="search" name="text"></label>{select("doc")}{select("coder")}'
            f'{select("origin")}</form>')


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


def memo_body_html(body: str) -> str:
    """A memo's Markdown body as HTML; raw HTML in it is shown as text (pandoc, raw_html off)."""
    result = subprocess.run([pandoc_path(), "-f", "markdown-raw_html-raw_attribute-smart",
                             "-t", "html5", "--wrap=none"], input=body, text=True,
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise InputError(None, f"pandoc could not read a memo body: {result.stderr.strip()[:300]}")
    return result.stdout
