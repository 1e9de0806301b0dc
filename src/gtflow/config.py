"""Study configuration: load config/config.yaml, validate it against the schema, fill defaults."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from gtflow.errors import InputError

#: The workflow's schemas travel with the repository, beside the Snakefile.
REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "workflow" / "schemas"


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file; a syntax error becomes an InputError naming the line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(path, f"is not valid YAML ({problem})", line=line) from None
    except ValueError as error:  # an impossible date such as 2021-13-01, which PyYAML builds
        raise InputError(path, f"holds a value YAML cannot read ({error})") from None


def load_schema(name: str) -> dict:
    """Load one of the workflow's JSON Schemas (YAML) by file name."""
    return load_yaml(SCHEMA_DIR / name)


def fill_defaults(schema: dict, value: Any) -> Any:
    """Return ``value`` with every missing object property set to its schema default, recursively."""
    if schema.get("type") != "object" or not isinstance(value, dict):
        return value
    filled = dict(value)
    for key, subschema in schema.get("properties", {}).items():
        if key not in filled and "default" in subschema:
            filled[key] = copy.deepcopy(subschema["default"])
        if key in filled:
            filled[key] = fill_defaults(subschema, filled[key])
    return filled


def validate_against(schema: dict, value: Any, path: str | Path) -> None:
    """Validate ``value``; the first error becomes an InputError naming the key."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise InputError(path, f"key '{where}': {error.message}")


def complete_config(raw: dict | None, path: str | Path = "config/config.yaml") -> dict:
    """Validate a study's configuration and fill in the defaults."""
    schema = load_schema("config.schema.yaml")
    raw = raw or {}
    validate_against(schema, raw, path)
    return fill_defaults(schema, raw)


def load_config(path: str | Path) -> dict:
    """Load, validate and complete a study's config/config.yaml."""
    return complete_config(load_yaml(path), path)


#: Configuration keys whose values identify persons: never copied into results or reports.
IDENTIFYING_KEYS = (("clean", "extra_names"),)


def public_settings(config: dict) -> dict:
    """A copy of the configuration without the keys that hold names of persons."""
    public = copy.deepcopy(config)
    for section, key in IDENTIFYING_KEYS:
        if isinstance(public.get(section), dict) and key in public[section]:
            public[section][key] = f"({len(public[section][key])} names, withheld)"
    return public
