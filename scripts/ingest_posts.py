from gtflow.runner import run_job

run_job(
    "gtflow.ingest.steps:ingest_posts_file",
    log=snakemake.log[0],
    raw=snakemake.input.raw,
    out=snakemake.output[0],
    fields=snakemake.params.fields,
    year=snakemake.params.year,
    timezone=snakemake.params.timezone,
    limits=snakemake.params.limits,
    workers=snakemake.threads,
)
