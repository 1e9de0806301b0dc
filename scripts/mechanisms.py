
from gtflow.runner import run_job

run_job(
    "gtflow.mechanisms.steps:build_mechanisms",
    log=snakemake.log[0],
    codings=snakemake.input.codings,
    documents=snakemake.input.documents,
    segments=snakemake.input.segments,
    texts=snakemake.input.texts,
    codebook=snakemake.input.codebook,
    model=snakemake.input.model,
    settings=dict(snakemake.params.settings),
    outputs=dict(snakemake.output.items()),
    validity=snakemake.input.validity,
)
