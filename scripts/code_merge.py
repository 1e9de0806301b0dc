from gtflow.runner import run_job

run_job(
    "gtflow.coding.steps:merge_codings",
    log=snakemake.log[0],
    auto=list(snakemake.input.auto),
    manual=list(snakemake.input.manual),
    documents=snakemake.input.documents,
    segments=snakemake.input.segments,
    texts=snakemake.input.texts,
    codebook=snakemake.input.codebook,
    codings_out=snakemake.output.codings,
    anchors_out=snakemake.output.anchors,
    hierarchy_out=snakemake.output.hierarchy,
    min_score=snakemake.params.min_score,
    reviews=list(snakemake.input.reviews),
    review_out=snakemake.output.review,
)
