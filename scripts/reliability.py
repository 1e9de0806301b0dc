from gtflow.runner import run_job

run_job(
    "gtflow.stats.steps:run_reliability",
    log=snakemake.log[0],
    codings=snakemake.input.codings,
    segments=snakemake.input.segments,
    agreement_out=snakemake.output.agreement,
    disagreements_out=snakemake.output.disagreements,
    summary_out=snakemake.output.summary,
    **snakemake.params,
)
