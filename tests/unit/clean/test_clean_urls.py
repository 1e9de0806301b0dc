"""User ids leave URLs, whatever the site; everything else of the URL stays."""

from __future__ import annotations

import pytest

from gtflow.clean.urls import strip_user_ids, strip_user_ids_in_text


@pytest.mark.parametrize(("url", "expected"), [
    ("https://weibo.com/u/1088839965", "https://weibo.com/u/[USER]"),
    ("https://weibo.example.com/1088839965/9253767762984843?comment_id=6343634220440078",
     "https://weibo.example.com/[USER]/9253767762984843?comment_id=6343634220440078"),
    ("https://www.douban.com/people/ahbei/", "https://www.douban.com/people/[USER]/"),
    ("https://medium.com/@jane.doe/my-post-123", "https://medium.com/@[USER]/my-post-123"),
    ("https://x.com/janedoe/status/1234567890", "https://x.com/[USER]/status/1234567890"),
    ("https://tieba.baidu.com/home/main?un=%E8%80%81%E8%A1%97&fr=frs",
     "https://tieba.baidu.com/home/[USER]?un=[USER]&fr=frs"),
    ("https://m.example.cn/detail?id=77&uid=5566&share_uid=8899&userName=abc",
     "https://m.example.cn/detail?id=77&uid=[USER]&share_uid=[USER]&userName=[USER]"),
])
def test_user_ids_in_paths_and_queries_become_placeholders(url, expected):
    assert strip_user_ids(url)[0] == expected


@pytest.mark.parametrize("url", [
    "https://bbs.loudi-forum.example.com/thread/1145109",
    "https://www.example.gov.cn/2021/03/18/article_12.html?page=2",
    "u",
    "",
])
def test_urls_without_user_ids_are_kept(url):
    assert strip_user_ids(url) == (url, 0)


def test_urls_inside_text():
    text = "看这里https://weibo.com/u/1088839965，还有 http://example.com/a?uid=7 。"
    assert strip_user_ids_in_text(text) == (
        "看这里https://weibo.com/u/[USER]，还有 http://example.com/a?uid=[USER] 。", 2)
