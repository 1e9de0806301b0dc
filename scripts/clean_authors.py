from gtflow.clean.authors import write_author_table
from gtflow.runner import run_job

run_job(
    write_author_table,
    log=snakemake.log[0],
    ingested=list(snakemake.input.ingested),
    out=snakemake.output[0],
)
