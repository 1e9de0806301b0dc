from pathlib import Path

from gtflow.report.inputs import ReportInputs
from gtflow.runner import run_job

run_job(
    "gtflow.report.steps:build_report_context",
    log=snakemake.log[0],
    inputs=ReportInputs.from_mapping(dict(snakemake.input.items())),
    config=dict(snakemake.params.config),
    templates=Path(snakemake.input.labels_en).parent,
    outputs=dict(snakemake.output.items()),
)
