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


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a local file with a fresh profile."""
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra,
                           page.resolve().as_uri()], capture_output=True, text=True,
                          timeout=180, check=False)


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
