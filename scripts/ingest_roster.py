from gtflow.runner import run_job

run_job(
    "gtflow.ingest.roster:ingest_roster",
    log=snakemake.log[0],
    roster=snakemake.input.roster[0],
    private_out=snakemake.output.private,
    public_out=snakemake.output.public,
    labels_out=snakemake.output.labels,
)
