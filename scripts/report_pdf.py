from gtflow.runner import run_job

run_job(
    "gtflow.report.document:render_report_pdf",
    log=snakemake.log[0],
    qmd=snakemake.input.qmd,
    cjk_font=snakemake.params.cjk_font,
    out=snakemake.output[0],
)
