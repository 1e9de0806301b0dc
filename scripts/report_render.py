from gtflow.runner import run_job

run_job(
    "gtflow.report.document:render_report_html",
    log=snakemake.log[0],
    qmd=snakemake.input.qmd,
    css=snakemake.input.css,
    renderer=snakemake.params.renderer,
    out=snakemake.output[0],
)
