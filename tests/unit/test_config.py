"""Study configuration: defaults filled from the schema, errors naming the key, public copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtflow.config import complete_config, public_settings
from gtflow.errors import InputError


def test_missing_keys_take_the_schema_defaults():
    config = complete_config({"saturation": {"base_size": 6}})
    assert config["saturation"]["base_size"] == 6
    assert config["saturation"]["run_length"] == 2
    assert config["saturation"]["holdout"]["fraction"] == 0.15
    assert config["report"]["renderer"] == "auto"


@pytest.mark.parametrize("raw, key", [
    ({"saturation": {"threshold": 2}}, "saturation.threshold"),
    ({"report": {"language": "fr"}}, "report.language"),
    ({"study": {"name": "has space"}}, "study.name"),
    ({"reliabilty": {}}, "reliabilty"),
])
def test_invalid_values_name_the_key(raw, key):
    with pytest.raises(InputError) as caught:
        complete_config(raw, "config/config.yaml")
    assert f"key '{key}'" in caught.value.reason and caught.value.path == "config/config.yaml"


@pytest.mark.parametrize("raw, hint", [
    ({"reliabilty": {}}, "unknown key; did you mean 'reliability'?"),
    ({"saturation": {"base_sise": 6}}, "unknown key; did you mean 'base_size'?"),
    ({"report": {"language": "eng"}}, "did you mean 'en'?"),
    ({"zzz": 1}, "valid keys here: study,"),
    ({"saturation": []}, "expected a mapping {"),
])
def test_schema_errors_name_the_nearest_key_or_the_expected_shape(raw, hint):
    with pytest.raises(InputError) as caught:
        complete_config(raw, "config/config.yaml")
    assert hint in caught.value.reason


def test_the_expected_shape_is_described_from_the_schema():
    from gtflow.config import describe_shape

    layer = {"anyOf": [{"type": "string"}, {"type": "object", "required": ["id"],
                                            "properties": {"id": {}, "label": {}}}]}
    assert describe_shape(layer) == "text or a mapping {id (required), label}"
    assert describe_shape({"type": "array", "items": layer}) == \
        "a list, each item text or a mapping {id (required), label}"
    assert describe_shape({"enum": ["zh", "en"]}) == "one of zh, en"
    assert describe_shape({"type": ["integer", "null"]}) == "a whole number or nothing"


def test_public_settings_withhold_names_of_persons():
    config = complete_config({"clean": {"extra_names": ["赵六", "王小二"]}})
    public = public_settings(config)
    assert "赵六" not in str(public) and public["clean"]["extra_names"] == "(2 names, withheld)"
    assert config["clean"]["extra_names"] == ["赵六", "王小二"]  # the original is untouched


def test_an_impossible_date_in_a_yaml_file_is_an_input_error(tmp_path):
    from gtflow.config import load_yaml

    path = tmp_path / "model.yaml"
    path.write_text("layers: []\nwhen: 2021-13-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read") as caught:
        load_yaml(path)
    assert caught.value.path == str(path)


@pytest.mark.parametrize(("pattern", "problem"), [
    ("[0-9", "is not a valid regular expression (unterminated character set"),
    ("x*", "matches the empty string"),
])
def test_a_bad_extra_pattern_is_named_by_its_key(pattern, problem):
    raw = {"clean": {"extra_patterns": {"nhs_number": {"pattern": pattern, "placeholder": "[NHS]"}}}}
    with pytest.raises(InputError) as error:
        complete_config(raw)
    assert "key 'clean.extra_patterns.nhs_number.pattern'" in str(error.value)
    assert problem in str(error.value)


def test_extra_pattern_placeholders_must_look_like_placeholders():
    raw = {"clean": {"extra_patterns": {"us_ssn": {"pattern": r"\d{3}-\d{2}-\d{4}",
                                                    "placeholder": "SSN"}}}}
    with pytest.raises(InputError, match=r"key 'clean.extra_patterns.us_ssn.placeholder'"):
        complete_config(raw)
    raw["clean"]["extra_patterns"]["us_ssn"]["placeholder"] = "[SSN]"
    assert complete_config(raw)["clean"]["extra_patterns"]["us_ssn"]["placeholder"] == "[SSN]"
    assert complete_config({})["clean"]["phone_regions"] == []


def test_the_fast_yaml_loader_builds_what_the_python_one_builds():
    import yaml

    from gtflow.config import SAFE_LOADER, load_yaml
    from gtflow.resources import schema_dir

    repo = Path(__file__).resolve().parents[2]
    template = repo / "src" / "gtflow" / "resources" / "study_template"
    files = [*sorted((repo / "config").glob("*.yaml")), *sorted(schema_dir().glob("*.yaml")),
             *sorted(template.glob("*.yaml"))]
    assert len(files) >= 4
    for path in files:
        with open(path, encoding="utf-8") as handle:
            assert load_yaml(path) == yaml.load(handle, Loader=yaml.SafeLoader), path
    assert SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
