"""Benchmark: ingest + clean throughput (MB/s) and peak memory on a generated export of posts.

    PYTHONPATH=src python bench/ingest/run.py [--posts 100000] [--seed 7] [--work bench/ingest/work]

Generates a seeded JSONL export (Chinese posts of realistic length, threads through parent_id,
about 5 % reposts with small edits, about 2 % carrying a phone number, ID number, e-mail or plate),
then runs in a fresh child process each (as the workflow runs each job in its own process):

* the pipeline's four jobs for one export, calling the library functions the script adapters
  call: ingest_posts_file -> write_author_table (author pseudonyms) -> clean_file (normalize,
  de-identify with the CN phone region, segment) -> clean_corpus (exact and near duplicates,
  one text file per document, de-identification counts);
* ``baseline`` — the least any reader must do: json.loads every line and
  unicodedata.normalize("NFC") every text.

Each child's wall time (including interpreter start and imports) and peak RSS (os.wait4) are
reported with MB/s of the export, and the ratio pipeline / baseline. Both are measured in the same
run, on the same file and machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGES = ("ingest_posts", "clean_authors", "clean_file", "clean_corpus")
PHRASES = [
    "平安涟源", "这个APP", "网格员", "下载注册", "每周排名", "通报批评", "层层加码", "形式主义",
    "群众", "村里", "社区", "镇政府", "智慧治理", "矛盾纠纷", "隐患上报", "打卡截图", "考核",
    "县里", "政法委", "留痕", "验证码", "收不到", "卸载了", "又要注册", "老人家", "不会用",
    "手机", "流量", "任务", "指标", "完成率", "一票否决", "调研", "亮点", "试点", "简报",
]
FILLERS = ["的", "了", "是", "我", "你", "他", "们", "就", "也", "都", "还", "不", "有", "在",
           "说", "要", "这", "那", "个", "吧", "啊", "呢", "嘛", "真", "太", "又", "没"]
ENDS = ["。", "！", "？", "……", "。", "，", "～", "！！", "？？"]
EMOJI = ["😂", "👍", "🙄", "😅", "🎉", ""]


def valid_id_number(rng: random.Random) -> str:
    """A checksum-valid synthetic resident ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = f"431382{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
           f"{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def identifier(rng: random.Random) -> str:
    """One synthetic identifier of a random kind."""
    kind = rng.randrange(4)
    if kind == 0:
        return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
    if kind == 1:
        return valid_id_number(rng)
    if kind == 2:
        return f"user{rng.randint(1, 99999)}@example.com"
    return f"湘K·{rng.randint(10000, 99999)}"


def sentence(rng: random.Random) -> str:
    """A short Chinese clause built from study phrases and function characters."""
    words = [rng.choice(PHRASES) if rng.random() < 0.45 else rng.choice(FILLERS)
             for _ in range(rng.randint(3, 12))]
    return "".join(words) + rng.choice(ENDS)


def post_text(rng: random.Random) -> str:
    """A post of lognormal length (median about 60 characters, long tail to a few hundred)."""
    target = min(int(rng.lognormvariate(4.1, 0.7)), 1200)
    parts: list[str] = []
    while sum(map(len, parts)) < target:
        parts.append(sentence(rng))
    if rng.random() < 0.02:
        parts.insert(rng.randrange(len(parts) + 1), f"联系我{identifier(rng)}，")
    return "".join(parts) + rng.choice(EMOJI)


def generate_export(path: Path, posts: int, seed: int) -> None:
    """Write a JSONL export of ``posts`` posts (seeded, deterministic)."""
    rng = random.Random(seed)
    texts: list[str] = []
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(posts):
            if texts and rng.random() < 0.05:  # repost: an earlier text with a small edit
                text = "转发：" + rng.choice(texts[-5000:])[: rng.randint(40, 400)] + "【转】"
            else:
                text = post_text(rng)
            texts.append(text)
            parent = f"p{rng.randrange(n):06d}" if n and rng.random() < 0.3 else None
            day = 1 + n * 700 // posts
            record = {"id": f"p{n:06d}", "url": f"https://weibo.example.com/{n}",
                      "date": f"2019-{1 + (day // 28) % 12:02d}-{1 + day % 28:02d} 10:00:00",
                      "author": f"用户{rng.randint(1, 20000)}", "text": text, "parent_id": parent}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def stage_paths(work: Path) -> dict[str, Path]:
    """Where the pipeline stages read and write inside the work folder."""
    clean = work / "clean"
    return {"ingested": work / "private" / "posts.parquet", "authors": work / "private" / "authors.csv",
            "documents": clean / "posts.documents.parquet", "segments": clean / "posts.segments.parquet",
            "counts": clean / "posts.deidentification.parquet",
            "documents_out": clean / "documents.parquet", "segments_out": clean / "segments.parquet",
            "duplicates_out": clean / "duplicates.csv", "text_dir": clean / "text",
            "counts_out": clean / "deidentification.csv"}


def run_stage(stage: str, export: Path, work: Path) -> None:
    """One workflow job, as its script adapter calls it (each stage is its own process)."""
    from gtflow.clean.authors import write_author_table
    from gtflow.clean.steps import clean_corpus, clean_file
    from gtflow.ingest.steps import ingest_posts_file

    paths = stage_paths(work)
    if stage == "ingest_posts":
        ingest_posts_file(raw=export, out=paths["ingested"])
    elif stage == "clean_authors":
        write_author_table(ingested=[paths["ingested"]], out=paths["authors"])
    elif stage == "clean_file":
        clean_file(ingested=paths["ingested"], documents_out=paths["documents"],
                   segments_out=paths["segments"], counts_out=paths["counts"],
                   phone_regions=["CN"], roster=None, extra_names=["张三丰", "李四光"],
                   authors=paths["authors"])
    else:
        clean_corpus(documents=[str(paths["documents"])], segments=[str(paths["segments"])],
                     counts=[str(paths["counts"])], documents_out=paths["documents_out"],
                     segments_out=paths["segments_out"], duplicates_out=paths["duplicates_out"],
                     text_dir=paths["text_dir"], counts_out=paths["counts_out"],
                     threshold=0.8, shingle_size=5, permutations=128, seed=20211)
    print(json.dumps({"stage": stage}))


def run_baseline(export: Path) -> None:
    """json.loads every line and NFC-normalize every text: the floor any reader pays."""
    import unicodedata

    total = 0
    with open(export, encoding="utf-8") as handle:
        for line in handle:
            total += len(unicodedata.normalize("NFC", json.loads(line)["text"]))
    print(json.dumps({"chars": total}))


def measure(phase: str, export: Path, work: Path) -> dict:
    """Run one phase in a child process; return its wall time, peak RSS and printed JSON."""
    command = [sys.executable, __file__, "--phase", phase, "--export", str(export), "--work", str(work)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, env={**os.environ})
    output = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{phase} failed with status {status}")
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024,
            "detail": json.loads(output.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--phase", choices=[*STAGES, "baseline"])
    parser.add_argument("--export", type=Path)
    args = parser.parse_args()
    if args.phase in STAGES:
        return run_stage(args.phase, args.export, args.work)
    if args.phase == "baseline":
        return run_baseline(args.export)
    args.work.mkdir(parents=True, exist_ok=True)
    export = args.work / f"posts_{args.posts}.jsonl"
    if not export.exists():
        generate_export(export, args.posts, args.seed)
    size_mb = export.stat().st_size / 1e6
    baseline = measure("baseline", export, args.work)
    # Like Snakemake, remove a job's outputs before running it (not timed).
    for path in stage_paths(args.work).values():
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    os.sync()  # let the file system finish those deletions before timing starts
    stages = {stage: measure(stage, export, args.work) for stage in STAGES}
    total = sum(result["seconds"] for result in stages.values())
    peak = max(result["peak_rss_mb"] for result in stages.values())
    print(f"export: {args.posts} posts, {size_mb:.1f} MB ({export})")
    print(f"{'baseline (json.loads + NFC)':30s} {baseline['seconds']:7.2f} s  "
          f"{size_mb / baseline['seconds']:7.2f} MB/s  peak RSS {baseline['peak_rss_mb']:7.1f} MB")
    for stage, result in stages.items():
        print(f"  {stage:28s} {result['seconds']:7.2f} s  {size_mb / result['seconds']:7.2f} MB/s  "
              f"peak RSS {result['peak_rss_mb']:7.1f} MB")
    print(f"{'pipeline (ingest + clean)':30s} {total:7.2f} s  {size_mb / total:7.2f} MB/s  "
          f"peak RSS {peak:7.1f} MB (largest job)")
    print(f"ratio pipeline/baseline time: {total / baseline['seconds']:.1f}x")

if __name__ == "__main__":
    main()
