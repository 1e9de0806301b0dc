from pathlib import Path

from gtflow.runner import run_job

run_job(
    "gtflow.report.steps:build_evidence_explorer",
    log=snakemake.log[0],
    evidence=snakemake.input.evidence,
    negative_cases=snakemake.input.negative_cases,
    mechanisms_summary=snakemake.input.mechanisms_summary,
    codebook=snakemake.input.codebook,
    model=snakemake.input.model,
    memos=[str(p) for p in snakemake.input.memos],
    config=dict(snakemake.params.config),
    templates=Path(snakemake.input.labels_en).parent,
    out=snakemake.output[0],
)
