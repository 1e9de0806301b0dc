"""The reliability and saturation stages as the workflow calls them (I/O around the statistics)."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pandas as pd

from gtflow.coding.codebook import load_codebook, load_model
from gtflow.contracts import empty_frame, kept_documents, read_table, write_table
from gtflow.io import write_json
from gtflow.stats.reliability import concept_agreement, disagreements
from gtflow.stats.saturation import (
    accumulation_curve,
    chao2,
    choose_holdout,
    francis_stopping,
    guest_runs,
    guest_saturation,
    holdout_test,
    incidence_matrix,
)

log = logging.getLogger(__name__)
LEVELS = ("concept", "category", "main_category")


def finite(value: object) -> object:
    """JSON has no NaN: undefined statistics become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def human_coders(codings: pd.DataFrame, wanted: list[str]) -> list[str]:
    """The coders compared: the configured ones, or every coder who is not the auto-coder."""
    found = sorted(set(codings["coder"]) - {"auto"})
    return [c for c in wanted if c in found] if wanted else found


def run_reliability(codings: str | Path, segments: str | Path, agreement_out: str | Path,
                    disagreements_out: str | Path, summary_out: str | Path, coders: list[str],
                    documents: list[str], bootstrap: int, seed: int) -> None:
    """Agreement per concept, category and main category between human coders, on segments."""
    frame = read_table("codings", codings)
    segs = read_table("segments", segments)
    compared = human_coders(frame, coders)
    summary: dict = {"coders": compared, "levels": {}}
    if len(compared) < 2:
        reason = f"needs two coders with manual codings; found {len(compared)}"
        log.warning("reliability not assessed: %s", reason)
        summary["assessed"] = False
        summary["reason"] = reason
        write_table("agreement", empty_frame("agreement"), agreement_out)
        write_table("disagreements", empty_frame("disagreements"), disagreements_out)
        write_json(summary_out, summary)
        return
    human = frame[frame["coder"].isin(compared)]
    doc_ids = documents or None
    tables = []
    for level in LEVELS:
        level_map = None if level == "concept" else dict(zip(human["concept_id"], human[f"{level}_id"]))
        table = concept_agreement(human, segs, compared, doc_ids=doc_ids, n_boot=bootstrap,
                                  seed=seed, concept_level_map=level_map)
        table.insert(0, "level", level)
        tables.append(table)
        overall = table[table["concept_id"] == "__overall__"]
        if len(overall):
            summary["levels"][level] = {k: finite(v) for k, v in overall.iloc[0].items()
                                        if k not in {"level", "concept_id"}}
    agreement = pd.concat(tables, ignore_index=True)
    disagreement = disagreements(human, segs, compared, doc_ids=doc_ids)
    units = agreement.loc[agreement["concept_id"] == "__overall__", "n_units"]
    summary.update(assessed=True, n_units=int(units.iloc[0]) if len(units) else 0,
                   n_documents=int(human.loc[human["coder"].isin(compared), "doc_id"].nunique()),
                   n_disagreements=len(disagreement), bootstrap=bootstrap, seed=seed)
    write_table("agreement", agreement.round(6), agreement_out)
    write_table("disagreements", disagreement, disagreements_out)
    write_json(summary_out, summary)


def collection_order(documents: pd.DataFrame, sources: list[str]) -> list[str]:
    """Documents of the chosen source types, duplicates left out, by date then id."""
    kept = kept_documents(documents)
    kept = kept[kept["source_type"].isin(sources)]
    return kept.sort_values(["date", "doc_id"], kind="stable")["doc_id"].tolist()


def run_saturation(codings: str | Path, documents: str | Path, codebook: str | Path,
                   model: str | Path, curves_out: str | Path, holdout_out: str | Path,
                   summary_out: str | Path, settings: dict, seed: int) -> None:
    """Accumulation curves, Guest runs, Francis stopping, Chao2 and the holdout test."""
    book = load_codebook(codebook)
    model_spec = load_model(model, book)
    frame = read_table("codings", codings).drop_duplicates(["doc_id", "seg_id", "concept_id"])
    order = collection_order(read_table("documents", documents), settings["sources"])
    frame = frame[frame["doc_id"].isin(set(order))]
    if len(order) < 2:
        reason = (f"needs at least two documents of the source types {settings['sources']} "
                  f"(saturation.sources); found {len(order)}")
        log.warning("saturation not assessed: %s", reason)
        write_table("curves", empty_frame("curves"), curves_out)
        write_table("holdout", empty_frame("holdout"), holdout_out)
        write_json(summary_out, {"assessed": False, "reason": reason, "documents": order,
                                 "sources": settings["sources"], "levels": {}, "holdout": {}})
        return
    hierarchy = book.hierarchy().set_index("concept_id")
    incidence = {}
    for level in LEVELS:
        code_of = None if level == "concept" else hierarchy[f"{level}_id"].to_dict()
        incidence[level] = incidence_matrix(frame, order, code_of=code_of)
    curves, summary = [], {"assessed": True, "documents": order, "sources": settings["sources"], "levels": {},
                           "settings": {k: v for k, v in settings.items() if k != "sources"}}
    for level, table in incidence.items():
        curve = accumulation_curve(table, permutations=settings["permutations"], seed=seed)
        curve.insert(0, "level", level)
        curves.append(curve)
        new = curve["new_codes"].tolist()
        guest = guest_saturation(new, settings["base_size"], settings["run_length"],
                                 settings["threshold"])
        runs = guest_runs(new, settings["base_size"], settings["run_length"])
        summary["levels"][level] = {
            "codes": int((table.to_numpy().sum(axis=0) > 0).sum()),
            "guest": {k: finite(v) for k, v in guest.as_dict().items()},
            "guest_runs": [{k: finite(v) for k, v in row.items()} for row in runs.to_dict("records")],
            "francis_stop_at": francis_stopping(new, settings["francis_initial"], settings["francis_stop"]),
            "chao2": {k: finite(v) for k, v in chao2(table).items()},
        }
    holdout_settings = settings["holdout"]
    held = (choose_holdout(order, ids=holdout_settings["ids"]) if holdout_settings["ids"]
            else choose_holdout(order, fraction=holdout_settings["fraction"]))
    edges = [(e["from"], e["to"]) for e in model_spec["edges"]]
    only_holdout = holdout_test(incidence, held, edges)
    summary["holdout"] = {"documents": held, "new_items": len(only_holdout),
                          "saturated": bool(only_holdout.empty),
                          "by_level": only_holdout["level"].value_counts().sort_index().to_dict()}
    write_table("curves", pd.concat(curves, ignore_index=True).round(6), curves_out)
    write_table("holdout", only_holdout, holdout_out)
    write_json(summary_out, summary)
