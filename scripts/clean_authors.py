from gtflow.runner import run_job

run_job(
    "gtflow.clean.authors:write_author_table",
    log=snakemake.log[0],
    ingested=list(snakemake.input.ingested),
    out=snakemake.output[0],
)
