"""Migration 0011 on a database made by the schema before it: every outbox row's HTML becomes the
rich-text form, pending rows go out exactly as they would have, and a downgrade writes the HTML
back."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.infra.db import Database, make_engine, upgrade
from bot.rich import bold, link, mention, rich
from bot.platforms.telegram.html_parse import parse_html
from bot.outbox.store import rich_of
from models import ChatAccount, OutboxMessage
from tests.rendered import html_of
from tests.conftest import fresh_pg_database

OLD = {
    # what the texts wrote, as it sits in the outbox
    "card": "已记录 <b>Q12</b>：阳光花园4栋 · 公共设施维修 · 楼栋长 朱红梅 跟进",
    "hostile": '问题 Q3 来自 &lt;b&gt;李&lt;/b&gt; &amp; 王：「&lt;a href="x"&gt;点&lt;/a&gt; 13*****5678」',
    "mention": '请 <a href="tg://user?id=7100002">李先生</a> 确认：<b>Q5</b> 修好了吗？\n（回复「仍未修复」）',
    "login": '<a href="https://hgj.example/login?token=…">打开社区看板</a>（7天内有效，请勿转发）',
    "grouped": "<b>【致 张三、李四】</b>\n☀️ <b>早上好 王芳</b>（周五）",
    "refused": "a<b",  # Telegram would have refused it: kept as the text it is
    "empty": "",
}


def _make_old(url: str) -> Database:
    engine = make_engine(url)
    upgrade(engine, "0010")
    with engine.begin() as conn:
        for i, (key, body) in enumerate(OLD.items(), start=1):
            conn.execute(text(
                "INSERT INTO outboxmessage (id, chat_id, text, buttons, request, kind, priority, status, attempts, "
                "last_error, ref) VALUES (:id, :chat, :text, '', '', 'reply', 0, :status, 0, '', :ref)"),
                {"id": i, "chat": -100 - i, "text": body, "status": "sent" if key == "login" else "pending",
                 "ref": key})
    engine.dispose()
    return Database(url)


def _check(db: Database, url: str) -> None:
    upgrade(db.engine)  # 0010 → head
    with db.session() as s:
        got = {r.ref: rich_of(r.text) for r in s.exec(select(OutboxMessage)).all()}
        # the mention names the Telegram account's key since 0014 (an account made for it: nobody
        # with that id had written in a bound group)
        li = s.exec(select(ChatAccount).where(ChatAccount.platform == "telegram",
                                              ChatAccount.external_id == "7100002")).one()
        shown_now = {key: parse_html(html_of(form, s)) for key, form in got.items()}
    assert got["card"] == rich("已记录 ", bold("Q12"), "：阳光花园4栋 · 公共设施维修 · 楼栋长 朱红梅 跟进")
    assert got["hostile"] == rich('问题 Q3 来自 <b>李</b> & 王：「<a href="x">点</a> 13*****5678」')
    assert got["mention"] == rich("请 ", mention("李先生", account=li.id), " 确认：", bold("Q5"),
                                  " 修好了吗？\n（回复「仍未修复」）")
    assert got["login"] == link("打开社区看板", "https://hgj.example/login?token=…") + "（7天内有效，请勿转发）"
    assert got["refused"] == rich("a<b") and got["empty"] == rich()
    for key, old in OLD.items():
        if key != "refused":  # what Telegram shows is what it showed before
            assert shown_now[key] == parse_html(old), key
    with db.engine.begin() as conn:  # stored as JSON text, readable and searchable
        stored = conn.execute(text("SELECT text FROM outboxmessage WHERE ref = 'card'")).scalar()
        assert stored.startswith('["已记录 ",{"b":"Q12"}')
        assert conn.execute(text("SELECT count(*) FROM outboxmessage WHERE text LIKE '%朱红梅%'")).scalar() == 1

    from alembic import command

    from bot.infra.db import alembic_config

    command.downgrade(alembic_config(db.engine), "0010")
    with db.engine.begin() as conn:
        back = dict(conn.execute(text("SELECT ref, text FROM outboxmessage")).all())
    assert {k: v for k, v in back.items() if k != "refused"} == {k: v for k, v in OLD.items() if k != "refused"}
    assert back["refused"] == "a&lt;b"  # now Telegram takes it
    upgrade(db.engine)  # and up again
    with db.session() as s:
        assert rich_of(s.exec(select(OutboxMessage).where(OutboxMessage.ref == "mention")).one().text) == got["mention"]


def test_0011_turns_the_outbox_html_into_the_form_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = _make_old(url)
    try:
        _check(db, url)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_0011_turns_the_outbox_html_into_the_form_postgres():
    with fresh_pg_database("hgj_mig") as url:
        db = _make_old(url)
        try:
            _check(db, url)
        finally:
            db.dispose()
