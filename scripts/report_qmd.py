from pathlib import Path

from gtflow.runner import run_job

run_job(
    "gtflow.report.document:write_report_qmd",
    log=snakemake.log[0],
    context=snakemake.input.context,
    templates=Path(snakemake.input.template).parent,
    language=snakemake.params.language,
    out=snakemake.output[0],
)
