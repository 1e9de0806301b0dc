"""The respondent roster (.sav, .dta via pyreadstat with value labels applied, or .csv).

The roster holds names, so the full table goes only to ``private/``; the pipeline's results get
the de-identified attributes (role, level, ...) keyed by respondent id and pseudonym.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gtflow.contracts import read_table, write_table
from gtflow.errors import InputError
from gtflow.ingest.decode import read_text_file
from gtflow.io import write_json

REQUIRED_COLUMNS = ("respondent_id", "name")
IDENTIFYING_COLUMNS = ("name", "aliases")


def read_roster(path: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the roster table (strings, value labels applied) and its variable labels."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    suffix = path.suffix.lower()
    labels: dict[str, str] = {}
    if suffix in {".sav", ".dta"}:
        import pyreadstat

        reader = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
        try:
            frame, meta = reader(str(path), apply_value_formats=True)
        except Exception as error:  # noqa: BLE001 - pyreadstat raises its own ReadstatError and others
            raise InputError(path, f"could not be read as {suffix} ({error})") from None
        labels = {k: v for k, v in zip(meta.column_names, meta.column_labels) if v}
    elif suffix == ".csv":
        text, _ = read_text_file(path)
        from io import StringIO

        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    else:
        raise InputError(path, "is not a roster type gtflow reads (.sav, .dta, .csv)")
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path, f"lacks the column(s) {', '.join(missing)} (required: "
                         f"{', '.join(REQUIRED_COLUMNS)}; found: {', '.join(frame.columns)})",
                         line=1 if suffix == ".csv" else None)
    frame = frame.astype(object).where(frame.notna(), "")
    frame = frame.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
    for row_no, row in enumerate(frame.itertuples(index=False), start=1):
        if not row.respondent_id:
            raise InputError(path, "a respondent has an empty respondent_id", record=row_no)
        if not row.name:
            raise InputError(path, f"respondent '{row.respondent_id}' has an empty name",
                             record=row_no)
    duplicated = frame["respondent_id"].duplicated()
    if duplicated.any():
        row_no = int(duplicated.to_numpy().argmax()) + 1
        raise InputError(path, f"respondent_id '{frame['respondent_id'].iloc[row_no - 1]}' "
                         "appears twice", record=row_no)
    return frame.sort_values("respondent_id", kind="stable").reset_index(drop=True), labels


def pseudonym_for(index: int) -> str:
    """The stable pseudonym of the index-th respondent in respondent_id order."""
    return f"[P{index + 1:02d}]"


def ingest_roster(roster: str | Path, private_out: str | Path, public_out: str | Path,
                  labels_out: str | Path) -> None:
    """Split the roster into a private table (with names) and a de-identified public one."""
    frame, labels = read_roster(roster)
    # The declared order: id, pseudonym, name, then the roster's own variables as they come.
    frame = frame[["respondent_id", "name", *(c for c in frame.columns
                                             if c not in ("respondent_id", "name"))]]
    frame.insert(1, "pseudonym", [pseudonym_for(i) for i in range(len(frame))])
    write_table("roster", frame, private_out)
    public = frame.drop(columns=[c for c in IDENTIFYING_COLUMNS if c in frame.columns])
    write_table("respondents", public, public_out)
    write_json(labels_out, {k: v for k, v in labels.items() if k not in IDENTIFYING_COLUMNS})


def load_known_respondents(private_roster: str | Path | None) -> set[str] | None:
    """Respondent ids on the roster, or None when the study has no roster."""
    if not private_roster:
        return None
    return set(read_table("roster", private_roster)["respondent_id"])


__all__ = ["ingest_roster", "load_known_respondents", "pseudonym_for", "read_roster"]
