from gtflow.runner import run_job

run_job(
    "gtflow.coding.steps:assess_rules",
    log=snakemake.log[0],
    codings=snakemake.input.codings,
    review=snakemake.input.review,
    segments=snakemake.input.segments,
    codebook=snakemake.input.codebook,
    validity_out=snakemake.output.validity,
    audit_out=snakemake.output.audit,
    phrases_out=snakemake.output.phrases,
    consensus_coders=list(snakemake.params.consensus_coders),
    coverage=dict(snakemake.params.coverage),
    min_auto_f1=float(snakemake.params.min_auto_f1),
)
