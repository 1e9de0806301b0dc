# Config loading and validation, discovery of a study's raw files, and named input functions.
import os
import sys
from pathlib import Path

from snakemake.utils import min_version

import gtflow
from gtflow.clean.phones import study_phone_regions
from gtflow.config import complete_config
from gtflow.errors import InputError
from gtflow.ingest.post_fields import fields_for_file
from gtflow.memos import memo_files
from gtflow.resources import template_dir
from gtflow.study import StudyFiles

min_version("9.0")

try:
    config.update(complete_config(config, "config/config.yaml"))
    STUDY = StudyFiles.discover(".")
    PHONE_REGIONS = study_phone_regions(
        config["clean"]["phone_regions"], "config/codebook.yaml"
    )
except InputError as error:
    sys.exit(f"gtflow: {error.describe()}")

REPORT = f"reports/{config['study']['name']}"
# The report's templates and labels are package data of gtflow (importlib.resources), so they
# are found wherever gtflow is installed; files of the study are relative to the working folder.
TEMPLATE_DIR = template_dir()
# Snakemake reruns a job when its script changes, not when library code it imports changes; so
# every rule also takes the library modules it runs as inputs (see library_code).
LIBRARY_DIR = Path(gtflow.__file__).resolve().parent
SHARED_LIBRARY = (
    "__init__.py",
    "resources/__init__.py",
    "errors.py",
    "io.py",
    "runner.py",
    "jobserver.py",
    "config.py",
    "contracts.py",
    "csvtext.py",
    "limits.py",
    "parallel.py",
    "frames.py",
)


wildcard_constraints:
    source="interviews|pages|posts",
    stem="[^/]+",


def library_code(*parts):
    """The shared library modules plus the named subpackages ("clean") and modules
    ("memos.py"), as paths: every module the rule's script loads (a test checks it)."""
    files = [LIBRARY_DIR / name for name in SHARED_LIBRARY]
    # Jobs fill the schemas' defaults into the codebook, model, memos and limits they read.
    files += sorted((LIBRARY_DIR / "resources" / "schemas").glob("*.yaml"))
    for part in parts:
        path = LIBRARY_DIR / part
        files += [path] if part.endswith(".py") else sorted(path.rglob("*.py"))
    return [str(path) for path in files]


#: Input (MB) from which a step that can split its work (gtflow.parallel) asks for more cores.
#: Each worker holds a chunk of 50k posts (about 250 MB when cleaning), which pays for itself
#: only over several chunks: at 100k posts (a 24 MB export, a 6 MB ingest table) the workers
#: took the cleaning to 891 MB and the ingest to 790 MB. A 1M-post export is 245 MB and its
#: ingest table 62 MB.
LARGE_INPUT_MB = 32
#: The most cores such a step asks for; Snakemake gives no more than --cores.
PARALLEL_STEP_CORES = 4


def cores_for_input(wildcards, input):
    """Several cores for a large input (the step forks workers over its chunks), else one.

    The files are measured here, not with input.size_mb: before they exist (a dry run, or
    planning) this is one core, where Snakemake cannot take a threads value it must wait for;
    Snakemake evaluates it again when the job is ready to run."""
    size_mb = (
        sum(os.path.getsize(path) for path in input if os.path.isfile(path)) / 2**20
    )
    return PARALLEL_STEP_CORES if size_mb >= LARGE_INPUT_MB else 1


def interview_file(wildcards):
    return STUDY.interviews[wildcards.stem]


def page_file(wildcards):
    return STUDY.pages[wildcards.stem]


def posts_file(wildcards):
    return STUDY.posts[wildcards.stem]


def post_fields(wildcards):
    return fields_for_file(
        Path(posts_file(wildcards)).name, config["ingest"]["posts"]["fields"]
    )


def roster_file(wildcards):
    return [STUDY.roster] if STUDY.roster else []


def private_roster(wildcards):
    return ["private/roster.parquet"] if STUDY.roster else []


def page_manifest(wildcards):
    return STUDY.manifest


def ingested_file(wildcards):
    return f"private/ingest/{wildcards.source}/{wildcards.stem}.parquet"


def ingested_posts(wildcards):
    return [f"private/ingest/posts/{stem}.parquet" for stem in sorted(STUDY.posts)]


def author_table(wildcards):
    return ["private/authors.csv"] if wildcards.source == "posts" else []


def clean_counts_per_file(wildcards):
    return [
        f"results/clean/{s}/{stem}.deidentification.parquet"
        for s, stem in STUDY.units()
    ]


def clean_documents_per_file(wildcards):
    return [f"results/clean/{s}/{stem}.documents.parquet" for s, stem in STUDY.units()]


def clean_segments_per_file(wildcards):
    return [f"results/clean/{s}/{stem}.segments.parquet" for s, stem in STUDY.units()]


def clean_text_indexes_per_file(wildcards):
    return [f"results/clean/text/{s}/{stem}.index.parquet" for s, stem in STUDY.units()]


def clean_file_text_index(wildcards):
    return f"results/clean/text/{wildcards.source}/{wildcards.stem}.index.parquet"


def clean_file_documents(wildcards):
    return f"results/clean/{wildcards.source}/{wildcards.stem}.documents.parquet"


def clean_file_segments(wildcards):
    return f"results/clean/{wildcards.source}/{wildcards.stem}.segments.parquet"


def autocoded_per_file(wildcards):
    return [f"results/code/auto/{s}/{stem}.parquet" for s, stem in STUDY.units()]


def manual_coding_files(wildcards):
    return STUDY.manual_codings


def memo_inputs(wildcards):
    return memo_files(".")


def review_files(wildcards):
    return STUDY.reviews


def data_card(wildcards):
    return [STUDY.data_card] if STUDY.data_card else []


def public_roster(wildcards):
    return ["results/ingest/respondents.parquet"] if STUDY.roster else []


def raw_side_files(wildcards):
    return [path for path in (STUDY.roster, STUDY.manifest) if path]


def report_formats(wildcards):
    targets = [f"{REPORT}.{fmt}" for fmt in config["report"]["formats"]]
    return targets + [f"{REPORT}_evidence.html"]


def final_targets(wildcards):
    targets = report_formats(wildcards) + [
        "results/exports/case_by_category.sav",
        "results/exports/case_by_category.dta",
        "results/exports/project.qdpx",
        "results/exports/review.qdpx",
        "results/exports/codebook.qdc",
        "results/tables/data_dictionary.csv",
    ]
    if STUDY.roster:
        targets.append("private/pseudonym_key.csv")
    return targets
