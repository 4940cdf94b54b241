"""Telegram's HTML subset: text and UTF-16 entities as Telegram returns them, its errors."""

import pytest

from bot.platforms.telegram.html_parse import EntityParseError, parse_html, strip_formatted


def test_tags_and_entities():
    text, ents = parse_html('<b>报修</b> <i>A</i><u>B</u><s>C</s> <a href="https://x.cn/?a=1&amp;b=2">链接</a>')
    assert text == "报修 ABC 链接"
    assert ents == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 3, "length": 1},
        {"type": "underline", "offset": 4, "length": 1},
        {"type": "strikethrough", "offset": 5, "length": 1},
        {"type": "text_link", "offset": 7, "length": 2, "url": "https://x.cn/?a=1&b=2"},
    ]


def test_synonyms_spoiler_quote_code_pre():
    text, ents = parse_html(
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><strike>e</strike>"
        '<tg-spoiler>f</tg-spoiler><span class="tg-spoiler">g</span>'
        "<blockquote>h</blockquote><blockquote expandable>i</blockquote>"
        '<code>j</code><pre>k</pre><pre><code class="language-python">l</code></pre>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "abcdefghijkl👍"
    assert [e["type"] for e in ents] == [
        "bold", "italic", "underline", "strikethrough", "strikethrough", "spoiler", "spoiler",
        "blockquote", "expandable_blockquote", "code", "pre", "pre", "custom_emoji",
    ]
    assert ents[11] == {"type": "pre", "offset": 11, "length": 1, "language": "python"}
    assert "language" not in ents[10]


def test_character_references_and_utf16_offsets():
    text, ents = parse_html("&lt;&gt;&amp;&quot;&#65;&#x42; 😀<b>好</b> AT&T &copy;")
    assert text == '<>&"AB 😀好 AT&T &copy;'
    # 😀 is two UTF-16 code units
    assert ents == [{"type": "bold", "offset": 9, "length": 1}]


def test_nesting_sorted_outer_first():
    text, ents = parse_html("<b>x<i>y</i></b>")
    assert text == "xy"
    assert ents == [{"type": "bold", "offset": 0, "length": 2}, {"type": "italic", "offset": 1, "length": 1}]


def test_empty_entities_dropped_and_attributes_ignored():
    text, ents = parse_html('<b></b><a href="https://a.b" title="t">x</a>')
    assert text == "x"
    assert ents == [{"type": "text_link", "offset": 0, "length": 1, "url": "https://a.b"}]


@pytest.mark.parametrize(
    "html, message",
    [
        ("a<b", "Unclosed start tag at byte offset 1"),
        ("我 <3 你", 'Unsupported start tag "3" at byte offset 4'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b x>y</b>", 'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0'),
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
    ],
)
def test_errors(html, message):
    with pytest.raises(EntityParseError) as err:
        parse_html(html)
    assert str(err.value) == message


def test_strip_shifts_entities():
    text, ents = strip_formatted("  \n<x> ", [{"type": "bold", "offset": 2, "length": 4}])
    assert text == "<x>"
    assert ents == [{"type": "bold", "offset": 0, "length": 3}]
