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
import json
import logging
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gtflow import contracts
from gtflow.coding.codebook import Codebook
from gtflow.errors import InputError
from gtflow.mechanisms.model import CONTRARY_KINDS
from gtflow.memos import Memo, MemoIndex
from gtflow.report.anchors import code_anchor, edge_anchor
from gtflow.report.escape import plain_text
from gtflow.report.evidence import BATCH_ROWS, SOURCE_GROUPS, EvidenceDigest, ItemTally
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


def explorer_file_name(study_name: str) -> str:
    """File name of the explorer beside the report."""
    return f"{study_name}_evidence.html"


def label_of(code: dict, language: str) -> str:
    """A code's label in the report language."""
    return code.get("label_en") or code["label"] if language == "en" else code["label"]


@dataclass(frozen=True)
class PrintedCodings:
    """Rows of the listing as the page prints them: each row's document, kind of material and
    role, its values escaped for HTML, and the rows of each item (item_type, item_id) in
    listing order. Escaped once for all items, each distinct value once (escaping row by row,
    item by item, took most of the page's time); a row's ``<li>`` is made when its list is
    (:meth:`coding`), so that the page's codings are not all held twice."""

    doc_id: list[str]
    source_type: list[str]
    role: list[str]
    escaped: list[tuple]  # per row: doc, coder, origin, quote, start, end, concept, rule part
    rows_of: dict[tuple[str, str], list[int]]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> PrintedCodings:
        rows_of: dict[tuple[str, str], list[int]] = {}
        for row, key in enumerate(zip(frame["item_type"].tolist(), frame["item_id"].tolist())):
            rows_of.setdefault(key, []).append(row)
        return cls(frame["doc_id"].tolist(), frame["source_type"].tolist(),
                   frame["role"].tolist(), escaped_rows(frame), rows_of)

    def rows(self, item_type: str, item_id: str) -> list[int]:
        """The rows of one item (none for an item without shown rows)."""
        return self.rows_of.get((item_type, item_id), [])

    def coding(self, row: int) -> str:
        """One row's evidence coding: quote, citation, concept, coder, origin, rule."""
        return coding_html(*self.escaped[row])


def escaped_rows(frame: pd.DataFrame) -> list[tuple]:
    """Per row the values :func:`coding_html` prints, escaped: each distinct value of a column
    once (ids, coders, origins, concepts and rules repeat, and so do many quotes)."""
    doc_ids, coders, origins, concepts, quotes = (
        escaped_values(frame[c].tolist()) for c in ("doc_id", "coder", "origin", "concept_id",
                                                     "quote"))
    rules = [f" · {escaped}" if rule else "" for rule, escaped
             in zip(frame["rule"].tolist(), escaped_values(frame["rule"].tolist()))]
    return list(zip(doc_ids, coders, origins, quotes, frame["start"].tolist(),
                    frame["end"].tolist(), concepts, rules))


def coding_html(doc: str, coder: str, origin: str, quote: str, start: int, end: int,
                concept: str, rule: str) -> str:
    """An evidence coding's ``<li>`` from its escaped values (``rule``: '' or ' · ' and the
    rule)."""
    return (f'<li class="coding" data-doc="{doc}" data-coder="{coder}" data-origin="{origin}">'
            f'<span class="quote">“{quote}”</span> <span class="meta">{doc} [{int(start)}–'
            f'{int(end)}) · {concept} · {coder} · {origin}{rule}</span></li>')


def escaped_values(values: list) -> list[str]:
    """:func:`esc` of every value, each distinct string escaped once (here, not through the
    page's cache of :func:`escaped_text`, which quotes would flush)."""
    distinct = dict.fromkeys(values)
    if not all(type(v) is str for v in distinct):  # then equal keys may print differently
        return [esc(v) for v in values]
    escaped = {v: html.escape(plain_text(v), quote=True) for v in distinct}
    return [escaped[v] for v in values]


def document_item(doc_id: str, source_type: str, codings: list[str], labels: dict) -> str:
    """One document with its codings (``<li>`` items, see :func:`coding_html`)."""
    return document_html(esc(doc_id), esc(labels.get("source_" + source_type, source_type)),
                         codings, esc(labels["ex_codings"]))


def document_html(doc: str, kind: str, codings: list[str], codings_word: str) -> str:
    """:func:`document_item` from its escaped id, kind of material and word for codings."""
    return (f'<li class="doc" data-doc="{doc}"><span class="doc-id">{doc}</span>'
            f' <span class="meta">({kind}, {len(codings)} {codings_word})</span>'
            f'<ul class="codings">{"".join(codings)}</ul></li>')


def role_tagged(coding: str, role: str) -> str:
    """A coding tagged with the edge end it supports (``role``: that end's id)."""
    return coding.replace('<span class="quote">',
                          f'<span class="meta">[{esc(role)}]</span> <span class="quote">', 1)


def capped_note(shown: int, total: int, labels: dict) -> str:
    """The statement under a list the cap has shortened (empty when it has not)."""
    if shown >= total:
        return ""
    return (f'<p class="cap">{esc(labels["ex_capped"].format(shown=shown, total=total))}</p>')


def document_lists(anchor: str, codings: PrintedCodings, rows: list[int], tally: ItemTally,
                   labels: dict, role_label: dict | None = None) -> str:
    """The documents of one item, in one list per kind of material (interviews, web): ``rows``
    (of ``codings``) are the codings of the documents ``tally`` chose to show, ``tally`` counts
    them all; with ``role_label``, each coding is tagged with the edge end it supports."""
    parts = []
    for group, source_types in SOURCE_GROUPS:
        total = tally.group_documents[group]
        if not total:
            parts.append(f'<ol class="docs" id="{anchor}-{group}"></ol>')
            continue
        # One pass over the rows instead of filtering them by kind, then by document.
        by_doc: dict[str, list[str]] = {doc: [] for doc in tally.shown[group]}
        source_of = {}
        for row in rows:
            doc, source_type = codings.doc_id[row], codings.source_type[row]
            if source_type in source_types and doc in by_doc:
                coding, role = codings.coding(row), codings.role[row]
                by_doc[doc].append(role_tagged(coding, role_label[role])
                                   if role_label and role else coding)
                source_of[doc] = source_type
        # The labels escaped once per list, not once per document.
        kinds = {kind: esc(labels.get("source_" + kind, kind)) for kind in source_types}
        codings_word = esc(labels["ex_codings"])
        items = "".join(document_html(esc(doc), kinds[source_of[doc]], by_doc[doc], codings_word)
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


def code_section(code: dict, level: str, codings: PrintedCodings, tally: ItemTally,
                 labels: dict, language: str, memos: MemoIndex) -> str:
    """The section of one code (its shown rows are in ``codings``)."""
    anchor = code_anchor(code["id"])
    return (f'<section class="item" id="{anchor}" data-level="{level}">'
            f'<h2>{esc(code["id"])} {esc(label_of(code, language))} '
            f'<span class="meta">({esc(labels["level_" + level])})</span></h2>'
            f'{count_line(tally, labels)}{memo_links(memos.for_code(code["id"]), labels)}'
            f'{document_lists(anchor, codings, codings.rows("code", code["id"]), tally, labels)}'
            f'</section>')


def contrary_list(anchor: str, kind: str, listed: ContraryList, node: str,
                  code_rows: PrintedCodings, labels: dict) -> str:
    """The contrary documents of one kind (``listed``), each with the codings of the end that
    is present (``node``, whose rows of the contrary documents are in ``code_rows``)."""
    shown = listed.first
    codings_of: dict[str, list[str]] = {doc: [] for doc in shown}
    source_of = {}
    for row in code_rows.rows("code", node):
        doc = code_rows.doc_id[row]
        if doc in codings_of:
            codings_of[doc].append(code_rows.coding(row))
        source_of[doc] = code_rows.source_type[row]
    items = "".join(document_item(doc, source_of.get(doc, ""), codings_of[doc], labels)
                    for doc in shown)
    return (f'<h3>{esc(labels["ex_" + kind])} ({listed.total})</h3>'
            f'{capped_note(len(shown), listed.total, labels)}'
            f'<ol class="docs contrary" id="{anchor}-{kind}">{items}</ol>')


def edge_section(edge: dict, codings: PrintedCodings, tally: ItemTally,
                 contrary: dict[str, ContraryList], counted: dict, code_rows: PrintedCodings,
                 book: Codebook, labels: dict, language: str, memos: MemoIndex) -> str:
    """The section of one model edge: supporting documents (its shown rows are in
    ``codings``), then contrary cases (``contrary``: kind -> its list, ``code_rows`` the
    codings of the contrary documents shown; ``counted`` is the mechanisms stage's count and
    flag of the edge)."""
    source, target = edge["from"], edge["to"]
    anchor = edge_anchor(source, target)
    key = f"{source}->{target}"
    relation = edge.get("relation_en") or edge.get("relation", "") if language == "en" \
        else edge.get("relation", "")
    role_label = {"source": source, "target": target}
    n_contrary = counted["n_contrary"]
    flag = (f' <span class="flag">{esc(labels["ex_contrary_flag"])}</span>'
            if counted["outnumbered"] else "")
    contrary_html = "".join(
        contrary_list(anchor, kind, contrary.get(kind, NO_CONTRARY),
                      source if kind == "source_only" else target, code_rows, labels)
        for kind in CONTRARY_KINDS)
    # The contrary cases sit in a section of their own, so that the edge's own section lists
    # exactly its supporting documents (the count that links to it).
    return (f'<section class="item" id="{anchor}" data-level="edge">'
            f'<h2>{esc(source)} {esc(label_of(book.by_id[source], language))} → {esc(target)} '
            f'{esc(label_of(book.by_id[target], language))} <span class="meta">({esc(relation)})'
            f'</span></h2>{count_line(tally, labels)}'
            f'<p class="count">{esc(labels["ex_contrary_count"].format(n=n_contrary))}{flag}</p>'
            f'{memo_links(memos.for_edge(key), labels)}'
            f'{document_lists(anchor, codings, codings.rows("edge", key), tally, labels, role_label)}'
            f'</section><section class="contrary" id="{anchor}-contrary">{contrary_html}</section>')


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


class ContraryList(NamedTuple):
    """The contrary documents of one edge and kind: how many, and the first the page shows."""

    total: int
    first: list[str]


NO_CONTRARY = ContraryList(0, [])


def read_contrary_lists(path: str | Path, cap: int,
                        rows: int = BATCH_ROWS) -> dict[str, dict[str, ContraryList]]:
    """Edge key ('A->B') -> kind -> its contrary documents in negative_cases.csv at ``path``:
    how many, and the first ``cap`` in file order. Read ``rows`` rows at a time, so that memory
    holds a batch rather than the table (4.4 million rows at a million posts), and counted by
    Arrow; only the documents shown become Python strings."""
    totals: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], list[str]] = {}
    for batch in contracts.read_csv_record_batches(
            "negative_cases", path, contracts.columns("negative_cases"), rows):
        table = pa.Table.from_batches([batch])
        counted = table.group_by(["edge", "kind"], use_threads=False).aggregate(
            [("doc_id", "count", pc.CountOptions(mode="all"))])
        for edge, kind, n in zip(*(counted[c].to_pylist() for c in ("edge", "kind",
                                                                     "doc_id_count"))):
            totals[edge, kind] = totals.get((edge, kind), 0) + n
            room = cap - len(first.setdefault((edge, kind), []))
            if room > 0:
                mine = pc.and_(pc.equal(table["edge"], edge), pc.equal(table["kind"], kind))
                first[edge, kind] += table["doc_id"].filter(mine)[:room].to_pylist()
    lists: dict[str, dict[str, ContraryList]] = {}
    for (edge, kind), total in totals.items():
        lists.setdefault(edge, {})[kind] = ContraryList(total, first[edge, kind])
    return lists


def contrary_documents(contrary: dict[str, dict[str, ContraryList]],
                       model: dict) -> dict[str, set[str]]:
    """Code id -> the contrary documents the explorer shows under it (``contrary``: the
    :func:`read_contrary_lists`): per model edge and kind, the first of negative_cases.csv, under
    the end that is present."""
    wanted: dict[str, set[str]] = {}
    for edge in model.get("edges", []):
        mine = contrary.get(f"{edge['from']}->{edge['to']}", {})
        for kind in CONTRARY_KINDS:
            node = edge["from"] if kind == "source_only" else edge["to"]
            wanted.setdefault(node, set()).update(mine.get(kind, NO_CONTRARY).first)
    return wanted


def explorer_html(*, evidence: EvidenceDigest, contrary_docs: dict[str, dict[str, ContraryList]],
                  contrary: dict[str, dict], book: Codebook, model: dict, memos: MemoIndex,
                  memo_bodies: dict[str, str], labels: dict, language: str, title: str, cap: int,
                  evidence_source: str, negative_source: str) -> str:
    """The whole explorer page; ``evidence`` is evidence.csv's digest read with ``cap`` and
    :func:`contrary_documents`, ``contrary_docs`` negative_cases.csv's
    :func:`read_contrary_lists` (with ``cap``),
    ``contrary`` the mechanisms summary's per-edge contrary count and flag."""
    shown = PrintedCodings.of(evidence.shown)
    code_rows = PrintedCodings.of(evidence.contrary)
    sections, index = [], []
    levels = {"main_category": book.main_categories, "category": book.categories,
              "concept": book.concepts}
    for level in LEVEL_ORDER:
        for code in levels[level]:
            sections.append(code_section(code, level, shown, evidence.tally("code", code["id"]),
                                         labels, language, memos))
            index.append(f'<a href="#{code_anchor(code["id"])}">{esc(code["id"])} '
                         f'{esc(label_of(code, language))}</a>')
    for edge in model.get("edges", []):
        key = f"{edge['from']}->{edge['to']}"
        sections.append(edge_section(edge, shown, evidence.tally("edge", key),
                                     contrary_docs.get(key, {}), contrary[key], code_rows, book,
                                     labels, language, memos))
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


#: How a memo's Markdown is read: raw HTML in it is shown as text.
MEMO_MARKDOWN = "markdown-raw_html-raw_attribute-smart"
#: Pandoc's Lua: a JSON list of memo bodies (stdin) to a JSON list of HTML fragments, each as
#: ``pandoc -f MEMO_MARKDOWN -t html5 --wrap=none`` writes one body (with its final newline).
MEMOS_TO_HTML = ('local bodies = pandoc.json.decode(io.read("a"), false) local html = {} '
                 'for i, body in ipairs(bodies) do html[i] = pandoc.write(pandoc.read(body, "'
                 + MEMO_MARKDOWN + '"), "html5", {wrap_text = "none"}) .. "\\n" end '
                 'io.write(pandoc.json.encode(html))')


def memo_bodies_html(bodies: list[str]) -> list[str]:
    """Memos' Markdown bodies as HTML, raw HTML in them shown as text; one pandoc process for
    all (each took one, and pandoc takes about 60 ms to start)."""
    if not bodies:
        return []
    # Tabs to spaces (stops of 4), as pandoc's command line does before reading.
    result = subprocess.run([pandoc_path(), "lua", "-e", MEMOS_TO_HTML],
                            input=json.dumps([body.expandtabs(4) for body in bodies]),
                            text=True, capture_output=True, check=False)
    if result.returncode != 0:
        raise InputError(None, f"pandoc could not read a memo body: {result.stderr.strip()[:300]}")
    # As text read from pandoc's output would be: its line ends made "\n".
    return [fragment.replace("\r\n", "\n").replace("\r", "\n")
            for fragment in json.loads(result.stdout)]
