"""Peak memory of importing a legitimate 200 MB text source from a .qdpx (target: < 4x its size).

Builds an NVivo-style project (UTF-16 offsets, CRLF line breaks, Chinese and English text) with
one 200 MB source and 2,000 coded selections, then runs, each in a fresh process:

- baseline: read the same member from the same archive and decode it (plain ``zipfile`` +
  ``bytes.decode``): the least any importer must hold;
- import:   ``gtflow import-qdpx`` into a new study folder.

Prints the peak resident memory of each (the child's own high-water mark, from wait4), the
ratio import / baseline and import / source size. Usage: ``python bench/refi_import/run.py
[--mb 200] [--work DIR]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PARAGRAPH = ("受访者：每周都要排名，排名靠后就通报，大家只好想办法把数字做上去。"
             "Interviewer: so the app was used mostly for the weekly ranking? 😤 "
             "答：对，下载量和注册量是考核指标，真正用它反映问题的人很少。")
SELECTIONS = 2000
GUID = "00000000-0000-4000-8000-{:012d}"


def build_project(path: Path, megabytes: int) -> int:
    """The project; returns the source's size in bytes (UTF-8, as stored)."""
    paragraph = PARAGRAPH.encode("utf-8")
    line = paragraph + b"\r\n"
    copies = megabytes * 1_000_000 // len(line)
    units = len(PARAGRAPH.encode("utf-16-le")) // 2 + 2  # NVivo: UTF-16 units, CRLF = 2
    quote_start = PARAGRAPH.index("排名靠后")
    quote_units = (len(PARAGRAPH[:quote_start].encode("utf-16-le")) // 2,
                   len(PARAGRAPH[:quote_start + 4].encode("utf-16-le")) // 2)
    step = max(copies // SELECTIONS, 1)
    selections = "".join(
        f'<PlainTextSelection guid="{GUID.format(1000 + n)}" '
        f'startPosition="{n * step * units + quote_units[0]}" '
        f'endPosition="{n * step * units + quote_units[1]}" creatingUser="{GUID.format(1)}">'
        f'<Coding guid="{GUID.format(100000 + n)}" creatingUser="{GUID.format(1)}">'
        f'<CodeRef targetGUID="{GUID.format(10)}"/></Coding></PlainTextSelection>'
        for n in range(min(SELECTIONS, copies)))
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="Bench" origin="NVivo 14"><Users><User guid="{GUID.format(1)}" name="Ana"/>'
           f'</Users><CodeBook><Codes><Code guid="{GUID.format(10)}" name="Ranking" '
           f'isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{GUID.format(20)}" '
           f'name="Big interview" plainTextPath="internal://{GUID.format(20)}.txt">'
           f'{selections}</TextSource></Sources></Project>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("project.qde", qde)
        with archive.open(f"Sources/{GUID.format(20)}.txt", "w", force_zip64=True) as member:
            block = line * 10_000
            for _ in range(copies // 10_000):
                member.write(block)
            member.write(line * (copies % 10_000))
    return copies * len(line)


BASELINE = """
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    data = archive.read(sys.argv[2])
text = data.decode("utf-8")
del data
print(len(text))
"""


def peak_of(command: list[str]) -> tuple[int, float]:
    """Peak RSS (bytes) and wall time of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[:4]} failed:\n{process.stderr.read().decode()[-2000:]}")
    return usage.ru_maxrss * 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the source in MB")
    parser.add_argument("--work", type=Path, help="folder for the generated files (default: temp)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="gtflow-bench-refi-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "big.qdpx"
    size = build_project(project, args.mb)
    print(f"source: {size / 1e6:.0f} MB of UTF-8 text (CRLF, CJK, emoji), {SELECTIONS} "
          f"selections; archive {project.stat().st_size / 1e6:.1f} MB")
    floor, _ = peak_of([sys.executable, "-c", "import gtflow.refi, gtflow.cli"])
    baseline, baseline_s = peak_of([sys.executable, "-c", BASELINE, str(project),
                                    f"Sources/{GUID.format(20)}.txt"])
    study = work / "study"
    shutil.rmtree(study, ignore_errors=True)
    imported, import_s = peak_of([sys.executable, "-m", "gtflow.cli", "import-qdpx",
                                  str(project), "--into", str(study)])
    print(f"{'process':<34}{'peak RSS':>12}{'time':>10}")
    print(f"{'interpreter + gtflow imports':<34}{floor / 1e6:>9.0f} MB{'':>10}")
    print(f"{'baseline: zipfile read + decode':<34}{baseline / 1e6:>9.0f} MB{baseline_s:>9.1f}s")
    print(f"{'gtflow import-qdpx':<34}{imported / 1e6:>9.0f} MB{import_s:>9.1f}s")
    print(f"ratio import / baseline: {imported / baseline:.2f}")
    print(f"ratio import / source size: {imported / size:.2f} (target < 4)")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
