"""The table declarations: checking, writing, reading, fixtures, and the docs table."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from gtflow import contracts
from gtflow.contracts import ContractError
from gtflow.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def test_every_table_has_a_known_stage_and_a_results_or_private_path():
    stages = {"ingest", "clean", "code", "reliability", "saturation", "mechanisms", "export",
              "report"}
    for spec in contracts.TABLES.values():
        assert spec.stage in stages, spec.name
        assert spec.path.startswith(("results/", "private/")), spec.name
        assert spec.format in ("csv", "parquet")
        assert len(set(spec.names)) == len(spec.names), spec.name


def test_every_table_path_is_written_by_a_rule():
    """A declared path that no rule writes is a stale declaration (and the reverse a gap)."""
    def pattern(path: str) -> re.Pattern:
        return re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$")

    rules = "".join(p.read_text(encoding="utf-8") for p in (REPO / "workflow" / "rules").glob("*.smk"))
    written = set(re.findall(r'"((?:results|private)/[^"]+\.(?:csv|parquet))"', rules))
    declared = {spec.name: pattern(spec.path) for spec in contracts.TABLES.values()}
    undeclared = [p for p in written if not any(d.match(p) for d in declared.values())]
    unwritten = [n for n, d in declared.items() if not any(d.match(p) for p in written)]
    assert (undeclared, unwritten) == ([], [])


def test_frame_fills_left_out_columns_and_keeps_declared_order():
    frame = contracts.frame("edges", [{"to": "B", "from": "A", "documents": 2}])
    assert list(frame.columns) == contracts.columns("edges")
    assert frame.iloc[0].to_dict() == {
        "from": "A", "to": "B", "relation": "", "relation_en": "", "documents": 2,
        "respondents": 0, "interviews": 0, "web_documents": 0, "weak": False, "threshold": 0}


def test_frame_rejects_a_column_the_table_does_not_have():
    with pytest.raises(ContractError, match="source"):
        contracts.frame("edges", [{"source": "A", "to": "B"}])


def test_extra_columns_follow_the_fixed_ones():
    frame = contracts.frame("case_by_main_category",
                            [{"case_id": "R1", "AA2": 1, "AA1": 0}], extra=["AA1"])
    assert list(frame.columns)[-2:] == ["AA1", "AA2"]
    assert contracts.problems("case_by_main_category", frame) == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns="weak"), "missing weak"),
    (lambda f: f.assign(support=1), "unexpected support"),
    (lambda f: f[["to", *[c for c in f.columns if c != "to"]]], "out of order"),
    (lambda f: f.assign(documents=["two"]), "documents must hold int"),
    (lambda f: f.assign(weak=["yes"]), "weak must hold bool"),
    (lambda f: f.assign(relation=[None]), "relation has missing values"),
])
def test_problems_name_what_is_wrong(change, message):
    frame = change(contracts.frame("edges", [{"from": "A", "to": "B"}]))
    with pytest.raises(ContractError, match=message):
        contracts.validate("edges", frame)


def test_write_checks_before_writing(tmp_path):
    target = tmp_path / "edges.csv"
    with pytest.raises(ContractError):
        contracts.write_table("edges", pd.DataFrame({"source": ["A"]}), target)
    assert not target.exists()
    with pytest.raises(ContractError, match="csv"):
        contracts.write_table("edges", contracts.empty_frame("edges"), tmp_path / "edges.parquet")


def test_csv_round_trip_keeps_ids_text_and_empty_strings(tmp_path):
    rows = [{"case_id": "007", "case_type": "respondent", "source_type": "interview",
             "n_documents": 2, "AA1": 3}]
    path = tmp_path / "case.csv"
    contracts.write_table("case_by_main_category", contracts.frame("case_by_main_category", rows),
                          path)
    back = contracts.read_table("case_by_main_category", path)
    assert back.to_dict("records") == rows
    quotes = contracts.frame("quotes", [{"item_type": "edge", "item_id": "A->B", "quote": "",
                                         "truncated": True}])
    contracts.write_table("quotes", quotes, tmp_path / "quotes.csv")
    back = contracts.read_table("quotes", tmp_path / "quotes.csv")
    assert back.iloc[0]["quote"] == "" and bool(back.iloc[0]["truncated"]) is True


def test_nullable_int_read_back_from_csv_with_gaps(tmp_path):
    rows = [{"source": "a.csv", "line": 2, "start": 1, "end": 4, "status": "ok"},
            {"source": "a.csv", "line": 3, "status": "orphaned"}]
    frame = contracts.frame("anchoring", rows)
    assert frame["start"].isna().tolist() == [False, True]
    contracts.write_table("anchoring", frame, tmp_path / "anchoring.csv")
    back = contracts.read_table("anchoring", tmp_path / "anchoring.csv")
    assert back["start"].iloc[0] == 1 and pd.isna(back["start"].iloc[1])


def test_empty_table_reads_back_with_declared_kinds(tmp_path):
    path = tmp_path / "agreement.csv"
    contracts.write_table("agreement", contracts.empty_frame("agreement"), path)
    assert path.read_text(encoding="utf-8").strip() == ",".join(contracts.columns("agreement"))
    back = contracts.read_table("agreement", path)
    assert back.empty and str(back["n_units"].dtype) == "int64"


def test_reading_a_drifted_file_names_it(tmp_path):
    path = tmp_path / "nodes.csv"
    path.write_text("id,documents\nAA1,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"nodes\.csv.*missing node_id"):
        contracts.read_table("nodes", path)
    with pytest.raises(InputError, match="is missing"):
        contracts.read_table("nodes", tmp_path / "absent.csv")


def test_parquet_round_trip_and_concatenation(tmp_path):
    one = contracts.frame("auto_codings", [{"doc_id": "D1", "seg_id": 1, "end": 3}])
    contracts.write_table("auto_codings", one, tmp_path / "a.parquet")
    contracts.write_table("auto_codings", contracts.empty_frame("auto_codings"),
                          tmp_path / "b.parquet")
    both = contracts.read_tables("auto_codings", [tmp_path / "a.parquet", tmp_path / "b.parquet"])
    assert both.to_dict("records") == one.to_dict("records")
    assert contracts.read_tables("auto_codings", []).empty


def test_unknown_table_lists_the_known_ones():
    with pytest.raises(KeyError, match="nodes"):
        contracts.table("node")


def test_architecture_doc_shows_the_declared_tables():
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert contracts.markdown_table() in doc


def test_a_table_written_in_chunks_reads_back_whole(tmp_path):
    rows = [{"doc_id": f"d{i}", "seg_id": i, "start": 0, "end": 3, "text": "一二三"} for i in range(5)]
    one = tmp_path / "one.segments.parquet"
    contracts.write_table("file_segments", contracts.frame("file_segments", rows), one)
    single = tmp_path / "single.segments.parquet"
    contracts.write_table_chunks("file_segments", [contracts.frame("file_segments", rows)], single)
    assert single.read_bytes() == one.read_bytes()  # one chunk: the bytes of write_table
    chunked = tmp_path / "chunked.segments.parquet"
    frames = [contracts.frame("file_segments", rows[:2]), contracts.empty_frame("file_segments"),
              contracts.frame("file_segments", rows[2:])]
    assert contracts.write_table_chunks("file_segments", frames, chunked) == 5
    pd.testing.assert_frame_equal(contracts.read_table("file_segments", chunked),
                                  contracts.read_table("file_segments", one))
    none = tmp_path / "none.segments.parquet"
    contracts.write_table_chunks("file_segments", [], none)
    assert contracts.read_table("file_segments", none).empty


def test_a_csv_table_written_in_chunks_is_the_bytes_of_the_whole(tmp_path):
    rows = [{"edge": f"A{i}->B", "doc_id": f"d,{i}", "kind": "source_only"} for i in range(5)]
    whole = tmp_path / "whole.csv"
    contracts.write_table("negative_cases", contracts.frame("negative_cases", rows), whole)
    chunked = tmp_path / "chunked.csv"
    frames = [contracts.frame("negative_cases", rows[:2]), contracts.empty_frame("negative_cases"),
              contracts.frame("negative_cases", rows[2:])]
    assert contracts.write_table_chunks("negative_cases", frames, chunked) == 5
    assert chunked.read_bytes() == whole.read_bytes()
    none, empty = tmp_path / "none.csv", tmp_path / "empty.csv"
    contracts.write_table_chunks("negative_cases", [], none)
    contracts.write_table("negative_cases", contracts.empty_frame("negative_cases"), empty)
    assert none.read_bytes() == empty.read_bytes() == b"edge,doc_id,kind\n"


def test_a_failing_chunk_leaves_no_table(tmp_path):
    def frames():
        yield contracts.frame("file_segments", [{"doc_id": "d1", "seg_id": 1}])
        raise RuntimeError("the stage failed half-way")

    out = tmp_path / "x.segments.parquet"
    with pytest.raises(RuntimeError):
        contracts.write_table_chunks("file_segments", frames(), out)
    assert list(tmp_path.iterdir()) == []


def test_a_table_read_in_chunks_is_the_table(tmp_path):
    rows = [{"doc_id": f"d{i}", "seg_id": i, "start": 0, "end": 3, "text": "一二三"} for i in range(7)]
    path = tmp_path / "x.segments.parquet"
    contracts.write_table("file_segments", contracts.frame("file_segments", rows), path)
    chunks = list(contracts.read_table_chunks("file_segments", path, rows=3))
    assert [len(c) for c in chunks] == [3, 3, 1]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True),
                                  contracts.read_table("file_segments", path))
    with pytest.raises(InputError, match="is missing"):
        next(contracts.read_table_chunks("file_segments", tmp_path / "gone.parquet", rows=3))


def test_some_columns_of_several_files_are_read_and_checked(tmp_path):
    paths = []
    for number in range(2):
        path = tmp_path / f"f{number}.documents.parquet"
        contracts.write_table("file_documents", contracts.frame(
            "file_documents", [{"doc_id": f"d{number}", "source_type": "web_post"}]), path)
        paths.append(path)
    read = contracts.read_columns("file_documents", paths, ["doc_id", "source_type"])
    assert read.to_dict("list") == {"doc_id": ["d0", "d1"], "source_type": ["web_post"] * 2}
    with pytest.raises(InputError, match="f0.documents.parquet"):
        contracts.read_columns("file_documents", paths, ["doc_id", "no_such_column"])


def test_a_csv_read_in_batches_is_the_table_in_the_wanted_columns(tmp_path):
    rows = [{"source": "a.csv", "line": i, "doc_id": "007", "start": 1, "end": 4, "status": "ok",
             "score": 0.5, "quote": 'say "no", then\nleave' if i == 2 else ("NA" if i else "")}
            for i in range(5)]
    rows[3].pop("start"), rows[3].pop("score")
    path = tmp_path / "anchoring.csv"
    contracts.write_table("anchoring", contracts.frame("anchoring", rows), path)
    wanted = ["quote", "doc_id", "start", "score"]
    batches = list(contracts.read_csv_batches("anchoring", path, wanted, rows=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert all(list(b.columns) == wanted for b in batches)
    pd.testing.assert_frame_equal(pd.concat(batches, ignore_index=True),
                                  contracts.read_table("anchoring", path)[wanted],
                                  check_dtype=False)
    with pytest.raises(InputError, match="is missing"):
        next(contracts.read_csv_batches("anchoring", tmp_path / "gone.csv", wanted, rows=2))
    path.write_text("source,line\na.csv,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"anchoring\.csv.*missing doc_id"):
        next(contracts.read_csv_batches("anchoring", path, wanted, rows=2))


def kind_problem_by_dropna(series: pd.Series, column: contracts.Column) -> str | None:
    """The check as first written (present values copied out first): the reference."""
    if column.kind == "any":
        return None
    present = series.dropna()
    if len(present) < len(series) and not column.nullable:
        return "has missing values but is not nullable"
    if series.empty or present.empty:
        return None
    return contracts._kind_problem(present, column)


@pytest.mark.parametrize("values, dtype", [
    (["a", "b"], "str"), (["a", None], "str"), ([None, None], "str"), ([], "str"),
    (["a", 1], object), ([1.0, None], "float64"), ([1.5, None], "float64"), ([1, 2], "int64"),
    ([True, None], object), ([None], object), ([1.0, float("nan")], "float64")])
@pytest.mark.parametrize("kind", ["str", "int", "float", "bool", "any"])
@pytest.mark.parametrize("nullable", [False, True])
def test_kind_check_agrees_with_copying_out_the_present_values(values, dtype, kind, nullable):
    series = pd.Series(values, dtype=dtype)
    column = contracts.Column("x", kind, nullable=nullable)
    assert contracts._kind_problem(series, column) == kind_problem_by_dropna(series, column)


@pytest.mark.parametrize("body", [
    "a.csv,1,007,a1,x,1,2,3,4,ok,0.5,q\n",            # every kind fits
    "a.csv,1,007,a1,x,1,2,,,ok,,q\n",                 # nullable gaps: pandas decides
    "a.csv,1,007,a1,x,1,2,1.5,4,ok,0.5,q\n",          # a nullable int that is not whole
    "a.csv,1,007,a1,x,1,2,x,4,ok,0.5,q\n",            # text in a nullable int column
    "a.csv,,007,a1,x,1,2,3,4,ok,0.5,q\n",             # a gap in a column that is not nullable
])
def test_arrow_batches_are_checked_as_pandas_checks_them(tmp_path, body):
    path = tmp_path / "anchoring.csv"
    path.write_text(",".join(contracts.columns("anchoring")) + "\n" + body, encoding="utf-8")
    wanted = ["line", "doc_id", "start", "end", "score", "quote"]
    spec = contracts.table("anchoring")

    def by_pandas():
        import pyarrow.csv as pa_csv
        table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
            include_columns=wanted, strings_can_be_null=False,
            column_types={"line": "int64", "doc_id": "string", "quote": "string"}))
        return contracts._column_problems(spec, table.to_pandas(), wanted)

    def by_reader():
        try:
            list(contracts.read_csv_record_batches("anchoring", path, wanted, rows=10))
        except InputError as error:
            return str(error)
        return None

    expected = by_pandas()
    found = by_reader()
    assert (found is None) == (not expected)
    if expected:
        assert "; ".join(expected) in found
