from gtflow.runner import run_job

run_job(
    "gtflow.stats.steps:run_saturation",
    log=snakemake.log[0],
    codings=snakemake.input.codings,
    documents=snakemake.input.documents,
    codebook=snakemake.input.codebook,
    model=snakemake.input.model,
    curves_out=snakemake.output.curves,
    holdout_out=snakemake.output.holdout,
    reference_out=snakemake.output.reference,
    sensitivity_out=snakemake.output.sensitivity,
    summary_out=snakemake.output.summary,
    settings=snakemake.params.settings,
    seed=snakemake.params.seed,
    coverage=snakemake.params.coverage,
)
