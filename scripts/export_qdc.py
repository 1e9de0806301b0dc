from gtflow.refi.steps import export_study_codebook
from gtflow.runner import run_step

run_step(export_study_codebook, log=snakemake.log[0], codebook=snakemake.input.codebook,
         out=snakemake.output[0])
