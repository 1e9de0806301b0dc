"""The reliability and saturation stages as the workflow calls them (I/O around the statistics)."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.coding.coverage import AUTO_CODER, reviewed_documents
from gtflow.contracts import empty_frame, kept_documents, read_columns, read_table, write_table
from gtflow.errors import ConfigError
from gtflow.frames import distinct_values, text_isin
from gtflow.io import write_json
from gtflow.stats.reliability import OVERALL, concept_agreement, disagreements
from gtflow.stats.saturation import (
    accumulation_curve,
    chao2,
    choose_holdout,
    francis_stopping,
    guest_point_distribution,
    guest_runs,
    guest_saturation,
    guest_sensitivity,
    holdout_reference,
    holdout_test,
    incidence_matrix,
    permutation_new_codes,
)

log = logging.getLogger(__name__)
LEVELS = ("concept", "category", "main_category")


def finite(value: object) -> object:
    """JSON has no NaN: undefined statistics become null; numpy scalars become Python ones
    (else the JSON writer prints them as text)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def human_coders(codings: pd.DataFrame, wanted: list[str]) -> list[str]:
    """The coders compared: the configured ones, or every coder who is not the auto-coder."""
    found = sorted(distinct_values(codings["coder"]) - {AUTO_CODER})
    return [c for c in wanted if c in found] if wanted else found


def _not_assessed_reliability(reason: str, summary: dict, agreement_out: str | Path,
                              disagreements_out: str | Path, summary_out: str | Path) -> None:
    log.warning("reliability not assessed: %s", reason)
    summary.update(assessed=False, reason=reason)
    write_table("agreement", empty_frame("agreement"), agreement_out)
    write_table("disagreements", empty_frame("disagreements"), disagreements_out)
    write_json(summary_out, summary)


def run_reliability(codings: str | Path, segments: str | Path, agreement_out: str | Path,
                    disagreements_out: str | Path, summary_out: str | Path, coders: list[str],
                    documents: list[str], bootstrap: int, seed: int,
                    coverage: dict[str, list[str]] | None = None,
                    min_positive_units: int = 5) -> None:
    """Agreement per concept, category and main category between human coders, on the
    segments of the documents at least two of them reviewed (``coverage``: config
    ``code.coverage``; by default the documents each coder coded)."""
    frame = read_table("codings", codings)
    compared = human_coders(frame, coders)
    # The segments' text only once there is agreement to assess (a study coded by rules alone
    # has none to read).
    study_documents = read_columns("segments", [segments], ["doc_id"])["doc_id"].unique()
    reviewed = reviewed_documents(frame, coverage, documents=study_documents)
    summary: dict = {"coders": compared, "levels": {}, "min_positive_units": min_positive_units,
                     "coverage": {c: len(reviewed.get(c, ())) for c in compared}}
    if len(compared) < 2:
        _not_assessed_reliability(f"needs two coders with manual codings; found {len(compared)}",
                                  summary, agreement_out, disagreements_out, summary_out)
        return
    unit_docs = sorted(d for d in set().union(*(reviewed[c] for c in compared))
                       if sum(d in reviewed[c] for c in compared) >= 2)
    if documents:
        unit_docs = [d for d in unit_docs if d in set(documents)]
    if not unit_docs:
        _not_assessed_reliability("no document was reviewed by two of the coders "
                                  + ", ".join(compared), summary, agreement_out,
                                  disagreements_out, summary_out)
        return
    human = frame[frame["coder"].isin(compared)]
    segs = read_table("segments", segments)
    doc_ids = documents or None
    tables = []
    for level in LEVELS:
        level_map = None if level == "concept" else dict(zip(human["concept_id"], human[f"{level}_id"]))
        table = concept_agreement(human, segs, compared, doc_ids=doc_ids, n_boot=bootstrap,
                                  seed=seed, concept_level_map=level_map, coverage=reviewed,
                                  min_positive_units=min_positive_units)
        table.insert(0, "level", level)
        tables.append(table)
        overall = table[table["concept_id"] == OVERALL]
        if len(overall):
            summary["levels"][level] = {k: finite(v) for k, v in overall.iloc[0].items()
                                        if k not in {"level", "concept_id"}}
            summary["levels"][level]["codes_assessable"] = int(
                table.loc[table["concept_id"] != OVERALL, "enough_positive"].sum())
            summary["levels"][level]["codes"] = int((table["concept_id"] != OVERALL).sum())
    agreement = pd.concat(tables, ignore_index=True)
    disagreement = disagreements(human, segs, compared, doc_ids=doc_ids, coverage=reviewed)
    units = agreement.loc[agreement["concept_id"] != OVERALL, "n_units"]   # segments
    coded = set(human["doc_id"])
    summary.update(assessed=True, n_units=int(units.iloc[0]) if len(units) else 0,
                   n_documents=len(unit_docs),
                   n_reviewed_empty=sum(d not in coded for d in unit_docs),
                   n_disagreements=len(disagreement), bootstrap=bootstrap, seed=seed)
    write_table("agreement", agreement.round(6), agreement_out)
    write_table("disagreements", disagreement, disagreements_out)
    write_json(summary_out, summary)


def collection_order(documents: pd.DataFrame, sources: list[str]) -> list[str]:
    """Documents of the chosen source types, duplicates left out, by date then id."""
    kept = kept_documents(documents)
    kept = kept[kept["source_type"].isin(sources)]
    return kept.sort_values(["date", "doc_id"], kind="stable")["doc_id"].tolist()


def saturation_coders(codings: pd.DataFrame, wanted: list[str]) -> list[str]:
    """The coding source of the saturation measures: the configured coders, else the human
    coders when there are any, else the auto-coder. Never auto and humans without being asked."""
    present = distinct_values(codings["coder"])
    if wanted:
        absent = [c for c in wanted if c not in present]
        if absent:
            raise ConfigError("saturation.coders", "names coder(s) without codings: "
                              + ", ".join(absent))
        return list(dict.fromkeys(wanted))
    humans = sorted(present - {AUTO_CODER})
    return humans or ([AUTO_CODER] if AUTO_CODER in present else [])


SATURATION_TABLES = ("curves", "holdout", "holdout_reference", "guest_sensitivity")


def _write_saturation(outputs: dict[str, str | Path], tables: dict[str, pd.DataFrame],
                      summary: dict) -> None:
    for name in SATURATION_TABLES:
        write_table(name, tables[name] if name in tables else empty_frame(name), outputs[name])
    write_json(outputs["summary"], summary)


def _holdout_verdict(share: float) -> str:
    """Worded from the one-sided share of random holdouts with a count <= the observed one."""
    return "fewer_than_chance" if share <= HOLDOUT_ALPHA else "not_fewer_than_chance"


# One-sided level below which the held-out documents count as bringing fewer new items than
# random documents would.
HOLDOUT_ALPHA = 0.05


#: The codings' columns the saturation measures read.
SATURATION_CODING_COLUMNS = ["doc_id", "seg_id", "concept_id", "coder"]


def run_saturation(codings: str | Path, documents: str | Path, codebook: str | Path,
                   model: str | Path, curves_out: str | Path, holdout_out: str | Path,
                   summary_out: str | Path, settings: dict, seed: int,
                   reference_out: str | Path, sensitivity_out: str | Path,
                   coverage: dict[str, list[str]] | None = None) -> None:
    """Accumulation curves, Guest runs and sensitivity, Francis stopping, Chao2 and the
    holdout test with its random reference, on the documents the chosen coders reviewed."""
    outputs = {"curves": curves_out, "holdout": holdout_out, "holdout_reference": reference_out,
               "guest_sensitivity": sensitivity_out, "summary": summary_out}
    book = load_codebook(codebook)
    model_spec = load_model(model, book)
    frame = read_columns("codings", [codings], SATURATION_CODING_COLUMNS)
    docs = read_table("documents", documents)
    coders = saturation_coders(frame, list(settings.get("coders") or []))
    reviewed = reviewed_documents(frame, coverage, documents=docs["doc_id"])
    seen_by_coders = set().union(*(reviewed.get(c, frozenset()) for c in coders))
    order = [d for d in collection_order(docs, settings["sources"]) if d in seen_by_coders]
    # Repeated codings are dropped among the rows kept only: the choice goes by document and
    # coder, so it keeps or drops a repeat with the coding it repeats.
    frame = frame[frame["coder"].isin(coders).to_numpy() & text_isin(frame["doc_id"], order)]
    frame = frame.drop_duplicates(["doc_id", "seg_id", "concept_id"])
    public = {k: v for k, v in settings.items() if k != "sources"}
    summary: dict = {"documents": order, "sources": settings["sources"], "coders": coders,
                     "levels": {}, "holdout": {}, "settings": public}
    if len(order) < 2:
        reason = (f"needs at least two documents of the source types {settings['sources']} "
                  f"(saturation.sources) reviewed by {', '.join(coders) or 'any coder'} "
                  f"(saturation.coders); found {len(order)}")
        log.warning("saturation not assessed: %s", reason)
        _write_saturation(outputs, {}, {**summary, "assessed": False, "reason": reason})
        return
    hierarchy = book.hierarchy().set_index("concept_id")
    incidence = {}
    for level in LEVELS:
        code_of = None if level == "concept" else hierarchy[f"{level}_id"].to_dict()
        incidence[level] = incidence_matrix(frame, order, code_of=code_of)
    sensitivity = settings["sensitivity"]
    curves, sensitivities = [], []
    for level, table in incidence.items():
        curve = accumulation_curve(table, permutations=settings["permutations"], seed=seed)
        curve.insert(0, "level", level)
        curves.append(curve)
        new = curve["new_codes"].tolist()
        guest = guest_saturation(new, settings["base_size"], settings["run_length"],
                                 settings["threshold"])
        runs = guest_runs(new, settings["base_size"], settings["run_length"])
        table_sensitivity = guest_sensitivity(new, sensitivity["base_sizes"],
                                              sensitivity["run_lengths"],
                                              sensitivity["thresholds"])
        table_sensitivity.insert(0, "level", level)
        sensitivities.append(table_sensitivity)
        random_new = permutation_new_codes(table, settings["permutations"], seed)
        summary["levels"][level] = {
            "codes": int((table.to_numpy().sum(axis=0) > 0).sum()),
            "guest": {k: finite(v) for k, v in guest.as_dict().items()},
            "guest_runs": [{k: finite(v) for k, v in row.items()} for row in runs.to_dict("records")],
            "guest_orders": guest_point_distribution(
                random_new, settings["base_size"], settings["run_length"], settings["threshold"]),
            "francis_stop_at": francis_stopping(new, settings["francis_initial"], settings["francis_stop"]),
            "chao2": {k: finite(v) for k, v in chao2(table).items()},
        }
    holdout_settings = settings["holdout"]
    held = (choose_holdout(order, ids=holdout_settings["ids"]) if holdout_settings["ids"]
            else choose_holdout(order, fraction=holdout_settings["fraction"]))
    edges = [(e["from"], e["to"]) for e in model_spec["edges"]]
    only_holdout = holdout_test(incidence, held, edges)
    reference = holdout_reference(incidence, held, edges, n_random=holdout_settings["random_holdouts"],
                                  seed=seed)
    summary["holdout"] = {
        "documents": held, "new_items": len(only_holdout), "alpha": HOLDOUT_ALPHA,
        "by_level": {row["level"]: {**{k: finite(v) for k, v in row.items() if k != "level"},
                                    "verdict": _holdout_verdict(row["share_random_le_observed"])}
                     for row in reference.to_dict("records")}}
    summary["assessed"] = True
    _write_saturation(outputs, {
        "curves": pd.concat(curves, ignore_index=True).round(6), "holdout": only_holdout,
        "holdout_reference": reference.round(6),
        "guest_sensitivity": pd.concat(sensitivities, ignore_index=True),
    }, summary)
