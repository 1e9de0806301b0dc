from gtflow.runner import optional, run_job

run_job(
    "gtflow.ingest.steps:ingest_interview_file",
    log=snakemake.log[0],
    raw=snakemake.input.raw,
    roster=optional(snakemake.input.roster),
    out=snakemake.output[0],
    limits=snakemake.params.limits,
)
