from gtflow.refi.steps import export_study_project
from gtflow.runner import run_job

run_job(
    export_study_project,
    log=snakemake.log[0],
    documents=snakemake.input.documents,
    texts=snakemake.input.texts,
    codings=snakemake.input.codings,
    codebook=snakemake.input.codebook,
    out=snakemake.output[0],
    project_name=snakemake.params.project_name,
    memos=[str(p) for p in snakemake.input.memos],
    model=snakemake.input.model,
)
