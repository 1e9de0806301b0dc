"""The report's Markdown (.qmd) from the jinja2 templates, the labels and the context.

Escaping: autoescape is off (the output is Markdown, not HTML), but every string of the context
is wrapped as :class:`Data` when loaded, and the environment's ``finalize`` hook sends every
``{{ }}`` value that is data (or a number) through :func:`~gtflow.report.escape.escape_markdown`
— the one escaping path. Label strings and the results of the formatting helpers are
:class:`~gtflow.report.escape.Markdown` and pass unchanged; so nothing is escaped twice and no
data value can skip escaping because a template forgot a filter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from gtflow.config import load_yaml
from gtflow.errors import InputError
from gtflow.report.anchors import code_anchor, edge_anchor
from gtflow.report.escape import Markdown, escape_markdown, escape_memo_markdown


class Data(str):
    """A string that came from data and must be escaped before it reaches the Markdown."""


def as_data(value: Any) -> Any:
    """Wrap every string inside a JSON-like value as :class:`Data` (keys stay plain)."""
    if isinstance(value, dict):
        return {k: as_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_data(v) for v in value]
    if isinstance(value, str):
        return Data(value)
    return value


def finalize(value: Any) -> Any:
    """Escape what a template prints unless it is already Markdown or template text."""
    if isinstance(value, Markdown):
        return value
    if isinstance(value, Data) or not isinstance(value, str):
        return escape_markdown(value)
    return value  # macro output and literals written in the template itself


def load_labels(path: str | Path) -> dict[str, Markdown]:
    """A label file: key -> trusted Markdown string."""
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(path, "must map label keys to strings")
    return {str(k): Markdown(str(v).strip()) for k, v in raw.items()}


def check_labels(labels: dict[str, Markdown], reference: dict[str, Markdown], path: str) -> None:
    """Both languages must define the same keys, or one report would fail to render."""
    missing = sorted(set(reference) - set(labels))
    if missing:
        raise InputError(path, "lacks label(s) " + ", ".join(missing))


def make_environment(template_dir: str | Path, language: str, labels: dict) -> jinja2.Environment:
    """The jinja2 environment of the report templates (strict undefined, escaping finalize)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)), autoescape=False,
        extensions=["jinja2.ext.do"],
        undefined=jinja2.StrictUndefined, finalize=finalize, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True,
        # Why: "{#" opens pandoc attributes such as {#sec-method}, so comments use "{## ##}".
        comment_start_string="{##", comment_end_string="##}")
    na = labels.get("na", Markdown("n/a"))

    def pick(item: dict, field: str) -> Markdown:
        """A field in the report language: ``<field>_en`` for English when present."""
        english = item.get(f"{field}_en") if language == "en" else None
        return escape_markdown(english if english else item.get(field, ""))

    def num(value: Any) -> Markdown:
        """A count (n/a when unknown)."""
        if value is None or value == "":
            return na
        return escape_markdown(f"{int(value):,}" if language == "en" else f"{int(value)}")

    def dec(value: Any, places: int = 2) -> Markdown:
        """A decimal with fixed places (n/a when unknown)."""
        if value is None or value == "":
            return na
        return escape_markdown(f"{float(value):.{places}f}")

    def pct(value: Any, places: int = 1) -> Markdown:
        """A share as a percentage (n/a when unknown)."""
        if value is None or value == "":
            return na
        return escape_markdown(f"{100 * float(value):.{places}f}%")

    def fill(label: str, **values: Any) -> Markdown:
        """A label sentence with its {placeholders} filled by escaped values."""
        safe = {k: (na if v is None else num(v) if isinstance(v, int) and not isinstance(v, bool)
                    else finalize(v)) for k, v in values.items()}
        try:
            return Markdown(str(label).format(**safe))
        except (KeyError, IndexError) as error:
            raise ValueError(f"label {label[:40]!r} needs a value for {error}") from None

    def join(values: Any, separator: str = ", ") -> Markdown:
        """Join values, each escaped (replaces jinja's own join)."""
        return Markdown(separator.join(finalize(v) for v in values))

    def slug(value: Any) -> Markdown:
        """A safe HTML id fragment."""
        return Markdown(re.sub(r"[^a-z0-9-]+", "-", str(value).lower()).strip("-") or "x")

    def yaml_string(value: Any) -> Markdown:
        """A YAML double-quoted string holding the escaped Markdown of a value."""
        return Markdown(json.dumps(str(finalize(value)), ensure_ascii=False))

    def evidence_href(item: Any, explorer: Any, suffix: str = "") -> Markdown:
        """Link target of a code id or an edge ("A->B") in the evidence explorer page."""
        text = str(item)
        anchor = edge_anchor(*text.split("->", 1)) if "->" in text else code_anchor(text)
        return Markdown(quote(f"{explorer}#{anchor}{suffix}", safe="#-_.~"))

    def href(value: Any) -> Markdown:
        """A relative link target (a file name beside the report), percent-encoded."""
        return Markdown(quote(str(value), safe="#-_.~/"))

    def memo_markdown(body: Any) -> Markdown:
        """A memo's Markdown body, made safe to embed (see escape_memo_markdown)."""
        return escape_memo_markdown(str(body))

    env.filters.update(tr=pick, fill=fill, join=join, slug=slug, yaml=yaml_string,
                       evidence_href=evidence_href, href=href, memo_markdown=memo_markdown)
    env.globals.update(num=num, dec=dec, pct=pct, L=labels)
    return env


def render_qmd(context: dict, template_dir: str | Path, language: str,
               template: str = "report.qmd.j2") -> str:
    """The report's Markdown for one language."""
    template_dir = Path(template_dir)
    labels = load_labels(template_dir / f"labels.{language}.yaml")
    reference = load_labels(template_dir / "labels.en.yaml")
    check_labels(labels, reference, str(template_dir / f"labels.{language}.yaml"))
    env = make_environment(template_dir, language, labels)
    data = as_data(context)
    study = context["study"]
    title = study.get("title_en") if language == "en" and study.get("title_en") \
        else study.get("title", "")
    try:
        text = env.get_template(template).render(**data, title=Data(title))
    except jinja2.UndefinedError as error:
        raise InputError(template_dir / template, f"uses a value the context lacks ({error})") \
            from None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
