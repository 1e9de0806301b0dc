from gtflow.clean.steps import clean_file
from gtflow.runner import optional, run_step

run_step(
    clean_file,
    log=snakemake.log[0],
    ingested=snakemake.input.ingested,
    roster=optional(snakemake.input.roster),
    extra_names=snakemake.params.extra_names,
    title_aliases=snakemake.params.title_aliases,
    documents_out=snakemake.output.documents,
    segments_out=snakemake.output.segments,
)
