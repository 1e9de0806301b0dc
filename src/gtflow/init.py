"""Scaffold a new study folder: `gtflow init STUDY`."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from gtflow.config import complete_config
from gtflow.errors import InputError
from gtflow.io import write_text
from gtflow.resources import study_template_dir

DATA_FOLDERS = ("data/raw/interviews", "data/raw/web/pages", "data/raw/web/posts", "data/coding")


def init_study(study: str | Path, name: str | None = None) -> list[Path]:
    """Create config/ (defaults filled in), a codebook and model to fill in, and empty data folders.

    Refuses to overwrite an existing config; returns the created paths.
    """
    study = Path(study)
    config_path = study / "config" / "config.yaml"
    if config_path.exists():
        raise InputError(config_path, "already exists; gtflow init only creates new studies")
    stem = name or "".join(c if c.isalnum() or c in "_-" else "_" for c in study.resolve().name)
    config = complete_config({"study": {"name": f"{stem}_report", "title": stem, "title_en": stem}})
    created = []
    (study / "config").mkdir(parents=True, exist_ok=True)
    write_text(config_path, "# Study configuration; every key is described in gtflow's "
               "config/README.md.\n" + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    created.append(config_path)
    for name_, target in (("codebook.yaml", "config/codebook.yaml"), ("model.yaml", "config/model.yaml"),
                          ("README.md", "data/README.md")):
        destination = study / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if not destination.exists():
            shutil.copyfile(study_template_dir() / name_, destination)
            created.append(destination)
    for folder in DATA_FOLDERS:
        (study / folder).mkdir(parents=True, exist_ok=True)
        keep = study / folder / ".gitkeep"
        keep.touch()
        created.append(keep)
    return created
