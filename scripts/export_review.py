from gtflow.refi.steps import export_review_project
from gtflow.runner import run_job

run_job(
    export_review_project,
    log=snakemake.log[0],
    documents=snakemake.input.documents,
    texts=snakemake.input.texts,
    codings=snakemake.input.codings,
    review=snakemake.input.review,
    codebook=snakemake.input.codebook,
    out=snakemake.output[0],
    project_name=snakemake.params.project_name,
)
