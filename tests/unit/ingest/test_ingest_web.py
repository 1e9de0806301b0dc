"""Saved HTML pages: manifest validation, trafilatura extraction, encodings, exclusions."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtflow.errors import InputError
from gtflow.ingest.web import check_manifest_files, ingest_page, read_manifest

PARAGRAPHS = [
    "本网讯 5月7日，由涟源市委政法委牵头建设的“平安涟源”手机APP正式上线运行。",
    "市民通过手机应用商店搜索下载、实名注册后，即可随手上报矛盾纠纷和安全隐患，网格员将在24小时内响应处理。",
    "据介绍，该APP设有隐患随手拍、矛盾纠纷调解、办事指南、法律咨询等多个功能模块，群众足不出户就能反映问题。",
    "市委政法委有关负责人表示，下一步将把APP的推广使用纳入平安建设考核，力争年内实现城乡全覆盖。",
]
MANIFEST = "file,url,accessed,site,kind\n{rows}"


def page_html(charset: str = "utf-8", paragraphs: list[str] | None = None) -> str:
    body = "".join(f"<p>{p}</p>" for p in (PARAGRAPHS if paragraphs is None else paragraphs))
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta http-equiv="Content-Type" '
            f'content="text/html; charset={charset}"><title>平安涟源APP正式上线_本地新闻</title>'
            '<meta name="publishdate" content="2019-05-08"></head><body>'
            '<div class="nav"><a href="/">首页</a> | <a href="/news">新闻</a></div>'
            f'<div class="article"><h1>平安涟源APP正式上线</h1>{body}</div>'
            '<div class="footer">版权所有 联系电话：0738-8216600</div></body></html>')


def write_study(folder: Path, pages: dict[str, bytes], rows: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in pages.items():
        (folder / name).write_bytes(data)
    rows = rows if rows is not None else [
        f"{name},https://news.example.cn/{name},2021-10-12,湘中新闻网,news" for name in pages]
    manifest = folder / "manifest.csv"
    manifest.write_text(MANIFEST.format(rows="\n".join(rows) + "\n"), encoding="utf-8")
    return manifest


def test_main_text_title_and_date_are_extracted(tmp_path):
    manifest = write_study(tmp_path, {"W001.html": page_html().encode("utf-8")})
    table = ingest_page(tmp_path / "W001.html", manifest)
    row = table.iloc[0]
    assert row.doc_id == "W001" and row.source_type == "web_page"
    assert "平安涟源" in row.title
    assert row.date == "2019-05-08"
    assert "网格员将在24小时内响应处理" in row.text
    assert "首页" not in row.text  # navigation is boilerplate
    assert (row.url, row.author, row.encoding) == ("https://news.example.cn/W001.html", "湘中新闻网", "utf-8")


def test_gbk_page_with_true_declaration(tmp_path):
    manifest = write_study(tmp_path, {"W002.html": page_html("gbk").encode("gbk")})
    row = ingest_page(tmp_path / "W002.html", manifest).iloc[0]
    assert row.encoding == "gb18030"
    assert "网格员将在24小时内响应处理" in row.text


def test_meta_charset_that_lies_is_read_as_utf8(tmp_path, caplog):
    """Decision: declared gbk but valid UTF-8 bytes -> UTF-8 wins, the mismatch is logged."""
    manifest = write_study(tmp_path, {"W003.html": page_html("gbk").encode("utf-8")})
    row = ingest_page(tmp_path / "W003.html", manifest).iloc[0]
    assert row.encoding == "utf-8"
    assert "网格员将在24小时内响应处理" in row.text
    assert "declares charset gbk but was read as utf-8" in caplog.text


def test_page_without_text_is_an_error_unless_excluded(tmp_path):
    empty = page_html(paragraphs=[]).replace("<h1>平安涟源APP正式上线</h1>", "")
    manifest = write_study(tmp_path, {"W004.html": empty.encode("utf-8")})
    with pytest.raises(InputError, match="no extractable main text") as error:
        ingest_page(tmp_path / "W004.html", manifest)
    assert error.value.path.endswith("W004.html")
    table = ingest_page(tmp_path / "W004.html", manifest, excluded=["W004.html"])
    assert len(table) == 0 and list(table.columns)


def test_demo_pages_read(tmp_path):
    """Two demo pages, one declared gbk and one gb18030, read as GB18030 with text."""
    pages = Path(__file__).resolve().parents[3] / "data" / "raw" / "web" / "pages"
    for name in ("W004.html", "W017.html"):
        table = ingest_page(pages / name, pages / "manifest.csv")
        assert table["encoding"].iloc[0] == "gb18030"
        assert "平安涟源" in table["text"].iloc[0]


@pytest.mark.parametrize(("rows", "message", "line"), [
    (["W1.html,https://x.cn/1,2021-10-12,site,news", "W1.html,https://x.cn/2,2021-10-12,site,news"],
     "lists 'W1.html' twice", 3),
    (["W1.html,,2021-10-12,site,news"], "has no url", 2),
    (["W1.html,https://x.cn/1,12/10/2021,site,news"], "not YYYY-MM-DD", 2),
    (["W1.html,https://x.cn/1,2021-10-12,site,video"], "kind 'video'", 2),
    ([",https://x.cn/1,2021-10-12,site,news"], "empty file name", 2),
])
def test_manifest_rows_are_validated(tmp_path, rows, message, line):
    manifest = write_study(tmp_path, {}, rows)
    with pytest.raises(InputError, match=message) as error:
        read_manifest(manifest)
    assert error.value.line == line


def test_manifest_missing_columns(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,url\nW1.html,https://x.cn\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks the column.*accessed, site, kind") as error:
        read_manifest(manifest)
    assert error.value.line == 1


def test_manifest_row_for_a_missing_file(tmp_path):
    manifest = write_study(tmp_path, {"W1.html": page_html().encode()},
                           ["W1.html,https://x.cn/1,2021-10-12,s,news", "W9.html,https://x.cn/9,2021-10-12,s,news"])
    with pytest.raises(InputError, match="lists 'W9.html', but there is no such file") as error:
        check_manifest_files(manifest, read_manifest(manifest))
    assert error.value.line == 3


def test_page_missing_from_manifest(tmp_path):
    manifest = write_study(tmp_path, {"W1.html": page_html().encode()}, [])
    (tmp_path / "W2.html").write_text(page_html(), encoding="utf-8")
    with pytest.raises(InputError, match="has no row for the page 'W2.html'"):
        ingest_page(tmp_path / "W2.html", manifest)
