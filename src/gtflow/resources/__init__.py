"""Files that ship inside the gtflow package: the JSON Schemas (``schemas/``), the report's
templates and labels (``templates/``) and the skeleton of a new study (``study_template/``).

They are found through :mod:`importlib.resources`, so a wheel or a non-editable install finds
them as well as a checkout does; nothing looks for them relative to a repository.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_dir(name: str) -> Path:
    """A folder of the package data as a file-system path.

    Snakemake inputs, jinja2's loader and file copies need real paths; pip unpacks every wheel,
    so an installed gtflow always has them (a zipped import would not, and is refused here).
    """
    folder = files(__name__) / name
    if not isinstance(folder, Path) or not folder.is_dir():
        raise RuntimeError(f"gtflow's package data '{name}' is not a folder on disk: {folder}")
    return folder


def schema_dir() -> Path:
    """The JSON Schemas (YAML, draft 2020-12) of config, codebook and model."""
    return resource_dir("schemas")


def template_dir() -> Path:
    """The report's jinja2 templates, its CSS and the label files (labels.en/zh.yaml)."""
    return resource_dir("templates")


def study_template_dir() -> Path:
    """The codebook, model and data card that `gtflow init` copies into a new study."""
    return resource_dir("study_template")
