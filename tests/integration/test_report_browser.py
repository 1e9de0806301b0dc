"""The rendered report in a real browser: headless Debian Chromium, networking off.

Builds the tiny study's report (a web post planting <script> and <img onerror=...>), loads it,
takes a screenshot and reads the DOM after scripts had their chance: the section headings and
the SVG figures must be there, and the planted script must not have run. A control page proves
that this Chromium does run scripts, so "did not run" means something. Runs when
/usr/bin/chromium exists (.ci/run installs it); the same checks run on the repository's own
report when it has been built (reports/*.html).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from gtflow.resources import template_dir

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "report"))

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian chromium is not installed (/usr/bin/chromium)")

#: Flags measured on these machines (docs: DESIGN.md "Known pitfalls"), plus networking off.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=3000"]
SECTIONS = ["sec-overview", "sec-method", "sec-open-coding", "sec-axial-coding",
            "sec-selective-coding", "sec-reliability", "sec-saturation", "sec-cases",
            "sec-mechanisms", "sec-model", "sec-recommendations", "sec-appendix"]


def chromium(page: Path, profile: Path, *extra: str,
             timeout: int = 180) -> subprocess.CompletedProcess:
    """Run headless Chromium on a local file with a fresh profile."""
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra,
                           page.resolve().as_uri()], capture_output=True, text=True,
                          timeout=timeout, check=False)


def dump_dom(page: Path, profile: Path):
    result = chromium(page, profile, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    return lxml.html.fromstring(result.stdout)


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import fixture_study

    return fixture_study.build_report(tmp_path_factory.mktemp("browser"), "en")["html"]


def test_this_browser_runs_scripts(tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text("<html><head><title>before</title></head><body>"
                       "<script>document.title='RAN'</script></body></html>", encoding="utf-8")
    dom = dump_dom(control, tmp_path / "profile")
    assert dom.findtext(".//title") == "RAN"


def check_report(html: Path, workdir: Path, planted: bool) -> None:
    dom = dump_dom(html, workdir / "profile-dom")
    title = dom.findtext(".//title") or ""
    assert "PWNED" not in title
    body = dom.find(".//body")
    assert body is not None and body.get("data-pwned") is None
    assert not dom.xpath("//*[@onerror]")
    ids = set(dom.xpath("//section/@id"))
    missing = [s for s in SECTIONS if s not in ids]
    assert not missing, missing
    assert all(dom.xpath(f"//section[@id='{s}']/h1 | //section[@id='{s}']/h2")
               for s in SECTIONS)
    figures = [img for img in dom.xpath("//img") if img.get("src", "").startswith(
        "data:image/svg+xml")] + dom.xpath("//*[local-name()='svg']")
    assert len(figures) >= 4
    if planted:
        assert "<script>document.title='PWNED'</script>" in dom.text_content()
    shot = workdir / "screenshot.png"
    result = chromium(html, workdir / "profile-shot", f"--screenshot={shot}",
                      "--window-size=1280,2400")
    assert result.returncode == 0 and shot.stat().st_size > 20_000


def test_planted_script_does_not_run(tiny_report: Path, tmp_path: Path) -> None:
    check_report(tiny_report, tmp_path, planted=True)


def test_pipeline_report(built_small_study: Path, tmp_path: Path) -> None:
    check_report(built_small_study / "reports" / "pseudo_innovation_report.html", tmp_path,
                 planted=False)


# --------------------------------------------------------------------------------------------
# The evidence explorer in the browser
# --------------------------------------------------------------------------------------------

EXPLORER = "pseudo_innovation_report_evidence.html"
#: A harness page reads the explorer through iframes, which needs file access between files.
HARNESS_FLAGS = ("--allow-file-access-from-files", "--virtual-time-budget=120000")


def run_harness(tmp_path: Path, script: str) -> dict:
    """Run a harness page's script (it writes JSON into #out) and return that JSON."""
    import json

    page = tmp_path / "harness.html"
    page.write_text(f"<!DOCTYPE html><html><body><pre id='out'></pre><script>{script}"
                    "</script></body></html>", encoding="utf-8")
    result = chromium(page, tmp_path / "profile-harness", *HARNESS_FLAGS, "--dump-dom",
                      timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    out = lxml.html.fromstring(result.stdout).findtext(".//pre")
    assert out, "the harness did not finish"
    return json.loads(out)


FOLLOW_LINKS = """
var page = %s, anchors = %s, results = [];
var frame = document.createElement('iframe');
frame.style.width = '1200px'; frame.style.height = '700px';
frame.onload = function () {
  var win = frame.contentWindow, doc = frame.contentDocument;
  anchors.forEach(function (anchor) {
    win.location.hash = anchor;  // a fragment navigation, as following the link does
    var target = doc.querySelector(':target'), before = target && target.previousElementSibling;
    results.push({anchor: anchor, target: target ? target.id : null,
                  items: target ? target.querySelectorAll('li.doc').length : -1,
                  cap: before && before.className === 'cap' ? before.textContent : ''});
  });
  document.getElementById('out').textContent = JSON.stringify(
    {results: results, loaded: win.performance.getEntriesByType('resource').length});
};
frame.src = page;
document.body.appendChild(frame);
"""


def report_links(report: Path, explorer: Path) -> list[tuple[str, int]]:
    """(absolute explorer URL with the anchor, the count shown) of every link into the explorer."""
    dom = lxml.html.parse(str(report)).getroot()
    links = []
    for a in dom.xpath("//a[@href]"):
        href, text = a.get("href"), a.text_content().replace(",", "")
        # Counts only: a memo's "About" line links code ids, not numbers.
        if href.startswith(f"{EXPLORER}#") and text.isdigit():
            links.append((f"{explorer.resolve().as_uri()}#{href.split('#', 1)[1]}",
                          int(text)))
    return links


def follow_links(tmp_path: Path, links: list[tuple[str, int]]) -> list[dict]:
    """Open the explorer once, follow every link's fragment in turn; assert nothing was fetched."""
    import json

    pages = {url.split("#", 1)[0] for url, _ in links}
    assert len(pages) == 1, pages
    out = run_harness(tmp_path, FOLLOW_LINKS % (json.dumps(pages.pop()),
                                                json.dumps([url.split("#", 1)[1]
                                                            for url, _ in links])))
    assert out["loaded"] == 0  # the page fetched nothing, external or local
    return out["results"]


def test_following_a_count_lands_on_a_list_of_that_many_documents(built_small_study: Path,
                                                                 tmp_path: Path) -> None:
    reports = built_small_study / "reports"
    links = report_links(reports / "pseudo_innovation_report.html", reports / EXPLORER)
    assert len(links) > 100
    results = follow_links(tmp_path, links)
    for (url, count), seen in zip(links, results, strict=True):
        assert seen["target"] == url.split("#", 1)[1], seen
        assert seen["items"] == count, (url, count, seen)


def test_the_cap_is_stated_where_it_shortens_a_list(built_small_study: Path,
                                                    tmp_path: Path) -> None:
    from gtflow.config import load_config
    from gtflow.memos import memo_files
    from gtflow.report.steps import build_evidence_explorer

    study = built_small_study
    config = load_config(study / "config" / "config.yaml")
    config["report"]["evidence_per_code"] = 2
    capped = tmp_path / EXPLORER
    build_evidence_explorer(evidence=study / "results" / "tables" / "evidence.csv",
                            negative_cases=study / "results" / "mechanisms" / "negative_cases.csv",
                            mechanisms_summary=study / "results" / "mechanisms" / "summary.json",
                            codebook=study / "config" / "codebook.yaml",
                            model=study / "config" / "model.yaml",
                            memos=[str(study / p) for p in memo_files(study)], config=config,
                            templates=template_dir(), out=capped)
    links = report_links(study / "reports" / "pseudo_innovation_report.html", capped)
    results = follow_links(tmp_path, links)
    shortened = 0
    for (url, count), seen in zip(links, results, strict=True):
        anchor = url.split("#", 1)[1]
        assert seen["target"] == anchor, seen
        if anchor.endswith(("-interview", "-web", "-source_only", "-target_only")):
            # A single list: at most the cap, and the page says so where the cap bit.
            assert seen["items"] == min(count, 2), (url, count, seen)
            assert ("Showing the first 2 of" in seen["cap"]) == (count > 2), (url, seen)
            shortened += count > 2
    assert shortened > 0


FILTER = """
var frame = document.createElement('iframe');
frame.onload = function () {
  var doc = frame.contentDocument, form = doc.getElementById('filter');
  function visible() { return Array.prototype.filter.call(doc.querySelectorAll('li.coding'),
    function (li) { return !li.classList.contains('hidden'); }); }
  var out = {formShown: !form.hidden, all: visible().length};
  var docs = form.elements.doc.options;
  var pick = docs[docs.length - 1].value;
  form.elements.doc.value = pick; form.elements.doc.dispatchEvent(new Event('change', {bubbles: true}));
  var byDoc = visible();
  out.doc = pick; out.byDoc = byDoc.length;
  out.byDocOnly = byDoc.every(function (li) { return li.getAttribute('data-doc') === pick; });
  form.elements.doc.value = ''; form.elements.doc.dispatchEvent(new Event('change', {bubbles: true}));
  out.reset = visible().length;
  form.elements.text.value = 'zzz-no-such-text'; form.elements.text.dispatchEvent(new Event('input', {bubbles: true}));
  out.byText = visible().length;
  out.docsShownAfterText = Array.prototype.filter.call(doc.querySelectorAll('li.doc'),
    function (li) { return !li.classList.contains('hidden'); }).length;
  form.elements.text.value = ''; form.elements.origin.value = 'csv';
  form.elements.origin.dispatchEvent(new Event('change', {bubbles: true}));
  out.byOrigin = visible().length;
  out.byOriginOnly = visible().every(function (li) { return li.getAttribute('data-origin') === 'csv'; });
  document.getElementById('out').textContent = JSON.stringify(out);
};
frame.src = %s;
document.body.appendChild(frame);
"""


def test_the_filter_narrows_the_list(built_small_study: Path, tmp_path: Path) -> None:
    import json

    explorer = built_small_study / "reports" / EXPLORER
    out = run_harness(tmp_path, FILTER % json.dumps(explorer.resolve().as_uri()))
    assert out["formShown"] and out["all"] > 0
    assert 0 < out["byDoc"] < out["all"] and out["byDocOnly"]
    assert out["reset"] == out["all"]
    assert out["byText"] == 0 and out["docsShownAfterText"] == 0
    assert 0 < out["byOrigin"] < out["all"] and out["byOriginOnly"]


def test_without_javascript_the_evidence_is_still_listed(built_small_study: Path,
                                                         tmp_path: Path) -> None:
    # This Chromium's headless mode cannot dump a page with --blink-settings=scriptEnabled=false
    # (it prints nothing), so the page's own policy switches its script off instead.
    explorer = built_small_study / "reports" / EXPLORER
    text = explorer.read_text(encoding="utf-8")
    assert "script-src 'unsafe-inline'" in text
    no_script = tmp_path / EXPLORER
    no_script.write_text(text.replace("script-src 'unsafe-inline'", "script-src 'none'"),
                         encoding="utf-8")
    result = chromium(no_script, tmp_path / "profile-nojs", "--dump-dom", timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = lxml.html.fromstring(result.stdout)
    static = lxml.html.fromstring(text)
    # The script did not run (it would have shown the filter form) ...
    assert dom.xpath("//form[@id='filter']")[0].get("hidden") is not None
    # ... and every coding is listed, none hidden.
    assert len(dom.xpath("//li[contains(@class, 'coding')]")) == \
        len(static.xpath("//li[contains(@class, 'coding')]")) > 0
    assert not dom.xpath("//*[contains(@class, 'hidden')]")


def test_the_explorer_names_no_external_resource(built_small_study: Path) -> None:
    text = (built_small_study / "reports" / EXPLORER).read_text(encoding="utf-8")
    dom = lxml.html.fromstring(text)
    assert not dom.xpath("//script[@src] | //link[@href] | //img | //iframe | //object")
    assert all(href.startswith("#") for href in dom.xpath("//a/@href"))
    assert "default-src 'none'" in text
