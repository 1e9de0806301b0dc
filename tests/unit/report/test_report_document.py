"""The report's document jobs (.qmd, HTML, PDF) load none of the tables' libraries."""

from __future__ import annotations


def test_the_document_jobs_do_not_load_pandas_or_pyarrow(modules_loaded_by):
    # Each of these jobs is on the report's critical path and does well under a second of work;
    # pandas and pyarrow would add about 0.6 s to each.
    code = "import gtflow.runner, gtflow.report.document"
    assert modules_loaded_by(code, ["pandas", "pyarrow", "numpy", "jsonschema", "lxml"]) == []
