"""REFI-QDA (.qdpx/.qde) exchange: read vendor projects, write gtflow codings, import a study.

Offsets are converted at this edge: inside gtflow every position is a Unicode code point into
the normalized text ("\\n" line breaks, no BOM), end exclusive.
"""

from gtflow.refi.model import RefiCode, RefiNote, RefiProject, RefiSelection, RefiSource
from gtflow.refi.reader import detect_vendor, read_project
from gtflow.refi.study_import import import_into_study
from gtflow.refi.writer import gtflow_guid, write_project

__all__ = [
    "RefiCode", "RefiNote", "RefiProject", "RefiSelection", "RefiSource", "detect_vendor",
    "gtflow_guid", "import_into_study", "read_project", "write_project",
]
