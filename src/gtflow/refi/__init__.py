"""REFI-QDA exchange: read vendor projects (.qdpx/.qde) and codebooks (.qdc), write gtflow
codings and codebooks, import a study.

Offsets are converted at this edge: inside gtflow every position is a Unicode code point into
the normalized text ("\\n" line breaks, no BOM), end exclusive.
"""

from gtflow.refi.model import RefiCode, RefiNote, RefiProject, RefiSelection, RefiSource
from gtflow.refi.reader import detect_vendor, read_codebook, read_project
from gtflow.refi.study_import import import_codebook_into_study, import_into_study
from gtflow.refi.writer import gtflow_guid, write_codebook, write_project

__all__ = [
    "RefiCode", "RefiNote", "RefiProject", "RefiSelection", "RefiSource", "detect_vendor",
    "gtflow_guid", "import_codebook_into_study", "import_into_study", "read_codebook",
    "read_project", "write_codebook", "write_project",
]
