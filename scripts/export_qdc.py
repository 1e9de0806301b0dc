from gtflow.runner import run_job

run_job(
    "gtflow.refi.steps:export_study_codebook",
    log=snakemake.log[0],
    codebook=snakemake.input.codebook,
    out=snakemake.output[0],
)
