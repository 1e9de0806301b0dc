from gtflow.runner import optional, run_job

run_job(
    "gtflow.clean.steps:clean_file",
    log=snakemake.log[0],
    ingested=snakemake.input.ingested,
    roster=optional(snakemake.input.roster),
    authors=optional(snakemake.input.authors),
    documents_out=snakemake.output.documents,
    segments_out=snakemake.output.segments,
    counts_out=snakemake.output.counts,
    text_out=snakemake.output.text,
    text_index_out=snakemake.output.text_index,
    workers=snakemake.threads,
    **snakemake.params,
)
