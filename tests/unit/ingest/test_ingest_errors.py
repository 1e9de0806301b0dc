"""Every malformed input stops the adapter with one message, a non-zero exit and no output.

Each case runs a step function the way its Snakemake script adapter does — through
``gtflow.runner.run_step`` — and asserts (a) the message names the file and the line or record,
(b) SystemExit with status 1, (c) the step's output files do not exist afterwards. Problems of a
whole file (empty, binary, not a Word package, a page with no text) name the file only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gtflow.ingest.roster import ingest_roster
from gtflow.ingest.steps import ingest_interview_file, ingest_page_file, ingest_posts_file
from gtflow.runner import run_step

FRONT = ("---\nid: T01\ndate: 2021-03-18\nrespondent: {respondent}\ninterviewer: INT-A\n"
         "location: 镇政府\n---\n")
POST = {"id": "p1", "url": "https://w.example.com/1", "date": "2019-06-18", "author": "a",
        "text": "平安涟源", "parent_id": None}


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def make_roster(tmp: Path) -> Path:
    roster = write(tmp / "raw" / "respondents.csv", "respondent_id,name\nR01,罗志强\n")
    out = tmp / "private" / "roster.parquet"
    ingest_roster(roster, out, tmp / "results" / "r.parquet", tmp / "results" / "l.json")
    return out


def interview(tmp: Path, data: str | bytes, *, name: str = "T01.md", roster: bool = True):
    raw = write(tmp / "raw" / name, data)
    out = tmp / "private" / "ingest" / f"{raw.stem}.parquet"
    return ingest_interview_file, {"raw": raw, "out": out,
                                   "roster": make_roster(tmp) if roster else None}, [out]


def posts(tmp: Path, data: str, name: str = "export.jsonl"):
    raw = write(tmp / "raw" / name, data)
    out = tmp / "private" / "ingest" / "posts.parquet"
    return ingest_posts_file, {"raw": raw, "out": out}, [out]


def page(tmp: Path, html: str, manifest_rows: list[str], name: str = "W1.html"):
    folder = tmp / "raw" / "pages"
    raw = write(folder / name, html)
    manifest = write(folder / "manifest.csv", "file,url,accessed,site,kind\n" + "\n".join(manifest_rows) + "\n")
    out = tmp / "private" / "ingest" / "W1.parquet"
    return ingest_page_file, {"raw": raw, "manifest": manifest, "out": out}, [out]


def roster(tmp: Path, data: str):
    raw = write(tmp / "raw" / "respondents.csv", data)
    outs = [tmp / "private" / "roster.parquet", tmp / "results" / "r.parquet", tmp / "results" / "l.json"]
    return ingest_roster, {"roster": raw, "private_out": outs[0], "public_out": outs[1],
                           "labels_out": outs[2]}, outs


def jsonl(*records: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


EMPTY_PAGE = "<html><head><title>空</title></head><body><div></div></body></html>"
ROW = "W1.html,https://x.example.cn/1,2021-10-12,站点,news"

CASES = {
    "undecodable bytes": (lambda t: interview(t, FRONT.format(respondent="R01").encode()
                                              + "问：好。\n答：".encode() + b"\xff\x80\x80\n"),
                          ["T01.md", "line 9", "neither UTF-8 nor GB18030"]),
    "empty file": (lambda t: interview(t, b""), ["T01.md", "empty"]),
    "binary file": (lambda t: interview(t, b"\x89PNG\r\n\x1a\n\x00\x00IHDR" * 20, name="T01.txt"),
                    ["T01.txt", "binary"]),
    "bad front matter": (lambda t: interview(t, "---\nid: T01\ndate: [oops\n---\n问：好\n"),
                         ["T01.md", "line 3", "front matter is not valid YAML"]),
    "no front matter": (lambda t: interview(t, "问：好。\n"), ["T01.md", "line 1", "no YAML front matter"]),
    "unknown respondent id": (lambda t: interview(t, FRONT.format(respondent="R77") + "问：好。\n"),
                              ["T01.md", "line 4", "respondent 'R77' is not in the roster"]),
    "respondent but no roster": (lambda t: interview(t, FRONT.format(respondent="R01") + "问：好。\n",
                                                     roster=False),
                                 ["T01.md", "line 4", "no roster"]),
    "broken docx": (lambda t: interview(t, b"PK\x03\x04 broken zip", name="T01.docx"),
                    ["T01.docx", "is not a .docx file"]),
    "manifest row for a missing file": (lambda t: page(t, EMPTY_PAGE, [ROW, "W9.html,https://x.example.cn/9,2021-10-12,s,news"]),
                                        ["manifest.csv", "line 3", "'W9.html', but there is no such file"]),
    "manifest bad kind": (lambda t: page(t, EMPTY_PAGE, ["W1.html,https://x.example.cn/1,2021-10-12,s,tv"]),
                          ["manifest.csv", "line 2", "kind 'tv'"]),
    "page without text": (lambda t: page(t, EMPTY_PAGE, [ROW]),
                          ["W1.html", "no extractable main text"]),
    "malformed JSONL line": (lambda t: posts(t, jsonl(POST, '{"id": "p2", "text": ')),
                             ["export.jsonl", "line 2", "not valid JSON"]),
    "post missing fields": (lambda t: posts(t, jsonl(POST, {"id": "p2", "text": "x"})),
                            ["export.jsonl", "line 2", "lacks url, date, author, parent_id"]),
    "duplicate post id": (lambda t: posts(t, jsonl(POST, POST)), ["export.jsonl", "line 2", "appears twice"]),
    "orphan reply": (lambda t: posts(t, jsonl(POST, dict(POST, id="p2", parent_id="p9"))),
                     ["export.jsonl", "line 2", "replies to 'p9'"]),
    "csv export short row": (lambda t: posts(t, "id,url,date,author,text,parent_id\np1,u,2019-01-01,a\n",
                                             name="forum.csv"),
                             ["forum.csv", "line 2", "fewer fields"]),
    "roster missing required columns": (lambda t: roster(t, "respondent_id,role\nR01,x\n"),
                                        ["respondents.csv", "line 1", "lacks the column(s) name"]),
    "roster duplicate id": (lambda t: roster(t, "respondent_id,name\nR01,甲\nR01,乙\n"),
                            ["respondents.csv", "record 2", "'R01' appears twice"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_stops_with_one_message_and_no_output(tmp_path, capsys, case):
    build, expected = CASES[case]
    function, kwargs, outputs = build(tmp_path)
    log = tmp_path / "logs" / "step.log"
    with pytest.raises(SystemExit) as stop:
        run_step(function, log=log, **kwargs)
    assert stop.value.code == 1
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message.startswith("gtflow: ")
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert message in log.read_text(encoding="utf-8")
    for output in outputs:
        assert not output.exists(), f"{output} was written"
    leftovers = [p for p in tmp_path.rglob("*.tmp")]
    assert not leftovers
