"""The report's context: every number, table and quote the report shows, as one JSON document.

Each section of the report is one module of :mod:`gtflow.report.sections` with a ``build``
function that reads finished results (through :class:`~gtflow.report.results.Results`, which
reads every table through its declaration in :mod:`gtflow.contracts`) and returns its part of
the context. Nothing here analyses: counts, flags, quotes and story lines come from the stages.

The context is language-neutral (codebook labels in both languages travel together); the
template picks the language. Every table in the context remembers the results file it came
from (``sources`` and the sections' ``*source`` keys), so the report cites it under the table.

To add a section: write ``sections/<name>.py`` with ``build(results)``, list it in
:data:`SECTIONS`, and add ``workflow/templates/sections/<name>.qmd.j2`` to the report template.
"""

from __future__ import annotations

from types import ModuleType

from gtflow.report.inputs import ReportInputs
from gtflow.report.results import Results
from gtflow.report.sections import (
    appendix,
    audit_trail,
    banner,
    coding,
    mechanisms,
    method,
    model,
    overview,
    recommendations,
    reliability,
    saturation,
    storyline,
    study,
    validity,
)

#: Context key -> the section module that builds it, in report order.
SECTIONS: dict[str, ModuleType] = {
    "study": study,
    "banner": banner,
    "overview": overview,
    "method": method,
    "coding": coding,
    "reliability": reliability,
    "saturation": saturation,
    "mechanisms": mechanisms,
    "model": model,
    "storyline": storyline,
    "recommendations": recommendations,
    "appendix": appendix,
    "validity": validity,
    "audit": audit_trail,
}


def build_context(inputs: ReportInputs, config: dict) -> dict:
    """Everything the report shows, from the files named in ``inputs``."""
    return context_of(Results(inputs, config))


def context_of(results: Results) -> dict:
    """Everything the report shows, read through ``results`` (which keeps each table it read,
    so that the figures drawn next need not read them again)."""
    context: dict = {"sources": results.inputs.sources()}
    for key, section in SECTIONS.items():
        context[key] = section.build(results)
    return context
