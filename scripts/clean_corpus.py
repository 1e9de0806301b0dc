from gtflow.runner import run_job

run_job(
    "gtflow.clean.steps:clean_corpus",
    log=snakemake.log[0],
    documents=list(snakemake.input.documents),
    segments=list(snakemake.input.segments),
    text_indexes=list(snakemake.input.text_indexes),
    counts=list(snakemake.input.counts),
    documents_out=snakemake.output.documents,
    segments_out=snakemake.output.segments,
    duplicates_out=snakemake.output.duplicates,
    text_index_out=snakemake.output.text_index,
    counts_out=snakemake.output.counts,
    **snakemake.params,
)
