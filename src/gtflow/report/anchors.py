"""The evidence page's anchors, which the report's .qmd links to. A module of their own so that
writing the .qmd does not load the page's code (and pandas)."""

from __future__ import annotations


def code_anchor(code_id: str) -> str:
    """The explorer's anchor of a code (codebook ids are letters, digits, '.', '_', '-')."""
    return f"code-{code_id}"


def edge_anchor(source: str, target: str) -> str:
    """The explorer's anchor of a model edge."""
    return f"edge-{source}-{target}"
