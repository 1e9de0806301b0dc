"""The reproducibility appendix: checksums of inputs and raw files, versions, commit, build time."""

from __future__ import annotations

from pathlib import Path

from gtflow.io import sha256_file
from gtflow.report import provenance
from gtflow.report.results import Results

#: Study files checksummed under their own role name.
INPUT_ROLES = ("config_file", "codebook", "model", "data_card", "respondents")


def build(results: Results) -> dict:
    inputs = results.inputs
    roles = {role: getattr(inputs, role) for role in INPUT_ROLES}
    manual = {f"manual_coding_{i + 1}": p for i, p in enumerate(inputs.manual)}
    # Raw files that are not documents (roster, page manifest) are hashed here directly.
    side = {f"raw_{Path(p).name}": p for p in inputs.raw_side}
    return {
        "inputs": provenance.input_checksums({**roles, **manual, **side}),
        "raw_files": provenance.raw_file_checksums(results.documents),
        "codebook_sha256": sha256_file(inputs.codebook),
        "packages": provenance.package_versions(),
        "pandoc": provenance.pandoc_version(),
        "git_commit": provenance.git_commit("."),
        "generated_at": provenance.generated_at(),
    }
