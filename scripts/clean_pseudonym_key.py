from gtflow.runner import run_job

run_job(
    "gtflow.clean.steps:write_pseudonym_key",
    log=snakemake.log[0],
    roster=snakemake.input.roster,
    extra_names=snakemake.params.extra_names,
    out=snakemake.output[0],
)
