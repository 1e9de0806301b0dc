"""The files the report reads: finished results (by their declared table names) and study files.

:class:`ReportInputs` names every path explicitly, so the report does not depend on how a
workflow rule calls its inputs; the rule's input names are the field names, and
:meth:`ReportInputs.from_mapping` picks them out of anything that maps names to paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ReportInputs:
    """Paths of everything the report shows. Table fields are named as in gtflow.contracts."""

    documents: str
    segments: str
    duplicates: str
    codings: str
    anchoring: str
    agreement: str
    disagreements: str
    reliability_summary: str
    curves: str
    holdout: str
    holdout_reference: str
    guest_sensitivity: str
    saturation_summary: str
    case_by_main_category: str
    cooccurrence: str
    nodes: str
    edges: str
    quotes: str
    concept_quotes: str
    recommendations: str
    mechanisms_summary: str
    validity: str
    rule_audit: str
    rule_phrases: str
    review: str
    codebook: str
    model: str
    config_file: str
    #: The public roster; None for a study without one.
    respondents: str | None = None
    #: The data card (data/README.md); None when the study has none.
    data_card: str | None = None
    manual: tuple[str, ...] = ()
    #: Raw files that are not documents (roster, page manifest), checksummed in the appendix.
    raw_side: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, paths: Mapping[str, Any]) -> ReportInputs:
        """The inputs from a name -> path(s) mapping (extra names are ignored).

        An optional single path may come as a list of zero or one paths (Snakemake's way of
        writing an input that a study may lack).
        """
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in paths:
                continue
            value = paths[field.name]
            if field.name in ("manual", "raw_side"):
                values[field.name] = tuple(str(p) for p in value)
            elif isinstance(value, (str, Path)):
                values[field.name] = str(value)
            else:
                items = [str(p) for p in value]
                values[field.name] = items[0] if items else None
        return cls(**values)

    def sources(self) -> dict[str, str]:
        """Every single input path by name: what the report's captions cite."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), str)}
