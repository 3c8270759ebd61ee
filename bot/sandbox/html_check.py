"""Telegram's HTML parse mode, strictly: the tags it allows, properly nested, and only known entities."""

from __future__ import annotations

import functools
import re
from html import unescape
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
    "blockquote", "tg-emoji",
}  # fmt: skip
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);?")
_NAMED = {"lt", "gt", "amp", "quot"}


class HtmlError(ValueError):
    """Why Telegram would answer "can't parse entities"."""


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {self.getpos()[1]}')
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise HtmlError('Tag "span" must have class "tg-spoiler"')
        if tag == "a" and not dict(attrs).get("href"):
            raise HtmlError('Tag "a" must have an "href" attribute')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise HtmlError(f'Unexpected end tag "{tag}" at byte offset {self.getpos()[1]}')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED:
            raise HtmlError(f'Unsupported HTML entity "&{name};"')
        self.text.append(unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(unescape(f"&#{name};"))


def _checked(html: str) -> _Checker:
    for match in _ENTITY.finditer(html):
        if not match.group(0).endswith(";"):
            raise HtmlError(f"Character entity is not terminated at byte offset {match.start()}")
    if re.search(r"&(?![#a-zA-Z])", html):
        raise HtmlError("Unescaped & in the text; write &amp;")
    checker = _Checker()
    checker.feed(html)
    checker.close()
    if checker.open:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{checker.open[-1]}"')
    if re.search(r"<(?![a-zA-Z/])", html):
        raise HtmlError("Unescaped < in the text; write &lt;")
    return checker


@functools.lru_cache(maxsize=4096)
def plain_length(html: str) -> int:
    """The text's length as Telegram counts it: UTF-16 code units after entity parsing; HtmlError if bad.

    Cached, because a dispatch sends the same few captions to thousands of runners.
    """
    return len("".join(_checked(html).text).encode("utf-16-le")) // 2
