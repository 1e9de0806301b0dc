from gtflow.runner import run_job

run_job(
    "gtflow.ingest.steps:ingest_page_file",
    log=snakemake.log[0],
    raw=snakemake.input.raw,
    manifest=snakemake.input.manifest,
    excluded=snakemake.params.excluded,
    out=snakemake.output[0],
    limits=snakemake.params.limits,
)
