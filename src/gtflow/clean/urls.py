"""User ids inside URLs become ``[USER]``: a profile link names its person as surely as a name.

Sites put the user in the path (``weibo.com/u/1088839965``, ``douban.com/people/abc``,
``medium.com/@abc``, ``x.com/abc/status/123``, Weibo's ``weibo.com/<uid>/<post id>``) or in the
query (``?uid=``, ``?user_id=``, ``&share_uid=``). The rules below are general shapes, not a list
of sites; a URL that matches none is kept as it is. Removing a segment that was not a user id
only costs a link that no longer resolves, the safe error for de-identification.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

PLACEHOLDER = "[USER]"
#: A path segment after one of these names the user.
USER_MARKERS = {"u", "user", "users", "profile", "profiles", "people", "person", "member", "members",
                "space", "home", "author", "authors", "account", "accounts", "uid", "userid"}
#: Query keys that carry a user: uid, user_id, userName, share_uid, author, openid, ...
USER_QUERY_KEY = re.compile(r"^(?:[a-z]+_)?(?:u|uid|user(?:_?id|_?name)?|un(?:ame)?|author(?:_?id)?|"
                            r"profile(?:_?id)?|member(?:_?id)?|open_?id|union_?id|account(?:_?id)?)$",
                            re.IGNORECASE)
#: The second segment of a status link (x.com/<handle>/status/<id>).
STATUS_MARKERS = {"status", "statuses"}
#: Weibo and similar: a long numeric first segment followed by the post's own id.
NUMERIC_USER = re.compile(r"^\d{6,}$")
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'，。！？、；：）】」』]+", re.IGNORECASE)
#: ``scheme://host/path`` with no query or fragment and nothing urlsplit would remove (tab, line
#: breaks): the path is everything from the first slash after the host, as urlsplit reads it.
#: ASCII case folding only: with Unicode folding "httpſ" would pass for "https" here, but
#: urlsplit reads no scheme in it.
PLAIN_URL = re.compile(r"https?://[^/?#\t\r\n]*(/[^?#\t\r\n]*)?", re.IGNORECASE | re.ASCII)


def _alternatives(words: set[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words))


#: What :func:`user_path` needs to find a user in a path (which starts with "/"), or more: an
#: "@", a user marker segment with one after it, a status marker segment, a long number as
#: the first segment with one after it. A path without any cannot name a user.
MAY_NAME_USER = re.compile(rf"@|/(?:{_alternatives(USER_MARKERS)})/|"
                           rf"/(?:{_alternatives(STATUS_MARKERS)})(?:/|$)|^/\d{{6,}}/", re.IGNORECASE)


def user_path(segments: list[str]) -> tuple[list[str], int]:
    """The path segments with user ids replaced, and how many were replaced."""
    replaced = list(segments)
    count = 0
    for index, segment in enumerate(segments):
        if not segment or replaced[index] == PLACEHOLDER:
            continue
        after_marker = index > 0 and segments[index - 1].lower() in USER_MARKERS
        handle = segment.startswith("@") and len(segment) > 1
        status_owner = index + 1 < len(segments) and segments[index + 1].lower() in STATUS_MARKERS
        numeric_owner = index == 1 and NUMERIC_USER.match(segment) and len(segments) > 2
        if after_marker or handle or status_owner or numeric_owner:
            replaced[index] = "@" + PLACEHOLDER if handle else PLACEHOLDER
            count += 1
    return replaced, count


def user_query(query: str) -> tuple[str, int]:
    """The query string with the values of user keys replaced, and how many were replaced."""
    if not query:
        return query, 0
    parts, count = [], 0
    for part in query.split("&"):
        key, equals, value = part.partition("=")
        if equals and value and USER_QUERY_KEY.match(key):
            part = f"{key}={PLACEHOLDER}"
            count += 1
        parts.append(part)
    return "&".join(parts), count


def strip_user_ids(url: str) -> tuple[str, int]:
    """``url`` without user ids (see the module docstring), and how many were removed."""
    if not url or "/" not in url:
        return url, 0
    plain = PLAIN_URL.fullmatch(url)
    if plain and not MAY_NAME_USER.search(plain.group(1) or ""):
        return url, 0  # the common case, without the cost of urlsplit
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed URL (an unclosed IPv6 bracket): nothing to read from it
        return url, 0
    segments, in_path = user_path(parts.path.split("/"))
    query, in_query = user_query(parts.query)
    if not in_path and not in_query:
        return url, 0
    return urlunsplit(parts._replace(path="/".join(segments), query=query)), in_path + in_query


def strip_user_ids_in_text(text: str) -> tuple[str, int]:
    """Every http(s) URL in running text without its user ids, and how many were removed."""
    if "http" not in text and "HTTP" not in text:
        return text, 0
    total = 0

    def replace(match: re.Match) -> str:
        nonlocal total
        url, count = strip_user_ids(match.group())
        total += count
        return url

    return URL_IN_TEXT.sub(replace, text), total
