"""The neutral rich text: built from plain strings, escaped only by a renderer, cut on the form."""

from __future__ import annotations

import json

import pytest

from bot.rich import BR, Link, Mention, Rich, Text, bold, join, link, mention, rich
from bot.platforms.telegram.html_parse import parse_html
from bot.platforms.telegram.render import from_html
from bot.rich.render import fit, md_escape, to_html, to_markdown, to_plain, utf16_units
from bot.platforms.telegram.render import LIMITS, html

HOSTILE = '<b>电梯</b>坏了 & 一直响 </i> <a href="javascript:x">点</a> &lt; "引号" \'单\''


def shown(text: str) -> tuple[str, list[dict]]:
    """What Telegram shows for an HTML text: the plain text and its entities (raises on bad HTML)."""
    return parse_html(text)


# --- the form and the builder -------------------------------------------------------------------


def test_a_text_reads_like_the_sentence_and_keeps_what_people_wrote_as_it_is():
    text = "已记录 " + bold("Q12") + "：" + HOSTILE + BR + rich("请 ", mention("朱红梅", account=7000001), " 跟进")
    assert text.plain == f"已记录 Q12：{HOSTILE}\n请 朱红梅 跟进"
    assert text.spans == (
        Text("已记录 "), Text("Q12", bold=True), Text(f"：{HOSTILE}\n请 "), Mention("朱红梅", 7000001), Text(" 跟进"),
    )


def test_equal_texts_are_equal_however_they_were_built():
    assert rich("a", "", None, "b") == rich("ab") == "a" + rich("b") == rich("a") + "b"
    assert bold("x", "y") == bold("xy") != rich("xy")
    assert join("、", ["甲", bold("乙"), "丙"]) == rich("甲、", bold("乙"), "、丙")
    assert not rich() and not rich("", None) and rich(" ")


def test_a_rich_text_cannot_slip_into_an_f_string_or_be_changed():
    text = bold("Q1")
    with pytest.raises(TypeError):
        f"已记录 {text}"
    with pytest.raises(TypeError):
        str(text)
    with pytest.raises(TypeError):
        "、".join([text])  # type: ignore[list-item]
    with pytest.raises(AttributeError):
        text.spans = ()  # type: ignore[misc]


def test_the_stored_form_is_json_and_comes_back_equal():
    text = rich("问题 ", bold("Q3"), " ", mention("李先生", account=42, member=7), " ",
                link("打开看板", "https://hgj.example/login?token=abc"), bold(mention("王芳", account=9)), BR, "完")
    data = json.loads(json.dumps(text.to_json(), ensure_ascii=False))
    assert Rich.from_json(data) == text
    assert data[0] == "问题 " and data[1] == {"b": "Q3"}
    assert {"mention": "王芳", "account_id": 9, "bold": True} in data


def test_a_mention_stored_with_a_platform_user_id_shows_the_name_and_links_nobody():
    # rows before migration 0014 named Telegram's user id; 0014 rewrote them, and one written by
    # an older process afterwards must not be read as an account key (another person's)
    old = Rich.from_json(["请 ", {"mention": "李先生", "account": 7100002}, " 确认"])
    assert old == rich("请 ", mention("李先生"), " 确认")
    assert old.mentions[0].who == (None, None)  # names nobody: no account is looked up for it


@pytest.mark.parametrize("stored", ["half-written", None, 12, [{"odd": "留下"}, 5, "尾"]])
def test_what_cannot_be_read_as_the_form_is_kept_as_text_never_lost(stored):
    text = Rich.from_json(stored)
    assert isinstance(text, Rich)
    if stored == [{"odd": "留下"}, 5, "尾"]:
        assert text.plain == "留下尾"


# --- Telegram HTML --------------------------------------------------------------------------------


def test_telegram_html_escapes_every_piece_of_text_once():
    name = '<script>&amp;"张"</script>'
    text = rich("来自 ", mention(name, account=123), "：", bold(HOSTILE), " ", link(name, 'https://x.cn/?a=1&b="2"'))
    out = html(text, lambda m: "7100123" if m.account == 123 else None)
    plain, entities = shown(out)  # Telegram takes it
    assert plain == f"来自 {name}：{HOSTILE} {name}"  # shown exactly as written, nothing doubled
    assert "&amp;amp;" in out and "<script>" not in out
    kinds = [(e["type"], plain[e["offset"]:e["offset"] + e["length"]]) for e in entities]
    assert ("text_mention", name) in kinds and ("bold", HOSTILE) in kinds and ("text_link", name) in kinds
    link_entity = next(e for e in entities if e["type"] == "text_link")
    assert link_entity["url"] == 'https://x.cn/?a=1&b="2"'


def test_a_mention_links_the_telegram_account_or_is_just_the_name():
    # the sender looks up each mention's Telegram account (by ``Mention.who``); the renderer links it
    telegram = {(3, None): "7100002", (None, 8): "7100008"}.get
    assert html(mention("李先生", account=3), lambda m: telegram(m.who)) == '<a href="tg://user?id=7100002">李先生</a>'
    assert html(mention("李先生", member=8), lambda m: telegram(m.who)) == '<a href="tg://user?id=7100008">李先生</a>'
    assert html(mention("李先生", account=3)) == "李先生"  # nobody looked up: nobody to notify
    assert html(mention("李先生", account=4), lambda m: telegram(m.who)) == "李先生"  # not on Telegram
    assert html(mention("<李>", account=None)) == "&lt;李&gt;"
    assert html(mention("李", account=3), lambda m: "wecom-user") == "李"  # not a Telegram id: no link


def test_a_run_of_bold_spans_is_one_bold_entity():
    out = html(bold("楼栋长 ", mention("朱红梅", account=5)), lambda m: "7000005")
    assert out == '<b>楼栋长 <a href="tg://user?id=7000005">朱红梅</a></b>'
    assert [e["type"] for e in shown(out)[1]] == ["bold", "text_mention"]


# --- markdown and plain -------------------------------------------------------------------------------


def test_markdown_escapes_what_would_be_markup():
    text = rich(bold("Q12"), " *不是粗体* _也不是_ [假链接](http://evil) `码` <@everyone> a\\b", BR,
                "# 不是标题", BR, "1. 不是列表", BR, "- 也不是", BR, link("看板", "https://x.cn/a b)c"))
    out = to_markdown(text)
    assert out.startswith("**Q12** \\*不是粗体\\* \\_也不是\\_ \\[假链接\\]\\(http://evil\\) \\`码\\` \\<@everyone\\> a\\\\b\n")
    assert "\n\\# 不是标题\n1\\. 不是列表\n\\- 也不是\n" in out
    assert out.endswith("[看板](https://x.cn/a%20b%29c)")


def test_markdown_mentions_use_the_platforms_markup_and_bold_keeps_spaces_outside():
    text = rich(mention("王芳", account=9), " ", bold(" Q1 "), " ", mention("*李*"))
    out = to_markdown(text, mention=lambda m: f"<@{m.account}>" if m.account else None)
    assert out == "<@9>  **Q1**  @\\*李\\*"


def test_plain_text_keeps_links_usable():
    text = rich("请点 ", link("打开看板", "https://hgj.example/x"), " 或 ", link("https://a.cn", "https://a.cn"),
                "，", mention("王芳", account=1))
    assert to_plain(text) == "请点 打开看板（https://hgj.example/x） 或 https://a.cn，@王芳"


def test_md_escape_leaves_chinese_and_numbers_alone():
    assert md_escape("3栋2单元501 下午3点") == "3栋2单元501 下午3点"


# --- cutting --------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [LIMITS.text_length, LIMITS.caption_length, 7])
def test_a_long_text_is_cut_on_the_form_and_its_markup_stays_whole(limit):
    text = rich(bold("来自 "), "&<" * 3000, mention("张" * 50, account=8), link("链" * 3000, "https://x.cn/?a=1&b=2"),
                "😀" * 3000)
    cut = fit(text, limit, LIMITS.size)
    assert utf16_units(cut) <= limit and cut.plain.endswith("…")
    assert utf16_units(cut) >= limit - 2
    plain, _ = shown(html(cut))  # Telegram takes it: no escape or tag cut in half
    assert plain == cut.plain


def test_a_cut_never_splits_an_emoji_and_keeps_a_mention_a_mention():
    text = rich(mention("王" * 10, account=3), "😀" * 10)
    cut = fit(text, 14, LIMITS.size)
    assert cut == rich(mention("王" * 10, account=3), "😀…")  # 10 + 2 + 1 = 13: a second 😀 would be 15
    assert fit(text, 5, LIMITS.size) == rich(mention("王王王王", account=3), "…")


def test_cutting_for_a_markdown_platform_measures_the_markup():
    text = rich(*(bold(f"第{i}项") for i in range(200)))

    def size(r: Rich) -> int:
        return len(to_markdown(r).encode())

    cut = fit(text, 100, size)
    assert size(cut) <= 100 and size(cut) > 80 and cut.plain.endswith("…")


def test_a_text_within_the_limit_is_left_alone():
    text = rich("已记录 ", bold("Q12"))
    assert fit(text, 10) is text


# --- HTML written before the form ---------------------------------------------------------------------


@pytest.mark.parametrize("old", [
    "已记录 <b>Q12</b>：阳光花园4栋 &amp; 6栋 · 公共设施维修",
    '请 <a href="tg://user?id=7100002">李先生</a> 确认：修好了吗？\n&lt;b&gt;电梯&lt;/b&gt;坏了 &amp; 一直响',
    '<a href="https://hgj.example/login?token=abc&amp;x=1">打开社区看板</a>（7天内有效，请勿转发）',
    "<b>【致 张三、李四】</b>\n☀️ <b>早上好 <a href=\"tg://user?id=5\">王芳</a></b>（周五）",
    "<b>😀粗</b>体😀<b>再粗</b>",
    "",
])
def test_the_html_the_bot_wrote_reads_into_the_form_losslessly(old):
    keys = {7100002: 12, 5: 15}  # Telegram user id → the chat account's key
    form = from_html(old, account_of=keys.get)
    telegram = {v: str(k) for k, v in keys.items()}
    assert shown(html(form, lambda m: telegram.get(m.account))) == shown(old)
    assert html(form, lambda m: telegram.get(m.account)) == old  # and, as the bot wrote it, is written out the same


def test_old_html_that_telegram_would_refuse_is_kept_as_its_text():
    assert from_html("a<b") == rich("a<b")
    assert from_html("<i>斜</i><u>线</u>") == rich("斜线")  # styles the bot never wrote keep their text
