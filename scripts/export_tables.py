
from gtflow.runner import run_job

run_job(
    "gtflow.export.steps:export_tables",
    log=snakemake.log[0],
    codings=snakemake.input.codings,
    documents=snakemake.input.documents,
    codebook=snakemake.input.codebook,
    case_main=snakemake.input.case_main,
    case_category=snakemake.input.case_category,
    outputs=dict(snakemake.output.items()),
)
