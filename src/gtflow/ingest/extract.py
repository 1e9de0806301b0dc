"""Main-text extraction of one saved page, in a child process with a time and a memory limit.

trafilatura and lxml spend most of their time in C code, which a Python timeout (a signal or a
thread) cannot interrupt, and a hostile page can make them run long or grow large. So the
extraction runs in its own process: ``python -m gtflow.ingest.extract MEMORY_BYTES PATH`` reads the
page's HTML as UTF-8 on stdin and writes ``{"text", "title", "date"}`` as JSON on stdout. The
child caps its own address space; the parent kills it at the time limit, which leaves nothing
running behind.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

from gtflow.errors import InputError
from gtflow.limits import MB, Limits

#: Exit status of a child that ran out of its memory limit.
OUT_OF_MEMORY = 3


def extract_main_text(html: str) -> dict:
    """Main text, title and date of a page via trafilatura (comments and boilerplate left out)."""
    import trafilatura

    result = trafilatura.bare_extraction(html, include_comments=False, include_tables=True,
                                         favor_precision=True, with_metadata=True)
    if result is None:
        return {"text": "", "title": "", "date": ""}
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    return {"text": data.get("text") or "", "title": data.get("title") or "",
            "date": data.get("date") or ""}


def extract_page(html: str, path: str | Path, limits: Limits) -> dict:
    """:func:`extract_main_text` in a child process; over the time or memory limit, one line."""
    # The page's path is an argument only so the child can be told apart in a process list.
    command = [sys.executable, "-m", "gtflow.ingest.extract", str(limits.page_memory_bytes),
               str(path)]
    try:
        done = subprocess.run(command, input=html.encode("utf-8", "surrogatepass"),
                              capture_output=True, timeout=limits.page_seconds, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(path, f"main-text extraction did not finish within "
                         f"{limits.page_seconds:g} s (limits.page_seconds); the page is too large "
                         "or too deeply nested to extract") from None
    if done.returncode == OUT_OF_MEMORY:
        raise InputError(path, f"main-text extraction needed more than "
                         f"{limits.page_memory_bytes / MB:g} MB (limits.page_memory_mb); the page "
                         "is too large or too deeply nested to extract")
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(path, "main-text extraction failed"
                         + (f" ({detail[-1]})" if detail else f" (exit status {done.returncode})"))
    return json.loads(done.stdout)


def limit_address_space(limit: int) -> None:
    """Cap this process's address space (never above a cap it already has)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def main(argv: list[str]) -> int:
    limit_address_space(int(argv[0]))
    try:
        html = sys.stdin.buffer.read().decode("utf-8", "surrogatepass")
        result = extract_main_text(html)
    except MemoryError:
        return OUT_OF_MEMORY
    except RecursionError:
        print(f"{argv[1]} is nested too deeply", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)  # ASCII escapes: independent of the locale
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
