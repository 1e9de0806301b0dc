"""Roster: .sav and .dta via pyreadstat (value labels applied), .csv; pseudonyms; errors."""

from __future__ import annotations

import pandas as pd
import pytest

from gtflow.errors import InputError
from gtflow.ingest.roster import ingest_roster, load_known_respondents, read_roster

PEOPLE = pd.DataFrame({"respondent_id": ["R02", "R01"], "name": ["李娟", "罗志强"],
                       "aliases": ["", "罗委员"], "role": [4, 2]})
ROLE_LABELS = {"role": {2: "乡镇干部 township cadre", 4: "网格员 grid worker"}}


@pytest.fixture
def roster_csv(tmp_path):
    """A three-person roster as CSV."""
    path = tmp_path / "respondents.csv"
    path.write_text("respondent_id,name,aliases,role\nR01,罗志强,罗委员,cadre\n"
                    "R02,李娟,,grid\nR03,杨帆,杨经理,vendor\n", encoding="utf-8")
    return path


def test_sav_with_value_labels(tmp_path):
    import pyreadstat

    path = tmp_path / "respondents.sav"
    pyreadstat.write_sav(PEOPLE, str(path), column_labels=["编号", "姓名", "别称", "角色"],
                         variable_value_labels=ROLE_LABELS)
    frame, labels = read_roster(path)
    assert frame["respondent_id"].tolist() == ["R01", "R02"]  # sorted by id
    assert frame["role"].tolist() == ["乡镇干部 township cadre", "网格员 grid worker"]
    assert labels["name"] == "姓名"


def test_dta_with_value_labels(tmp_path):
    import pyreadstat

    path = tmp_path / "respondents.dta"
    frame = PEOPLE.assign(name=["Li Juan", "Luo Zhiqiang"], aliases=["", "Luo"])
    pyreadstat.write_dta(frame, str(path), variable_value_labels={"role": {2: "cadre", 4: "grid"}})
    read, _ = read_roster(path)
    assert read["role"].tolist() == ["cadre", "grid"]
    assert read["name"].tolist() == ["Luo Zhiqiang", "Li Juan"]


def test_csv_roster_and_split_outputs(tmp_path, roster_csv):
    private, public, labels = tmp_path / "p.parquet", tmp_path / "r.parquet", tmp_path / "l.json"
    ingest_roster(roster_csv, private, public, labels)
    private_frame, public_frame = pd.read_parquet(private), pd.read_parquet(public)
    assert private_frame["pseudonym"].tolist() == ["[P01]", "[P02]", "[P03]"]
    assert "name" not in public_frame and "aliases" not in public_frame
    assert "罗志强" not in public_frame.to_csv() and "罗委员" not in public_frame.to_csv()
    assert load_known_respondents(private) == {"R01", "R02", "R03"}
    assert load_known_respondents(None) is None


def test_demo_roster_reads():
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "data" / "raw" / "respondents.sav"
    frame, _ = read_roster(path)
    assert len(frame) == 26 and frame["years_in_post"].iloc[0] == "12"


@pytest.mark.parametrize(("text", "message", "line", "record"), [
    ("respondent_id,aliases\nR01,x\n", "lacks the column.*name", 1, None),
    ("respondent_id,name\nR01,甲\n,乙\n", "empty respondent_id", None, 2),
    ("respondent_id,name\nR01,甲\nR02,\n", "'R02' has an empty name", None, 2),
    ("respondent_id,name\nR01,甲\nR02,乙\nR01,丙\n", "'R01' appears twice", None, 3),
])
def test_roster_errors(tmp_path, text, message, line, record):
    path = tmp_path / "respondents.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        read_roster(path)
    assert (error.value.line, error.value.record) == (line, record)


def test_unreadable_sav(tmp_path):
    path = tmp_path / "respondents.sav"
    path.write_bytes(b"$FL2 not really a sav file")
    with pytest.raises(InputError, match="could not be read as .sav"):
        read_roster(path)
