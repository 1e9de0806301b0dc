"""Every results table, declared once: its path, columns, column kinds and the stage that writes it.

Producers write through :func:`write_table`, which checks the frame against its declaration and
then writes it atomically; readers read through :func:`read_table`, which checks the file the
same way and names it when it does not match. Test fixtures are built with :func:`frame` and
:func:`empty_frame`, so a fixture cannot drift from what the stages write. Column names are the
declared ones and no others: there are no aliases.

To add a table: add one :class:`Table` to :data:`TABLES` below (path, stage, columns), write it
with ``write_table("name", frame, path)`` in the producing stage and read it with
``read_table("name", path)``. ``docs/architecture.md`` shows :func:`markdown_table`'s output
(a test keeps the two equal).

Why a plain module and not pandera: measured on this machine (pandas 3.1.1, pandera 0.35.0),
``import pandera.pandas`` takes 1.5-1.8 s, paid by every job (the demo runs about 60 per-file
jobs), validating one text column of 100 000 rows took 1.2 s against 0.01 s for an integer
column, and it brings pydantic, typeguard and typing-inspect along. What the stages need is
small: exact column names in order, one of five kinds per column, nulls allowed or not. What
they need besides is not pandera's: the path and producing stage of each table, CSV reading
that keeps ids as text, and fixture frames for tests.

Kinds: ``str`` (text; in CSV an empty cell is the empty string, never a null), ``int``,
``float`` (any number), ``bool`` and ``any`` (study-defined columns such as a roster's own
variables). A ``nullable`` column may hold missing values (NaN/None); for ``int`` columns a CSV
then reads them as float, which is accepted when every present value is whole.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self

import pandas as pd
from pandas.api import types as ptypes

from gtflow.errors import InputError
from gtflow.io import append_csv, atomic_path, write_csv, write_parquet

if TYPE_CHECKING:
    import pyarrow as pa

KINDS = ("str", "int", "float", "bool", "any")


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    name: str
    kind: str
    nullable: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: kind must be one of {KINDS}, not {self.kind!r}")


@dataclass(frozen=True)
class Table:
    """One results table: where it lives, which stage writes it and its columns in order.

    ``extra`` declares the kind of the further columns a table has after the fixed ones, when
    their names come from the study (one column per code of a case matrix, one per coder of the
    disagreements); ``extra_note`` says what they are.
    """

    name: str
    path: str
    stage: str
    columns: tuple[Column, ...]
    extra: str | None = None
    extra_note: str = ""
    note: str = field(default="", compare=False)

    @property
    def format(self) -> str:
        """``csv`` or ``parquet``, from the path's suffix."""
        return "parquet" if self.path.endswith(".parquet") else "csv"

    @property
    def names(self) -> list[str]:
        """The fixed column names in order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The declaration of a fixed column, or of an extra one."""
        for column in self.columns:
            if column.name == name:
                return column
        if self.extra is None:
            raise KeyError(f"table {self.name} has no column {name!r}")
        return Column(name, self.extra)


class ContractError(ValueError):
    """A frame does not match its table's declaration (a bug in the code that built it)."""


def _columns(spec: str) -> tuple[Column, ...]:
    """Columns from a compact spec: ``"doc_id:str seg_id:int score:float?"`` (? = nullable)."""
    columns = []
    for item in spec.split():
        name, kind = item.split(":")
        columns.append(Column(name, kind.rstrip("?"), nullable=kind.endswith("?")))
    return tuple(columns)


_DOCUMENT = ("doc_id:str source_type:str title:str date:str author:str respondent_id:str url:str "
             "lang:str sha256_raw:str raw_path:str encoding:str location:str parent_id:str")
_CLEAN_DOCUMENT = f"{_DOCUMENT} n_chars:int n_segments:int sha256_clean:str"
_TEXT_INDEX = "doc_id:str shard:str start:int end:int"
_SEGMENT = ("doc_id:str seg_id:int turn:int speaker:str role:str timestamp:str start:int end:int "
            "text:str")
_CODING = "doc_id:str seg_id:int start:int end:int concept_id:str coder:str origin:str rule:str"
_CASE = "case_id:str case_type:str source_type:str n_documents:int"
# documents_share is fixed four-decimal text ("0.3333"), so reruns and platforms agree.
_FREQUENCY_COUNTS = "source_type:str documents:int documents_share:str cases:int codings:int"
_CASE_NOTE = "one count column per code, named by its id"

#: Every results table of the workflow, in DAG order.
TABLES: dict[str, Table] = {t.name: t for t in (
    # ingest
    Table("ingest_turns", "private/ingest/{source}/{stem}.parquet", "ingest",
          _columns(f"{_DOCUMENT} turn:int speaker:str role:str timestamp:str line:int text:str"),
          note="one row per speaker turn, raw text (private: not yet de-identified)"),
    Table("roster", "private/roster.parquet", "ingest",
          _columns("respondent_id:str pseudonym:str name:str"), extra="str",
          extra_note="the roster's own variables (value labels applied)",
          note="the roster with names (private)"),
    Table("respondents", "results/ingest/respondents.parquet", "ingest",
          _columns("respondent_id:str pseudonym:str"), extra="str",
          extra_note="the roster's own variables without names and aliases",
          note="the roster without names"),
    # clean
    Table("pseudonym_key", "private/pseudonym_key.csv", "clean",
          _columns("pseudonym:str respondent_id:str name:str"),
          note="pseudonym back to name (private; never read downstream)"),
    Table("file_documents", "results/clean/{source}/{stem}.documents.parquet", "clean",
          _columns(_CLEAN_DOCUMENT), note="the clean documents of one raw file"),
    Table("file_segments", "results/clean/{source}/{stem}.segments.parquet", "clean",
          _columns(_SEGMENT), note="the segments of one raw file"),
    Table("file_text_index", "results/clean/text/{source}/{stem}.index.parquet", "clean",
          _columns(_TEXT_INDEX),
          note="where each clean text of one raw file lies in its shard {stem}.txt: UTF-8 byte "
               "offsets, end exclusive (read through gtflow.clean.texts.CleanTexts)"),
    Table("text_index", "results/clean/text/index.parquet", "clean", _columns(_TEXT_INDEX),
          note="every document's clean text: its shard (relative to this folder) and byte "
               "range; one shard per raw file (read through gtflow.clean.texts.CleanTexts)"),
    Table("documents", "results/clean/documents.parquet", "clean",
          _columns(f"{_CLEAN_DOCUMENT} duplicate_of:str"),
          note="every document; duplicate_of is '' for a kept document"),
    Table("segments", "results/clean/segments.parquet", "clean", _columns(_SEGMENT),
          note="sentences of speaker turns; code-point offsets into the clean text, end exclusive"),
    Table("duplicates", "results/clean/duplicates.csv", "clean",
          _columns("cluster_id:int doc_id:str source_type:str date:str kept_doc_id:str kind:str "
                   "similarity:float"),
          note="near-duplicate clusters; kind kept/exact/near"),
    Table("authors", "private/authors.csv", "clean", _columns("author:str pseudonym:str posts:int"),
          note="post author -> [U001] pseudonym (private; read by the post exports' clean jobs)"),
    Table("file_deidentification", "results/clean/{source}/{stem}.deidentification.parquet",
          "clean", _columns("doc_id:str placeholder:str count:int"),
          note="replacements per document and placeholder type in one raw file"),
    Table("deidentification", "results/clean/deidentification.csv", "clean",
          _columns("doc_id:str placeholder:str count:int"),
          note="replacements per document and placeholder type ([PHONE], [P#], [U#] ...); never values"),
    # code
    Table("auto_codings", "results/code/auto/{source}/{stem}.parquet", "code", _columns(_CODING),
          note="the auto-coder's codings of one raw file"),
    Table("codings", "results/code/codings.parquet", "code",
          _columns(f"{_CODING} category_id:str main_category_id:str"),
          note="every coding (auto, csv, qdpx) with the hierarchy; duplicates' codings left out"),
    Table("anchoring", "results/code/anchoring.csv", "code",
          _columns("source:str line:int doc_id:str concept_id:str coder:str old_start:int "
                   "old_end:int start:int? end:int? status:str score:float? quote:str"),
          note="every manual coding's re-anchoring: ok/moved/fuzzy/orphaned"),
    Table("hierarchy", "results/code/hierarchy.csv", "code",
          _columns("concept_id:str concept:str concept_en:str category_id:str category:str "
                   "category_en:str main_category_id:str main_category:str main_category_en:str "
                   "core_id:str core:str core_en:str"),
          note="concept -> category -> main category -> core, from the codebook"),
    Table("review", "results/code/review.csv", "code",
          _columns("doc_id:str seg_id:int start:int end:int concept_id:str rule:str "
                   "decision:str reviewer:str review_file:str"),
          note="auto codings covered by a review in data/coding/review/: accepted/rejected"),
    Table("validity", "results/code/validity.csv", "code",
          _columns("level:str code_id:str reference:str n_documents:int n_auto:int "
                   "n_reference:int n_both:int precision:float? recall:float? f1:float? "
                   "human_f1:float? mean_auto_f1:float? mean_human_f1:float? status:str"),
          note="the auto-coder against each human coder and consensus, per level and code "
               "(and __overall__), on the sentence units of the reviewed documents; per code its mean "
               "auto F1 and human ceiling over the human coders and its status "
               "(validated/failed/unvalidated against code.min_auto_f1)"),
    Table("rule_audit", "results/code/rule_audit.csv", "code",
          _columns("concept_id:str kind:str doc_id:str seg_id:int start:int end:int rule:str "
                   "phrase:str coders:str text:str"),
          note="auto_only (likely false positive, with the rule part that fired) and "
               "human_only (missed) sentence units per concept"),
    Table("rule_phrases", "results/code/rule_phrases.csv", "code",
          _columns("concept_id:str rule:str phrase:str n_fired:int n_confirmed:int "
                   "n_misfired:int misfire_rate:float"),
          note="rule parts ranked by how often they misfire on reviewed documents"),
    # reliability
    Table("agreement", "results/reliability/agreement.csv", "reliability",
          _columns("level:str concept_id:str n_units:int n_positive_units:int "
                   "positive_agreement:float? cohen_kappa:float? gwet_ac1:float? "
                   "ac1_ci_low:float? ac1_ci_high:float? krippendorff_alpha:float? "
                   "alpha_ci_low:float? alpha_ci_high:float? ci_resamples:int "
                   "alpha_ci_usable:int enough_positive:bool"),
          note="per level and concept, and __overall__ per level; units = segments of "
               "documents two coders reviewed"),
    Table("disagreements", "results/reliability/disagreements.csv", "reliability",
          _columns("doc_id:str seg_id:int text:str"), extra="str",
          extra_note="one column per compared coder: the concept ids applied, '; '-joined",
          note="segments the compared coders coded differently"),
    # saturation
    Table("curves", "results/saturation/curves.csv", "saturation",
          _columns("level:str position:int doc_id:str new_codes:int cumulative:int "
                   "band_low:float band_median:float band_high:float"),
          note="per level: observed accumulation and the random-order band"),
    Table("holdout", "results/saturation/holdout.csv", "saturation",
          _columns("level:str id:str n_holdout_docs:int holdout_docs:str"),
          note="codes and edges found only in held-out documents"),
    Table("holdout_reference", "results/saturation/holdout_reference.csv", "saturation",
          _columns("level:str n_items:int n_holdout_docs:int observed:int random_mean:float "
                   "share_random_le_observed:float random_holdouts:int"),
          note="per level and for edges: found only in the holdout vs random holdouts"),
    Table("guest_sensitivity", "results/saturation/guest_sensitivity.csv", "saturation",
          _columns("level:str base_size:int run_length:int threshold:float saturated:bool "
                   "point:str? k:int? codes_in_base:int? new_in_run:int? new_share:float?"),
          note="Guest et al. (2020) saturation point per base x run x threshold"),
    # mechanisms
    Table("case_by_main_category", "results/mechanisms/case_by_main_category.csv",
          "mechanisms", _columns(_CASE), extra="int", extra_note=_CASE_NOTE,
          note="case x main category evidence counts"),
    Table("case_by_category", "results/mechanisms/case_by_category.csv", "mechanisms",
          _columns(_CASE), extra="int", extra_note=_CASE_NOTE,
          note="case x category evidence counts"),
    Table("cooccurrence", "results/mechanisms/cooccurrence.csv", "mechanisms",
          _columns("level:str code_level:str a:str b:str count:int"),
          note="codes coded together per sentence, segment (turn) and document"),
    Table("nodes", "results/mechanisms/nodes.csv", "mechanisms",
          _columns("node_id:str label:str label_en:str layer:str documents:int interviews:int "
                   "web_pages:int web_posts:int respondents:int codings:int web_documents:int "
                   "level:str"),
          note="model nodes with their evidence"),
    Table("edges", "results/mechanisms/edges.csv", "mechanisms",
          _columns("from:str to:str relation:str relation_en:str documents:int respondents:int "
                   "interviews:int web_documents:int weak:bool threshold:int"),
          note="model edges with their support and weak flag"),
    Table("quotes", "results/mechanisms/quotes.csv", "mechanisms",
          _columns("item_type:str item_id:str rank:int doc_id:str start:int end:int quote:str "
                   "origin:str coder:str source_type:str truncated:bool"),
          note="exemplar quotes of concepts, nodes and edges (item_id of an edge is 'A->B')"),
    Table("negative_cases", "results/mechanisms/negative_cases.csv", "mechanisms",
          _columns("edge:str doc_id:str kind:str"),
          note="per model edge ('A->B') the documents with only one end: source_only/target_only"),
    Table("concept_quotes", "results/mechanisms/concept_quotes.csv", "mechanisms",
          _columns("concept_id:str rank:int doc_id:str start:int end:int quote:str "
                   "truncated:bool"),
          note="the quote the open-coding table shows per concept (rank 0: a coded span, "
               "when the concept has no ranked quote)"),
    Table("recommendations", "results/mechanisms/recommendations.csv", "mechanisms",
          _columns("rec_id:str title:str title_en:str targets:str target_evidence_documents:int "
                   "target_evidence:str target_strengths:str strength:str"),
          note="recommendations with their targets' evidence and strength"),
    # export
    Table("concept_frequencies", "results/tables/concept_frequencies.csv", "export",
          _columns("concept_id:str concept:str concept_en:str category_id:str "
                   f"main_category_id:str {_FREQUENCY_COUNTS}"),
          note="per concept and source type"),
    Table("category_frequencies", "results/tables/category_frequencies.csv", "export",
          _columns(f"category_id:str category:str category_en:str main_category_id:str "
                   f"{_FREQUENCY_COUNTS}"),
          note="per category and source type"),
    Table("main_category_frequencies", "results/tables/main_category_frequencies.csv", "export",
          _columns(f"main_category_id:str main_category:str main_category_en:str "
                   f"{_FREQUENCY_COUNTS}"),
          note="per main category and source type"),
    Table("tables_case_by_main_category", "results/tables/case_by_main_category.csv", "export",
          _columns(_CASE), extra="int", extra_note=_CASE_NOTE,
          note="copy of the mechanisms table for the tidy set"),
    Table("tables_case_by_category", "results/tables/case_by_category.csv", "export",
          _columns(_CASE), extra="int", extra_note=_CASE_NOTE,
          note="copy of the mechanisms table for the tidy set"),
    Table("evidence", "results/tables/evidence.csv", "mechanisms",
          _columns("item_type:str item_id:str level:str role:str doc_id:str source_type:str "
                   "seg_id:int start:int end:int concept_id:str coder:str origin:str rule:str "
                   "quote:str truncated:bool"),
          note="every evidence coding under every code and model edge it supports"),
    Table("data_dictionary", "results/tables/data_dictionary.csv", "export",
          _columns("table:str column:str description:str"),
          note="every column of every tidy table"),
)}


def table(name: str) -> Table:
    """The declaration of a table (KeyError naming the known tables otherwise)."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no table {name!r} is declared in gtflow.contracts; known: "
                       f"{', '.join(TABLES)}") from None


def columns(name: str) -> list[str]:
    """The fixed column names of a table, in order."""
    return table(name).names


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------

def _kind_problem(series: pd.Series, column: Column) -> str | None:
    """Why a column's values do not fit its declared kind (None when they do)."""
    if column.kind == "any":
        return None
    n_missing = int(series.isna().sum())
    if n_missing and not column.nullable:
        return "has missing values but is not nullable"
    if n_missing == len(series):
        return None  # nothing to check: an empty or all-missing column fits any kind
    # Copy out the present values only when some are missing (batch readers check every batch).
    present = series.dropna() if n_missing else series
    dtype = series.dtype
    if column.kind == "str":
        fits = ptypes.is_string_dtype(dtype) or (
            dtype == object and all(isinstance(v, str) for v in present))
    elif column.kind == "int":
        fits = (ptypes.is_integer_dtype(dtype) and not ptypes.is_bool_dtype(dtype)) or (
            column.nullable and ptypes.is_float_dtype(dtype) and bool((present % 1 == 0).all()))
    elif column.kind == "float":
        fits = ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype)
    else:  # bool
        fits = ptypes.is_bool_dtype(dtype) or (
            dtype == object and all(isinstance(v, bool) for v in present))
    return None if fits else f"must hold {column.kind} values, found dtype {dtype}"


def problems(name: str, frame: pd.DataFrame) -> list[str]:
    """Every way ``frame`` differs from table ``name``'s declaration (empty when it matches)."""
    spec = table(name)
    found = [str(c) for c in frame.columns]
    fixed = spec.names
    if found[:len(fixed)] != fixed or (spec.extra is None and len(found) != len(fixed)):
        missing = [c for c in fixed if c not in found]
        unexpected = [c for c in found if c not in fixed] if spec.extra is None else []
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if unexpected:
            detail.append(f"unexpected {', '.join(unexpected)}")
        if not detail:
            detail.append(f"columns out of order (expected {', '.join(fixed)})")
        return [f"columns do not match table {name}: {'; '.join(detail)}"]
    if len(set(found)) != len(found):
        return [f"table {name} has a column name twice"]
    return _column_problems(spec, frame, found)


def _column_problems(spec: Table, frame: pd.DataFrame, names: list[str]) -> list[str]:
    """What is wrong with the kinds of some declared columns of ``frame`` (empty: nothing)."""
    return [f"column {name} {problem}" for name in names
            if (problem := _kind_problem(frame[name], spec.column(name)))]


def validate(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` unchanged if it matches table ``name``; :class:`ContractError` otherwise."""
    found = problems(name, frame)
    if found:
        raise ContractError(f"table {name}: {'; '.join(found)}")
    return frame


# --------------------------------------------------------------------------------------------
# Writing and reading
# --------------------------------------------------------------------------------------------

def _check_suffix(spec: Table, path: str | Path) -> None:
    if Path(path).suffix != Path(spec.path).suffix:
        raise ContractError(f"table {spec.name} is a {spec.format} file; cannot write it to {path}")


def write_table(name: str, frame: pd.DataFrame, path: str | Path) -> None:
    """Check ``frame`` against table ``name`` and write it atomically to ``path``."""
    spec = table(name)
    _check_suffix(spec, path)
    validate(name, frame)
    if spec.format == "parquet":
        write_parquet(path, frame)
    else:
        write_csv(path, frame)


def copy_table(name: str, source: str | Path, path: str | Path) -> None:
    """Write a file already read and checked as a table of the same columns to ``path`` as
    table ``name``, byte for byte (atomically): a copy needs no second encoding."""
    _check_suffix(table(name), path)
    with atomic_path(path) as tmp:
        shutil.copyfile(source, tmp)


class ChunkedTableWriter:
    """Write table ``name`` to ``path`` a frame at a time (Parquet: one row group each; CSV: the
    header once, then each frame's rows), each frame checked, the file appearing whole or not at
    all; memory holds one frame.

    Use as a context manager: an exception inside discards the file. No frame gives the empty
    table; for Parquet one frame gives the same bytes as :func:`write_table`, for CSV any number
    of frames give the bytes :func:`write_table` gives for their concatenation.
    """

    def __init__(self, name: str, path: str | Path) -> None:
        self.name, self.path = name, path
        spec = table(name)
        _check_suffix(spec, path)
        self.format = spec.format
        self.rows = 0
        self._writer = None
        self._started = False

    def __enter__(self) -> Self:
        self._atomic = atomic_path(self.path)
        self._tmp = self._atomic.__enter__()
        return self

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa  # only the chunked writers need it directly
        import pyarrow.parquet as pq

        validate(self.name, frame)
        if self.format == "csv":
            append_csv(self._tmp, frame, header=not self._started)
            self._started = True
            self.rows += len(frame)
            return
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, arrow.schema)
        self._writer.write_table(arrow.cast(self._writer.schema))
        self.rows += len(frame)

    def __exit__(self, kind, error, trace) -> bool | None:
        try:
            if self._writer is not None:
                self._writer.close()
            elif kind is None and not self._started:
                empty = empty_frame(self.name)
                if self.format == "csv":
                    append_csv(self._tmp, empty, header=True)
                else:
                    empty.to_parquet(self._tmp, index=False)
        finally:
            result = self._atomic.__exit__(kind, error, trace)
        return result


def write_table_chunks(name: str, frames: Iterable[pd.DataFrame], path: str | Path) -> int:
    """Write table ``name`` from consecutive frames (see :class:`ChunkedTableWriter`);
    returns the number of rows written."""
    with ChunkedTableWriter(name, path) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.rows


def read_table_chunks(name: str, path: str | Path, rows: int) -> Iterator[pd.DataFrame]:
    """Parquet table ``name`` from ``path`` about ``rows`` rows at a time, each frame checked."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except FileNotFoundError:
        raise _missing(name, path) from None
    except (OSError, ValueError) as error:
        raise _unreadable(name, path, error) from None
    if parquet.metadata.num_rows == 0:
        yield read_table(name, path)
        return
    for batch in parquet.iter_batches(batch_size=rows):
        frame = batch.to_pandas()
        found = problems(name, frame)
        if found:
            raise _mismatch(name, path, found)
        yield frame


def _read_csv(spec: Table, path: str | Path) -> pd.DataFrame:
    """A CSV with text columns kept as text ('' for an empty cell, ids like 007 unchanged)."""
    header = pd.read_csv(path, nrows=0, encoding="utf-8")
    text = [c for c in header.columns if _kind_of(spec, c) == "str"]
    frame = pd.read_csv(path, encoding="utf-8", dtype=dict.fromkeys(text, str),
                        keep_default_na=False,
                        na_values={c: [""] for c in header.columns if c not in text})
    if frame.empty:  # no rows: give every column its declared kind, not pandas' object
        frame = frame.astype({c: _DTYPES[_kind_of(spec, c)] for c in frame.columns
                              if _kind_of(spec, c) in _DTYPES})
    return frame


def _kind_of(spec: Table, name: str) -> str | None:
    try:
        return spec.column(name).kind
    except KeyError:
        return None


def _missing(name: str, path: str | Path) -> InputError:
    return InputError(path, f"is missing (the {table(name).stage} stage writes table {name})")


def _unreadable(name: str, path: str | Path, error: Exception) -> InputError:
    return InputError(path, f"is not a readable {table(name).format} table {name} ({error})")


def _mismatch(name: str, path: str | Path, found: list[str]) -> InputError:
    return InputError(path, f"does not match table {name} as declared in gtflow.contracts: "
                      f"{'; '.join(found)}")


def read_table(name: str, path: str | Path) -> pd.DataFrame:
    """Table ``name`` from ``path``, checked; an :class:`InputError` naming the file otherwise."""
    spec = table(name)
    try:
        if spec.format == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = _read_csv(spec, path)
    except FileNotFoundError:
        raise _missing(name, path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError,
            OSError) as error:
        raise _unreadable(name, path, error) from None
    found = problems(name, frame)
    if found:
        raise _mismatch(name, path, found)
    return frame


def read_columns(name: str, paths: Iterable[str | Path], wanted: list[str]) -> pd.DataFrame:
    """Some declared columns of several Parquet files of table ``name``, concatenated: what a
    step needs of a large table without holding the rest (each column's kind checked)."""
    spec = table(name)
    frames = []
    for path in paths:
        try:
            frame = pd.read_parquet(path, columns=wanted)
        except FileNotFoundError:
            raise _missing(name, path) from None
        except (ValueError, OSError, KeyError) as error:
            raise _unreadable(name, path, error) from None
        found = _column_problems(spec, frame, wanted)
        if found:
            raise _mismatch(name, path, found)
        frames.append(frame)
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame(name)[wanted]
    return pd.concat(frames, ignore_index=True)


def read_csv_batches(name: str, path: str | Path, wanted: list[str],
                     rows: int) -> Iterator[pd.DataFrame]:
    """Some declared columns of CSV table ``name``, at most ``rows`` rows at a time, text kept
    as text as :func:`read_table` keeps it, each batch checked: what a step needs of a large
    CSV table without holding it or its other columns. The header must match the declaration;
    a file with no rows gives no batch."""
    for batch in read_csv_record_batches(name, path, wanted, rows):
        yield batch.to_pandas()


def read_csv_record_batches(name: str, path: str | Path, wanted: list[str],
                            rows: int) -> Iterator[pa.RecordBatch]:
    """:func:`read_csv_batches` as Arrow record batches, for a reader that keeps few of the
    rows (converting every batch to pandas costs more than parsing it)."""
    import pyarrow as pa  # its CSV reader streams and skips unwanted columns
    import pyarrow.csv as pa_csv

    spec = table(name)
    try:
        found = problems(name, pd.read_csv(path, nrows=0, encoding="utf-8"))
    except FileNotFoundError:
        raise _missing(name, path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError,
            OSError) as error:
        raise _unreadable(name, path, error) from None
    if found:
        raise _mismatch(name, path, found)
    arrow_type = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(),
                  "bool": pa.bool_()}
    # A nullable int column with gaps is written as floats ("1.0"): its type is inferred.
    typed = [c for c in wanted if _kind_of(spec, c) in arrow_type
             and not (spec.column(c).kind == "int" and spec.column(c).nullable)]
    convert = pa_csv.ConvertOptions(
        include_columns=wanted, strings_can_be_null=False,
        column_types={c: arrow_type[spec.column(c).kind] for c in typed})
    try:
        # Arrow's default 1 MB blocks: larger ones raise the peak memory, not the speed.
        reader = pa_csv.open_csv(path, parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                                 convert_options=convert)
        for batch in reader:
            for start in range(0, batch.num_rows, rows):
                part = batch.slice(start, rows)
                if not _arrow_batch_fits(spec, part):  # then pandas says what does not fit
                    found = _column_problems(spec, part.to_pandas(), wanted)
                    if found:
                        raise _mismatch(name, path, found)
                yield part
    except (pa.ArrowException, UnicodeDecodeError, ValueError, OSError) as error:
        raise _unreadable(name, path, error) from None


def _arrow_batch_fits(spec: Table, batch: pa.RecordBatch) -> bool:
    """True when every column of ``batch`` is of its declared kind with no missing value, so
    that :func:`_column_problems` finds nothing in it as pandas reads it (False: ask it)."""
    import pyarrow.types as pa_types

    fits = {"str": lambda t: pa_types.is_string(t) or pa_types.is_large_string(t),
            "int": pa_types.is_integer, "bool": pa_types.is_boolean,
            "float": lambda t: pa_types.is_floating(t) or pa_types.is_integer(t)}
    for name, column in zip(batch.schema.names, batch.columns):
        kind = _kind_of(spec, name)
        if kind == "any":
            continue
        if kind not in fits or column.null_count or not fits[kind](column.type):
            return False
    return True


def read_tables(name: str, paths: Iterable[str | Path]) -> pd.DataFrame:
    """Several files of one table (per-file outputs) concatenated in order."""
    frames = [read_table(name, p) for p in paths]
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame(name)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Building frames (producers' empty results, test fixtures)
# --------------------------------------------------------------------------------------------

_DTYPES = {"str": "str", "int": "int64", "float": "float64", "bool": "bool"}
_NEUTRAL = {"str": "", "int": 0, "float": 0.0, "bool": False, "any": ""}


def empty_frame(name: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    """A table with no rows and its declared columns (and ``extra`` columns) and kinds."""
    return frame(name, [], extra=extra)


def frame(name: str, rows: Iterable[Mapping], extra: Iterable[str] = ()) -> pd.DataFrame:
    """Table ``name`` built from row dicts, checked against its declaration.

    A row may leave columns out: a nullable column is then missing, any other column gets its
    kind's neutral value ('' , 0, 0.0, False). Keys that are not declared columns are the
    table's extra columns (only where it has them), in ``extra`` order, then first-seen order.
    """
    spec = table(name)
    rows = [dict(r) for r in rows]
    extra_names = list(dict.fromkeys([*extra, *(k for r in rows for k in r if k not in spec.names)]))
    if extra_names and spec.extra is None:
        raise ContractError(f"table {name} has no column {extra_names[0]!r}")
    data = {}
    for column in [*spec.columns, *(Column(n, spec.extra or "any") for n in extra_names)]:
        fill = None if column.nullable else _NEUTRAL[column.kind]
        values = [r.get(column.name, fill) for r in rows]
        dtype = _DTYPES.get(column.kind)
        if column.nullable and column.kind in ("int", "bool") and None in values:
            dtype = "float64" if column.kind == "int" else "object"
        data[column.name] = pd.Series(values, dtype=dtype or object)
    return validate(name, pd.DataFrame(data))


# --------------------------------------------------------------------------------------------
# Meaning of columns every stage relies on
# --------------------------------------------------------------------------------------------

def is_kept(documents: pd.DataFrame) -> pd.Series:
    """Which rows of the documents table are kept documents (not collapsed as a duplicate).

    The one definition every stage uses: the clean stage writes ``duplicate_of`` = '' for a
    kept document and the kept copy's id for a repost.
    """
    return documents["duplicate_of"] == ""


def kept_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """The kept documents (see :func:`is_kept`), in table order."""
    return documents[is_kept(documents)]


# --------------------------------------------------------------------------------------------
# Documentation
# --------------------------------------------------------------------------------------------

def markdown_table() -> str:
    """The table of contracts for docs/architecture.md (one row per table)."""
    lines = ["| table | path | stage | content | columns (kind; `?` nullable) |",
             "|---|---|---|---|---|"]
    for spec in TABLES.values():
        cols = ", ".join(f"{c.name}:{c.kind}{'?' if c.nullable else ''}" for c in spec.columns)
        if spec.extra:
            cols += f", + {spec.extra_note} ({spec.extra})"
        lines.append(f"| `{spec.name}` | `{spec.path}` | {spec.stage} | {spec.note} | {cols} |")
    return "\n".join(lines) + "\n"
