from gtflow.refi.steps import export_study_codebook
from gtflow.runner import run_job

run_job(export_study_codebook, log=snakemake.log[0], codebook=snakemake.input.codebook,
         out=snakemake.output[0])
