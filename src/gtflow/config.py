"""Study configuration: load config/config.yaml, validate it against the schema, fill defaults."""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from gtflow.errors import InputError
from gtflow.resources import schema_dir

if TYPE_CHECKING:
    import jsonschema

#: libyaml's parser where PyYAML was built with it (about 8x faster; every job reads the config,
#: the codebook and the schemas), else PyYAML's own; both build the same values.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file; a syntax error becomes an InputError naming the line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=SAFE_LOADER)
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
    """Load one of gtflow's JSON Schemas (YAML, package data) by file name."""
    return load_yaml(schema_dir() / name)


def fill_defaults(schema: dict, value: Any) -> Any:
    """Return ``value`` with every missing object property set to its schema default, recursively
    (into nested objects and into the objects of arrays)."""
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [fill_defaults(schema["items"], item) for item in value]
    if "properties" not in schema or not isinstance(value, dict):
        return value
    filled = dict(value)
    for key, subschema in schema.get("properties", {}).items():
        if key not in filled and "default" in subschema:
            filled[key] = copy.deepcopy(subschema["default"])
        if key in filled:
            filled[key] = fill_defaults(subschema, filled[key])
    return filled


def line_of(path: str | Path, keys: list) -> int | None:
    """1-based line of the YAML node reached by ``keys`` (dict keys and list indexes), or None."""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def describe_shape(schema: dict, nested: bool = False) -> str:
    """What a schema accepts, in words a researcher reads: 'text or a mapping {id (required),
    label, label_en}'. Lists name their items' shape one level deep."""
    for alternatives in ("anyOf", "oneOf"):
        if alternatives in schema:
            return " or ".join(describe_shape(part, nested) for part in schema[alternatives])
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    kinds = schema.get("type", "object" if "properties" in schema else "any value")
    if isinstance(kinds, list):
        return " or ".join(describe_shape({**schema, "type": kind}, nested) for kind in kinds)
    if kinds == "object" and schema.get("properties"):
        required = set(schema.get("required", []))
        keys = [f"{key} (required)" if key in required else key for key in schema["properties"]]
        return "a mapping {" + ", ".join(keys) + "}"
    if kinds == "array":
        items = schema.get("items")
        if isinstance(items, dict) and not nested:
            return "a list, each item " + describe_shape(items, nested=True)
        return "a list"
    return {"string": "text", "integer": "a whole number", "number": "a number",
            "boolean": "true or false", "object": "a mapping", "null": "nothing"}.get(kinds, kinds)


def explain_schema_error(error: jsonschema.ValidationError) -> tuple[list, str]:
    """The key path and the message for one schema error: an unknown key is named with the
    nearest valid key; a value of the wrong shape is shown the shape expected."""
    keys = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = list(error.schema.get("properties", {}))
        unknown = next(str(key) for key in error.instance if key not in known)
        nearest = difflib.get_close_matches(unknown, known, n=1, cutoff=0.6)
        hint = f"did you mean '{nearest[0]}'?" if nearest else "valid keys here: " + ", ".join(known)
        return keys + [unknown], f"unknown key; {hint}"
    if error.validator == "enum" and isinstance(error.instance, str):
        nearest = difflib.get_close_matches(error.instance, [str(v) for v in error.validator_value],
                                            n=1, cutoff=0.6)
        if nearest:
            return keys, f"{error.message}; did you mean '{nearest[0]}'?"
    if error.validator in ("anyOf", "oneOf"):
        # A value of the right kind (a mapping, say) is best told what is wrong inside it.
        inside = [sub for sub in error.context if sub.validator != "type" or sub.relative_path]
        if inside:
            return explain_schema_error(inside[0])
        shown = repr(error.instance)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return keys, f"{shown} does not fit; expected {describe_shape(error.schema)}"
    if error.validator in ("type", "required"):
        return keys, f"{error.message}; expected {describe_shape(error.schema)}"
    return keys, error.message


def validate_against(schema: dict, value: Any, path: str | Path, *, with_line: bool = False) -> None:
    """Validate ``value``; the first error becomes an InputError naming the key (and, for a
    YAML file given as ``path`` with ``with_line``, the key's line)."""
    # Imported here: a job that only reads YAML (the report's .qmd) need not load it.
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        keys, message = explain_schema_error(errors[0])
        where = ".".join(str(p) for p in keys) or "(top level)"
        raise InputError(path, f"key '{where}': {message}",
                         line=line_of(path, keys) if with_line else None)


def load_validated_yaml(path: str | Path, schema_name: str, shape: str) -> dict:
    """Load a YAML mapping, validate it against one of the workflow's schemas (errors name the
    key and its line) and fill in the defaults. ``shape`` says what the mapping must hold."""
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(path, f"must be a mapping with {shape}")
    schema = load_schema(schema_name)
    validate_against(schema, raw, path, with_line=True)
    return fill_defaults(schema, raw)


def complete_config(raw: dict | None, path: str | Path = "config/config.yaml") -> dict:
    """Validate a study's configuration and fill in the defaults."""
    schema = load_schema("config.schema.yaml")
    raw = raw or {}
    validate_against(schema, raw, path)
    check_extra_patterns(raw, path)
    return fill_defaults(schema, raw)


def check_extra_patterns(raw: dict, path: str | Path) -> None:
    """Every ``clean.extra_patterns`` regex compiles; a bad one is named by its key."""
    patterns = (raw.get("clean") or {}).get("extra_patterns") or {}
    for name, item in patterns.items():
        keys = ["clean", "extra_patterns", name, "pattern"]
        try:
            problem = "matches the empty string" if re.compile(item["pattern"]).fullmatch("") else ""
        except re.error as error:
            problem = f"is not a valid regular expression ({error})"
        if problem:
            raise InputError(path, f"key '{'.'.join(keys)}': {item['pattern']!r} {problem}")


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
