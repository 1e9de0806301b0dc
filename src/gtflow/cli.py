"""The `gtflow` command: validate, init, import-qdpx, import-qdc, export-qdpx, synth.

Every input problem prints one line naming the file (and line or record), every configuration
problem one line naming the key, and exits with 1; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gtflow.errors import REPORTED_ERRORS, InputError


def command_validate(args: argparse.Namespace) -> int:
    from gtflow.validate import validate_study

    report = validate_study(args.study, source_mb=args.max_source_mb,
                            package_mb=args.max_package_mb)
    for problem in report.problems:
        print(f"gtflow: {problem}", file=sys.stderr)
    if report.problems:
        print(f"{len(report.problems)} problem(s) found in {args.study}", file=sys.stderr)
        return 1
    print(f"{args.study}: {len(report.checked)} checks passed")
    return 0


def command_init(args: argparse.Namespace) -> int:
    from gtflow.init import init_study

    created = init_study(args.study, args.name)
    print(f"created {len(created)} files in {args.study}; add material under data/raw/, check it\n"
          f"with `gtflow validate {args.study}`, then run the workflow there: from a gtflow checkout\n"
          f"  snakemake --snakefile CHECKOUT/workflow/Snakefile --directory {args.study} --cores 4\n"
          f"or as a Snakemake module of the study (gtflow's README: 'A study in its own repository')")
    return 0


def command_import_qdpx(args: argparse.Namespace) -> int:
    from gtflow.limits import default_limits
    from gtflow.refi import import_into_study

    if args.external_sources and not Path(args.external_sources).is_dir():
        raise InputError(args.external_sources, "is not a folder (--external-sources names the "
                         "folder whose files a project may use as sources)")
    limits = default_limits().with_overrides(source_mb=args.max_source_mb,
                                             package_mb=args.max_package_mb)
    summary = import_into_study(args.file, args.into, overwrite=args.overwrite, strict=args.strict,
                                limits=limits, external_sources=args.external_sources)
    for warning in summary.pop("warnings"):
        print(f"gtflow: warning: {warning}", file=sys.stderr)
    skipped = summary.pop("skipped")
    for key, value in summary.items():
        print(f"{key}: {value}")
    print(import_summary(summary, skipped))
    return 0


def import_summary(summary: dict, skipped: dict[str, int]) -> str:
    """The last line of an import: what came in and what was left out, in counts."""
    reasons = ", ".join(f"{count} {reason}{'s' if count != 1 else ''}"
                        for reason, count in skipped.items())
    return (f"imported {len(summary['documents'])} text source(s), {summary['codes']} code(s), "
            f"{summary['codings_written']} coding(s) by {len(summary['coders'])} coder(s); "
            f"skipped {sum(skipped.values())} source(s)" + (f" ({reasons})" if reasons else ""))


def command_import_qdc(args: argparse.Namespace) -> int:
    from gtflow.refi import import_codebook_into_study

    summary = import_codebook_into_study(args.file, args.into, overwrite=args.overwrite)
    for key, value in summary.items():
        print(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    print(f"the model's nodes (config/model.yaml) are among these ids: "
          f"{', '.join(main.split()[0] for main in summary['main_categories'])} (main categories) "
          "and C1... (categories; see config/codebook.yaml)")
    return 0


def command_export_qdpx(args: argparse.Namespace) -> int:
    from gtflow.config import load_config
    from gtflow.memos import memo_files
    from gtflow.refi.steps import export_study_project

    study = Path(args.study)
    results = study / "results"
    for needed in ("clean/documents.parquet", "clean/text/index.parquet", "code/codings.parquet"):
        if not (results / needed).exists():
            raise InputError(results / needed, "does not exist yet; run the pipeline first")
    name = load_config(study / "config" / "config.yaml")["study"]["name"]
    export_study_project(results / "clean/documents.parquet", results / "clean/text/index.parquet",
                         results / "code/codings.parquet", study / "config" / "codebook.yaml",
                         args.out, name,
                         memos=[str(study / p) for p in memo_files(study)],
                         model=study / "config" / "model.yaml")
    print(f"wrote {args.out}")
    return 0


def command_synth(args: argparse.Namespace) -> int:
    from gtflow.synth import synth_posts

    path = synth_posts(args.study, args.posts, seed=args.seed)
    print(f"wrote {args.posts} synthetic posts to {path}")
    return 0


def positive_megabytes(value: str) -> float:
    """A size limit from the command line: a positive number of megabytes."""
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of megabytes, not {value!r}")
    return number


def size_limit_flags() -> argparse.ArgumentParser:
    """--max-source-mb and --max-package-mb, shared by the commands that read untrusted files."""
    from gtflow.limits import default_limit_settings

    defaults = default_limit_settings()
    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument("--max-source-mb", type=positive_megabytes, metavar="MB",
                       help="largest source file or unpacked package member (default: the "
                            f"study's limits.source_mb, else {defaults['source_mb']:g})")
    flags.add_argument("--max-package-mb", type=positive_megabytes, metavar="MB",
                       help="largest total unpacked from one .qdpx or .docx (default: the "
                            f"study's limits.package_mb, else {defaults['package_mb']:g})")
    return flags


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gtflow", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    limits = size_limit_flags()
    validate = commands.add_parser("validate", parents=[limits],
                                   help="check a study's config, codebook, model and raw files")
    validate.add_argument("study", nargs="?", default=".", help="study folder (default: .)")
    validate.set_defaults(run=command_validate)
    init = commands.add_parser("init", help="scaffold a new study folder")
    init.add_argument("study", help="folder to create")
    init.add_argument("--name", help="file-name stem of the report (default: folder name)")
    init.set_defaults(run=command_init)
    importer = commands.add_parser("import-qdpx", parents=[limits],
                                   help="create a study from a REFI-QDA project")
    importer.add_argument("file", help=".qdpx or .qde exported by NVivo, ATLAS.ti, MAXQDA, ...")
    importer.add_argument("--into", required=True, help="study folder to create")
    importer.add_argument("--overwrite", action="store_true", help="replace files in an existing study")
    importer.add_argument("--strict", action="store_true",
                          help="stop at a text source whose file is missing instead of skipping it")
    importer.add_argument("--external-sources", metavar="DIR",
                          help="let the project use source files that lie outside it, but only "
                               "those under DIR (symlinks resolved); without it they are refused")
    importer.set_defaults(run=command_import_qdpx)
    codebook = commands.add_parser("import-qdc", help="write a study's codebook from a REFI-QDA codebook (.qdc)")
    codebook.add_argument("file", help=".qdc (Codebook Exchange) exported by NVivo, ATLAS.ti, MAXQDA, ...")
    codebook.add_argument("--into", required=True, help="study folder (config/codebook.yaml is written)")
    codebook.add_argument("--overwrite", action="store_true", help="replace an existing config/codebook.yaml")
    codebook.set_defaults(run=command_import_qdc)
    exporter = commands.add_parser("export-qdpx", help="write a study's clean texts and codings as .qdpx")
    exporter.add_argument("study", nargs="?", default=".", help="study folder (after a run)")
    exporter.add_argument("--out", default="project.qdpx", help="output file")
    exporter.set_defaults(run=command_export_qdpx)
    synth = commands.add_parser("synth", help="write a large synthetic post export (scale tests)")
    synth.add_argument("study", nargs="?", default=".", help="study folder with a codebook")
    synth.add_argument("--posts", type=int, default=10000, help="number of posts")
    synth.add_argument("--seed", type=int, default=1, help="random seed")
    synth.set_defaults(run=command_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except REPORTED_ERRORS as error:
        print(f"gtflow: {error.describe()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
