from gtflow.runner import run_job

run_job(
    "gtflow.refi.steps:export_projects",
    log=snakemake.log[0],
    documents=snakemake.input.documents,
    texts=snakemake.input.texts,
    codings=snakemake.input.codings,
    review=snakemake.input.review,
    codebook=snakemake.input.codebook,
    project_out=snakemake.output.project,
    review_out=snakemake.output.review,
    project_name=snakemake.params.project_name,
    memos=[str(p) for p in snakemake.input.memos],
    model=snakemake.input.model,
)
