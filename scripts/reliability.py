from gtflow.runner import run_job
from gtflow.stats.steps import run_reliability

run_job(
    run_reliability,
    log=snakemake.log[0],
    codings=snakemake.input.codings,
    segments=snakemake.input.segments,
    agreement_out=snakemake.output.agreement,
    disagreements_out=snakemake.output.disagreements,
    summary_out=snakemake.output.summary,
    **snakemake.params,
)
