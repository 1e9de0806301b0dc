from gtflow.runner import run_job

run_job(
    "gtflow.coding.steps:autocode_file",
    log=snakemake.log[0],
    documents=snakemake.input.documents,
    segments=snakemake.input.segments,
    texts=snakemake.input.texts,
    codebook=snakemake.input.codebook,
    out=snakemake.output[0],
)
