"""Render the report's .qmd to one self-contained HTML file (Quarto or pandoc) and optionally PDF.

* Quarto when ``renderer`` is ``quarto``, or ``auto`` and ``quarto`` is on PATH.
* Otherwise pandoc 3 from the pypandoc-binary wheel (Debian's pandoc 2.17 lacks
  ``--embed-resources`` and the Typst writer). The Markdown is read with ``-f markdown-smart``
  because pandoc's smart quotes turn ``"创新"`` after a CJK character into two closing quotes.
* PDF: pandoc writes Typst, the ``typst`` wheel compiles it. Typst without a CJK font prints
  boxes, so a CJK font is found first (config ``report.cjk_font`` or fontconfig) and its absence
  is an error with a remedy.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from gtflow.errors import ConfigError, InputError
from gtflow.io import atomic_path

log = logging.getLogger(__name__)

#: Front-matter keys pandoc uses; the rest (format:, execute:, ...) are Quarto's own.
PANDOC_METADATA_KEYS = ("title", "subtitle", "author", "date", "lang", "abstract")
#: Typst rules added to pandoc's template. Pandoc puts each table in a figure, and a Typst
#: figure never breaks across pages: a long table ran past the page foot and its last rows
#: were printed on top of one another. Breakable table figures continue on the next page
#: (with the header row repeated). Long unbroken strings (paths, checksums) may wrap anywhere.
TYPST_PRINT_RULES = ("#show figure.where(kind: table): set block(breakable: true)\n"
                     "#set table(inset: 4pt)\n"
                     "#show table: set text(size: 8pt)\n"
                     "#show table: set par(justify: false)")
#: Preferred CJK families, best first, when fontconfig offers several.
PREFERRED_CJK = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC",
                 "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "AR PL UMing CN")


def pandoc_path() -> str:
    """The pandoc executable of the pypandoc-binary wheel."""
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as error:
        raise ConfigError("report.renderer", "pandoc is not available: install the "
                          f"pypandoc-binary package ({error})") from None


def choose_renderer(renderer: str) -> str:
    """'quarto' or 'pandoc' for the configured ``auto | quarto | pandoc``."""
    if renderer not in ("auto", "quarto", "pandoc"):
        raise ConfigError("report.renderer", f"must be auto, quarto or pandoc, not {renderer!r}")
    has_quarto = shutil.which("quarto") is not None
    if renderer == "quarto" and not has_quarto:
        raise ConfigError("report.renderer", "is quarto, but quarto is not on PATH; install "
                          "Quarto or set report.renderer to auto or pandoc")
    return "quarto" if renderer == "quarto" or (renderer == "auto" and has_quarto) else "pandoc"


def split_front_matter(text: str) -> tuple[dict, str]:
    """(YAML front matter, body) of a Markdown document."""
    match = re.match(r"\A---\n(.*?)\n---\n", text, flags=re.DOTALL)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end():]


def pandoc_markdown(qmd_text: str) -> str:
    """The .qmd with only the front-matter keys pandoc needs (Quarto's format: block removed)."""
    meta, body = split_front_matter(qmd_text)
    kept = {k: meta[k] for k in PANDOC_METADATA_KEYS if k in meta}
    # JSON scalars are valid YAML and keep the (already escaped) Markdown exactly.
    header = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n"
                     for key, value in kept.items())
    return (f"---\n{header}---\n" if kept else "") + body


def run_pandoc(arguments: list[str], source: str, cwd: str | Path, document: str | Path) -> None:
    """Run pandoc with ``source`` (the text of ``document``) on stdin; a failure becomes an
    InputError naming ``document``, with pandoc's message."""
    result = subprocess.run([pandoc_path(), *arguments], input=source, text=True,
                            capture_output=True, cwd=cwd, check=False)
    if result.stderr.strip():
        log.warning("pandoc: %s", result.stderr.strip())
    if result.returncode != 0:
        raise InputError(document, f"pandoc failed (exit {result.returncode}): "
                         f"{result.stderr.strip()[:500]}")


def render_html_pandoc(qmd: str | Path, css: str | Path | None, out: str | Path) -> None:
    """One self-contained HTML file via pandoc (figures and CSS embedded)."""
    qmd, out = Path(qmd).resolve(), Path(out).resolve()
    source = pandoc_markdown(qmd.read_text(encoding="utf-8"))
    with atomic_path(out) as tmp:
        arguments = ["-f", "markdown-smart", "-t", "html5", "--standalone", "--embed-resources",
                     "--toc", "--toc-depth=2", "--wrap=none", "--section-divs",
                     f"--resource-path={qmd.parent}", "-o", str(tmp)]
        if css:
            arguments.append(f"--css={Path(css).resolve()}")
        run_pandoc(arguments, source, qmd.parent, qmd)


def render_html_quarto(qmd: str | Path, css: str | Path | None, out: str | Path) -> None:
    """One self-contained HTML file via Quarto (``embed-resources`` is set in the .qmd)."""
    qmd, out = Path(qmd).resolve(), Path(out).resolve()
    arguments = ["quarto", "render", str(qmd), "--to", "html", "--output", out.name]
    if css:
        arguments += ["-M", f"css:{os.path.relpath(Path(css).resolve(), qmd.parent)}"]
    result = subprocess.run(arguments, capture_output=True, text=True, cwd=qmd.parent,
                            check=False)
    if result.returncode != 0:
        raise InputError(qmd, f"quarto render failed: {result.stderr.strip()[:500]}")
    produced = qmd.parent / out.name
    if produced != out:
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(produced, out)


def render_html(qmd: str | Path, out: str | Path, renderer: str = "auto",
                css: str | Path | None = None) -> str:
    """Render the report's HTML with the chosen renderer; returns the renderer used."""
    chosen = choose_renderer(renderer)
    if chosen == "quarto":
        render_html_quarto(qmd, css, out)
    else:
        render_html_pandoc(qmd, css, out)
    log.info("rendered %s with %s", out, chosen)
    return chosen


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

def fontconfig(arguments: list[str]) -> list[str]:
    """Lines printed by a fontconfig tool (empty when fontconfig is not installed)."""
    try:
        result = subprocess.run(arguments, capture_output=True, text=True, timeout=60,
                                check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def cjk_fonts() -> list[tuple[str, str]]:
    """(family, file) of every font fontconfig says covers Chinese."""
    found = []
    for line in fontconfig(["fc-list", ":lang=zh", "family", "file"]):
        file, _, families = line.partition(": ")
        if families:
            found.append((families.split(",")[0].strip(), file.strip()))
    return sorted(set(found))


def find_cjk_font(configured: str = "") -> tuple[str, list[str]]:
    """(family, font directories) for Typst; a ConfigError naming report.cjk_font when none is usable."""
    remedy = ("install a CJK font (Debian: apt-get install fonts-noto-cjk) or set "
              "report.cjk_font in config/config.yaml to a font file or family name")
    if configured:
        path = Path(configured)
        if path.is_file():
            families = fontconfig(["fc-scan", "--format", "%{family[0]}\n", str(path)])
            if not families:
                raise ConfigError("report.cjk_font", f"{configured!r}: the font's family name "
                                  "could not be read (fontconfig's fc-scan is needed); give the "
                                  "family name instead")
            return families[0], [str(path.parent)]
        matches = [(family, file) for family, file in cjk_fonts() if family == configured]
        if not matches:
            matches = [(configured, line.partition(": ")[0]) for line in
                       fontconfig(["fc-list", configured, "file"])]
        if not matches:
            raise ConfigError("report.cjk_font", f"{configured!r} is neither a font file nor a "
                              f"font fontconfig knows; {remedy}")
        return configured, sorted({str(Path(f.rstrip(':')).parent) for _, f in matches})
    fonts = cjk_fonts()
    if not fonts:
        raise ConfigError("report.cjk_font", "PDF output needs a font with Chinese glyphs and "
                          f"none was found (fc-list :lang=zh lists none); {remedy}")
    rank = {name: i for i, name in enumerate(PREFERRED_CJK)}
    family = min((f for f, _ in fonts), key=lambda f: (rank.get(f, len(rank)), f))
    return family, sorted({str(Path(file).parent) for f, file in fonts if f == family})


def render_pdf(qmd: str | Path, out: str | Path, cjk_font: str = "") -> str:
    """PDF through pandoc → Typst → the typst wheel, with a checked CJK font; returns the font."""
    try:
        import typst
    except ImportError:
        raise ConfigError("report.formats", "pdf needs the typst package: pip install "
                          "'gtflow[pdf]' (or typst)") from None
    family, font_dirs = find_cjk_font(cjk_font)
    qmd, out = Path(qmd).resolve(), Path(out).resolve()
    source = pandoc_markdown(qmd.read_text(encoding="utf-8"))
    # Why beside the .qmd: Typst resolves the figures' relative paths from the .typ file.
    fd, typ_name = tempfile.mkstemp(prefix=f".{qmd.stem}.", suffix=".typ", dir=qmd.parent)
    os.close(fd)
    typ = Path(typ_name)
    try:
        run_pandoc(["-f", "markdown-smart", "-t", "typst", "--standalone", "--wrap=none",
                    "-V", f"mainfont={family}", "-V", f"header-includes={TYPST_PRINT_RULES}",
                    f"--resource-path={qmd.parent}", "-o", str(typ)],
                   source, qmd.parent, qmd)
        with atomic_path(out) as tmp:
            try:
                typst.compile(str(typ), output=str(tmp), root=str(qmd.parent),
                              font_paths=font_dirs)
            except (typst.TypstError, RuntimeError) as error:
                raise InputError(qmd, f"Typst could not compile the report: {error}") from None
    finally:
        typ.unlink(missing_ok=True)
    log.info("rendered %s with Typst, font %s", out, family)
    return family
