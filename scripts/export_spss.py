
from gtflow.runner import run_job

run_job(
    "gtflow.export.steps:export_spss",
    log=snakemake.log[0],
    case_category=snakemake.input.case_category,
    codebook=snakemake.input.codebook,
    sav=snakemake.output.sav,
    dta=snakemake.output.dta,
)
