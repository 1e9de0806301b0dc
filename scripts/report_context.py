from pathlib import Path

from gtflow.report.steps import build_report_context
from gtflow.runner import optional, run_step

paths = {name: str(path) for name, path in snakemake.input.items() if isinstance(path, str)}
paths.update(respondents=optional(snakemake.input.respondents),
             data_card=optional(snakemake.input.data_card),
             manual=[str(p) for p in snakemake.input.manual],
             memos=[str(p) for p in snakemake.input.memos],
             raw_side=[str(p) for p in snakemake.input.raw_side])
run_step(
    build_report_context,
    log=snakemake.log[0],
    paths=paths,
    config=dict(snakemake.params.config),
    templates=Path(snakemake.input.labels_en).parent,
    outputs=dict(snakemake.output.items()),
)
